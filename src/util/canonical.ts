/**
 * Canonical JSON: object keys sorted (by UTF-16 code units), no whitespace. Two values with the
 * same canonical text are the same definition; stored objects, body hashes and the client's
 * request ids use it, so key order on the wire never matters.
 *
 * Written as a loop over an explicit stack, not recursion, so that no nesting depth can overflow
 * the call stack (the server limits body depth anyway; the client does not). A cyclic value is a
 * TypeError, as in JSON.stringify.
 */
import { createHash } from 'node:crypto';

/** A container being written: an array and its next index, or an object and its sorted keys. */
interface Frame {
  container: object;
  /** Sorted keys of an object; null for an array. */
  keys: string[] | null;
  next: number;
  /** Whether a member was written (objects skip undefined values, so `next > 0` does not say). */
  wrote: boolean;
}

function scalar(value: unknown): string {
  // Non-finite numbers have no JSON form; the HTTP layer only ever hands us parsed JSON.
  return JSON.stringify(value) ?? 'null';
}

export function canonicalJson(value: unknown): string {
  let out = '';
  const stack: Frame[] = [];
  const open = new Set<object>();
  let current: unknown = value;
  for (;;) {
    if (current === null || typeof current !== 'object') {
      out += scalar(current);
    } else {
      if (open.has(current)) throw new TypeError('canonicalJson: the value is cyclic');
      open.add(current);
      const isArray = Array.isArray(current);
      out += isArray ? '[' : '{';
      stack.push({
        container: current,
        keys: isArray ? null : Object.keys(current).sort(),
        next: 0,
        wrote: false,
      });
    }
    const step = nextMember(stack, open);
    out += step.text;
    if (step.done) return out;
    current = step.value;
  }
}

/** Closes finished containers and opens the next member: its prefix text and its value. */
function nextMember(stack: Frame[], open: Set<object>): { text: string; done: boolean; value?: unknown } {
  let text = '';
  for (;;) {
    const top = stack[stack.length - 1];
    if (!top) return { text, done: true };
    if (top.keys === null) {
      const items = top.container as unknown[];
      if (top.next < items.length) {
        const item = items[top.next];
        text += top.next > 0 ? ',' : '';
        top.next += 1;
        return { text, done: false, value: item === undefined ? null : item };
      }
    } else {
      const obj = top.container as Record<string, unknown>;
      while (top.next < top.keys.length && obj[top.keys[top.next] ?? ''] === undefined) top.next += 1;
      const key = top.keys[top.next];
      if (key !== undefined) {
        text += `${top.wrote ? ',' : ''}${JSON.stringify(key)}:`;
        top.next += 1;
        top.wrote = true;
        return { text, done: false, value: obj[key] };
      }
    }
    text += top.keys === null ? ']' : '}';
    open.delete(top.container);
    stack.pop();
  }
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
