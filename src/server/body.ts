/**
 * The JSON body parser of the server's routes (the ledger's routes use their own lossless one).
 * `JSON.parse` itself is iterative and fast; what it lets through is checked in one iterative walk
 * of the parsed value, so that nothing downstream (schema checks, reference scans, canonical JSON)
 * ever meets a value it could overflow the stack on or be poisoned by:
 * - nesting deeper than MAX_BODY_DEPTH;
 * - a `__proto__` key anywhere, or a `constructor` key holding a `prototype` (prototype
 *   poisoning, once the value is copied or merged).
 * Each is a 400 INVALID_ARGUMENT saying what and where.
 */
import { invalid } from './errors.js';

/** Deepest nesting accepted in a body: far beyond any real request (they nest about 6 deep). */
export const MAX_BODY_DEPTH = 64;

function fieldOf(path: readonly (string | number)[]): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out === '' ? seg : `.${seg}`;
  return out;
}

/** Parses a JSON request body, or throws the 400 that says what is wrong with it. */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') {
    throw invalid('the body is empty; send a JSON object (Content-Type: application/json)');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw invalid(`the body is not valid JSON: ${(e as Error).message}`);
  }
  checkShape(value);
  return value;
}

/** A value met by the walk: its depth, and how it was reached (the path is built only for errors). */
interface Visit {
  value: unknown;
  depth: number;
  parent: Visit | undefined;
  key: string | number;
}

function pathOf(visit: Visit | undefined): (string | number)[] {
  const path: (string | number)[] = [];
  for (let v = visit; v?.parent !== undefined; v = v.parent) path.push(v.key);
  return path.reverse();
}

/** The walk: depth and forbidden keys, one container at a time, no recursion. */
function checkShape(root: unknown): void {
  const stack: Visit[] = [{ value: root, depth: 0, parent: undefined, key: '' }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const { value, depth } = item;
    if (value === null || typeof value !== 'object') continue;
    if (depth >= MAX_BODY_DEPTH) {
      throw invalid(`the body is nested more than ${MAX_BODY_DEPTH} levels deep`, [
        {
          field: fieldOf(pathOf(item).slice(0, 8)) + ' ...',
          description: `at most ${MAX_BODY_DEPTH} levels of nesting`,
        },
      ]);
    }
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const v: unknown = value[i];
        if (v !== null && typeof v === 'object')
          stack.push({ value: v, depth: depth + 1, parent: item, key: i });
      }
      continue;
    }
    for (const key in value) {
      if (!Object.hasOwn(value, key)) continue;
      const v: unknown = (value as Record<string, unknown>)[key];
      const poisoned =
        key === '__proto__' ||
        (key === 'constructor' && v !== null && typeof v === 'object' && 'prototype' in v);
      if (poisoned) {
        const field = fieldOf([...pathOf(item), key]);
        throw invalid(`the body has a forbidden key at ${field}`, [
          { field, description: 'keys named __proto__, and constructor holding prototype, are refused' },
        ]);
      }
      if (v !== null && typeof v === 'object') stack.push({ value: v, depth: depth + 1, parent: item, key });
    }
  }
}
