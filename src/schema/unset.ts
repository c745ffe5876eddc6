/**
 * An explicit `null` means "unset": the same as leaving the field out (`unset` in
 * schemas/defs.schema.json, which every optional field accepts). Payloads and request bodies drop
 * such fields before they are compared, hashed, sent or stored, so writing `x: null` and not
 * writing `x` are one and the same request everywhere.
 */
import { isRecord } from '../util/record.js';

/**
 * A copy of `value` without null-valued mapping entries, at any depth; list items are kept as they
 * are (a null item is not a field). Iterative, so a deeply nested body cannot overflow the stack.
 */
export function withoutUnset<T>(value: T): T {
  if (!isRecord(value) && !Array.isArray(value)) return value;
  const pending: Array<{
    from: unknown[] | Record<string, unknown>;
    to: unknown[] | Record<string, unknown>;
  }> = [];
  const shell = (v: unknown): unknown => {
    if (Array.isArray(v)) {
      const to: unknown[] = [];
      pending.push({ from: v, to });
      return to;
    }
    if (isRecord(v)) {
      const to: Record<string, unknown> = {};
      pending.push({ from: v, to });
      return to;
    }
    return v;
  };
  const root = shell(value);
  for (let job = pending.pop(); job !== undefined; job = pending.pop()) {
    const { from, to } = job;
    if (Array.isArray(from)) {
      for (const item of from) (to as unknown[]).push(shell(item));
      continue;
    }
    for (const [key, v] of Object.entries(from)) {
      if (v === null) continue;
      // defineProperty keeps a key such as "__proto__" an ordinary own property.
      Object.defineProperty(to, key, {
        value: shell(v),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
  }
  return root as T;
}
