/**
 * The one id grammar of Strata, shared by the server (ids in bodies, URL paths, query strings and
 * request ids, on both storages), the ledger and the CLI's offline validation (schemas/defs.schema.json
 * `$defs/id` states the same rule; a test keeps the two equal).
 *
 * An id is 1 to ID_MAX_LENGTH characters from `A-Z a-z 0-9 _ . : , -`, and is not `.` or `..`.
 * So it never holds NUL, control characters, spaces, `/`, `?`, `#` or `%`: every id can be put in a
 * URL path segment as it is, and a GET can always reach what a POST created. The length bound keeps
 * every key well inside PostgreSQL's index entry limit.
 */
export const ID_MAX_LENGTH = 256;

/** The rule as a JSON Schema `pattern` (the length is `maxLength`): the id alphabet, not `.` or `..`. */
export const ID_PATTERN = '^(?!\\.\\.?$)[A-Za-z0-9_.:,-]+$';

/** The rule in words, for messages and docs. */
export const ID_RULE = `1 to ${ID_MAX_LENGTH} letters, digits and _ . : , - (not . or ..)`;

const ID_ALPHABET = /^[A-Za-z0-9_.:,-]+$/;

/** Why `value` is not an id (a phrase to follow "must be"), or undefined when it is one. */
export function idProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'a string';
  if (value.length === 0) return 'non-empty';
  if (value.length > ID_MAX_LENGTH) return `at most ${ID_MAX_LENGTH} characters (it has ${value.length})`;
  if (!ID_ALPHABET.test(value)) return 'made of letters, digits and _ . : , - only';
  if (value === '.' || value === '..') return 'something other than . or ..';
  return undefined;
}

export function isValidId(value: unknown): value is string {
  return idProblem(value) === undefined;
}
