/**
 * Reading typed fields out of a lossless JSON body, each failure a LedgerInputError naming the
 * field's full path. A `FieldReader` also refuses members it was never asked about, so a typo or a
 * Vault option this server does not implement (say `dry_run: true`) is an error, not silently
 * ignored.
 */
import { LedgerInputError } from './errors.js';
import { isJsonObject, JsonNumber, type JsonObject, type JsonValue } from './json.js';
import { formatTimestamp, parseTimestamp } from './time.js';

/** Longest id accepted (customer, account, client, client transaction and batch ids). */
export const MAX_ID_LENGTH = 256;
/** Most entries in a details map, and longest key or value. */
export const MAX_DETAILS_ENTRIES = 64;
export const MAX_DETAILS_TEXT = 1024;

/** Why `id` is not a usable id, or undefined when it is. */
export function idProblem(id: string): string | undefined {
  if (id.length === 0) return 'must not be empty';
  if (id.length > MAX_ID_LENGTH) return `is ${id.length} characters; ids have at most ${MAX_ID_LENGTH}`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(id)) return 'must not contain control characters';
  if (id === '.' || id === '..') return 'must not be "." or ".."';
  return undefined;
}

export function describe(value: JsonValue | undefined): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (value instanceof JsonNumber) return `the JSON number ${value.text}`;
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return typeof value === 'string' ? 'a string' : `${String(value)}`;
}

export class FieldReader {
  readonly #seen = new Set<string>();

  constructor(
    readonly object: JsonObject,
    /** Path of the object itself ('' for the body). */
    readonly path: string,
  ) {}

  /** Reads the object at `path` (which must be one). */
  static of(value: JsonValue | undefined, path: string): FieldReader {
    if (!isJsonObject(value)) {
      throw new LedgerInputError(
        'INVALID_ARGUMENT',
        path || 'body',
        `must be a JSON object, got ${describe(value)}`,
      );
    }
    return new FieldReader(value, path);
  }

  at(key: string): string {
    return this.path === '' ? key : `${this.path}.${key}`;
  }

  /** The raw member (marked as read). */
  raw(key: string): JsonValue | undefined {
    this.#seen.add(key);
    return Object.hasOwn(this.object, key) ? this.object[key] : undefined;
  }

  has(key: string): boolean {
    const v = Object.hasOwn(this.object, key) ? this.object[key] : undefined;
    return v !== undefined && v !== null;
  }

  fail(key: string, description: string): never {
    throw new LedgerInputError('INVALID_ARGUMENT', this.at(key), description);
  }

  string(key: string): string {
    const v = this.raw(key);
    if (v === undefined || v === null) this.fail(key, 'is required');
    if (typeof v !== 'string') this.fail(key, `must be a string, got ${describe(v)}`);
    return v;
  }

  optionalString(key: string): string | undefined {
    const v = this.raw(key);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') this.fail(key, `must be a string, got ${describe(v)}`);
    return v;
  }

  id(key: string): string {
    const v = this.string(key);
    const problem = idProblem(v);
    if (problem !== undefined) this.fail(key, problem);
    return v;
  }

  optionalId(key: string): string | undefined {
    const v = this.optionalString(key);
    if (v === undefined) return undefined;
    const problem = idProblem(v);
    if (problem !== undefined) this.fail(key, problem);
    return v;
  }

  bool(key: string, fallback: boolean): boolean {
    const v = this.raw(key);
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'boolean') this.fail(key, `must be true or false, got ${describe(v)}`);
    return v;
  }

  reader(key: string): FieldReader {
    const v = this.raw(key);
    if (v === undefined || v === null) this.fail(key, 'is required');
    return FieldReader.of(v, this.at(key));
  }

  array(key: string, limits: { min: number; max: number }): JsonValue[] {
    const v = this.raw(key);
    if (v === undefined || v === null) this.fail(key, 'is required');
    if (!Array.isArray(v)) this.fail(key, `must be an array, got ${describe(v)}`);
    if (v.length < limits.min) this.fail(key, `must have at least ${limits.min} element(s)`);
    if (v.length > limits.max) this.fail(key, `has ${v.length} elements; at most ${limits.max} are allowed`);
    return v;
  }

  /** A `map<string, string>` (details, instance parameters): absent is empty. */
  stringMap(key: string): Record<string, string> {
    const v = this.raw(key);
    if (v === undefined || v === null) return {};
    const map: FieldReader = FieldReader.of(v, this.at(key));
    const entries = Object.entries(map.object);
    if (entries.length > MAX_DETAILS_ENTRIES) {
      this.fail(key, `has ${entries.length} entries; at most ${MAX_DETAILS_ENTRIES} are allowed`);
    }
    const out: Record<string, string> = {};
    for (const [k, value] of entries) {
      if (typeof value !== 'string')
        map.fail(k, `must be a string, got ${describe(value)} (details are string to string)`);
      if (k.length > MAX_DETAILS_TEXT || value.length > MAX_DETAILS_TEXT) {
        map.fail(k, `keys and values have at most ${MAX_DETAILS_TEXT} characters`);
      }
      out[k] = value;
    }
    return out;
  }

  /** An RFC 3339 timestamp in ms, or undefined when absent. */
  optionalTimestamp(key: string): number | undefined {
    const v = this.optionalString(key);
    if (v === undefined) return undefined;
    const t = parseTimestamp(v);
    if (!t.ok) this.fail(key, `${t.reason} (e.g. ${formatTimestamp(0).replace('.000', '')})`);
    return t.value;
  }

  /** Fails on the first member that no read asked for. */
  done(): void {
    for (const key of Object.keys(this.object)) {
      if (!this.#seen.has(key)) this.fail(key, 'is not a field this server accepts here; remove it');
    }
  }
}
