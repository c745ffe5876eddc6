/**
 * Request body checks shared by every mutation: no unresolved `&{...}` references, and the type's
 * JSON Schema (the same one `strata validate` uses). Both report field violations with paths such
 * as `product_version.params[2].name`.
 */
import { checkSchema } from '../../schema/index.js';
import type { PathSegment } from '../../pack/yaml.js';
import { findReferences } from '../../pack/references.js';
import { ID_RULE, idProblem } from '../../util/id.js';
import { ApiError, invalid, type FieldViolation } from '../errors.js';

export function fieldPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out === '' ? seg : `.${seg}`;
  return out;
}

/**
 * The first reference in each string of `value` (references use the pack grammar,
 * `pack/references.ts`). `path` is where `value` is; it is extended and restored in place, so
 * that a body without references costs no allocation per value. (Bodies are depth-limited.)
 */
function collectReferences(value: unknown, path: PathSegment[], out: FieldViolation[]): void {
  if (typeof value === 'string') {
    if (!value.includes('&{')) return;
    const [first] = findReferences(value).references;
    if (first) {
      const text = value.slice(first.offset, first.offset + first.length);
      out.push({ field: fieldPath(path), description: `unresolved reference ${text}` });
    }
  } else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      path.push(i);
      collectReferences(value[i], path, out);
      path.pop();
    }
  } else if (value !== null && typeof value === 'object') {
    for (const key in value) {
      if (!Object.hasOwn(value, key)) continue;
      path.push(key);
      collectReferences((value as Record<string, unknown>)[key], path, out);
      path.pop();
    }
  }
}

/** Rejects `&{...}` anywhere in the body: references are resolved by the client, never here. */
export function rejectReferences(body: unknown): void {
  const found: FieldViolation[] = [];
  collectReferences(body, [], found);
  if (found.length > 0) {
    throw new ApiError(
      'UNRESOLVED_REFERENCE',
      `the body contains ${found.length} unresolved reference(s); resolve them to server ids before sending`,
      {},
      found,
    );
  }
}

/** Validates `value` against `schemas/<schema>.schema.json`; 400 with every violation. */
export function requireSchema(schema: string, value: unknown): void {
  const violations = checkSchema(schema, value);
  if (violations.length === 0) return;
  throw invalid(
    `the body does not match ${schema}: ${violations[0]?.message ?? ''}`,
    violations.map((v) => ({
      field: fieldPath(v.path),
      description: v.hint ? `${v.message} (${v.hint})` : v.message,
    })),
  );
}

/** The body as an object with a usable `request_id`, or 400. */
export function requireRequestBody(body: unknown): { requestId: string; body: Record<string, unknown> } {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw invalid('the body must be a JSON object');
  }
  const b = body as Record<string, unknown>;
  const requestId = b['request_id'];
  const problem = idProblem(requestId);
  if (problem !== undefined) {
    const message =
      requestId === undefined ? `request_id is required: ${ID_RULE}` : `request_id must be ${problem}`;
    throw invalid(message, [{ field: 'request_id', description: `required: ${ID_RULE}` }]);
  }
  return { requestId: requestId as string, body: b };
}
