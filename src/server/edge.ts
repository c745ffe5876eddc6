/**
 * The server's edge: what every request is checked for before a route runs, and how anything
 * thrown becomes an error of the catalog. Nothing a client sends may end as a 500:
 * - JSON bodies are parsed by `parseJsonBody` (depth-limited, poisoned keys refused);
 * - ids in the URL path and in id query parameters (`ids`, `*_id`, `*_ids`) must follow the id
 *   grammar (src/util/id.ts), checked once here for every route;
 * - Fastify's own client errors (bad URL encoding, an overlong path segment, a body too large or
 *   of another type) become INVALID_ARGUMENT or PAYLOAD_TOO_LARGE with a clear message;
 * - values no storage can hold (`UnstorableValue`) are INVALID_ARGUMENT.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { StorageUnavailable, UnstorableValue } from '../storage/types.js';
import { ID_MAX_LENGTH, idProblem } from '../util/id.js';
import { parseJsonBody } from './body.js';
import { ApiError, invalid, type FieldViolation } from './errors.js';

/** Longest path segment routed: an id plus a custom method (`:activateVersion`), with room. */
export const MAX_PATH_SEGMENT = 512;

export function sendError(reply: FastifyReply, err: ApiError): FastifyReply {
  if (err.retryAfter !== undefined) reply.header('retry-after', String(err.retryAfter));
  return reply.code(err.status).type('application/json; charset=utf-8').send(JSON.stringify(err.toJSON()));
}

/** Fastify's client errors, by code, as the catalog's errors. */
const FASTIFY_ERRORS: Readonly<Record<string, (bodyLimit: number) => ApiError>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: (limit) =>
    new ApiError('PAYLOAD_TOO_LARGE', `the request body exceeds the limit of ${limit} bytes`, {
      limit_bytes: limit,
    }),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: () => invalid('the body must be JSON (Content-Type: application/json)'),
  FST_ERR_BAD_URL: () =>
    invalid('the URL path is not valid: a percent-encoded sequence does not decode to UTF-8 text'),
  FST_ERR_MAX_PARAM_LENGTH: () =>
    invalid(
      `a URL path segment is longer than ${MAX_PATH_SEGMENT} characters (ids have at most ${ID_MAX_LENGTH})`,
    ),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () => invalid('Content-Length does not match the body sent'),
};

/** Maps anything thrown to the API error it is. */
export function toApiError(err: unknown, bodyLimit: number): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof StorageUnavailable) {
    return new ApiError('UNAVAILABLE', 'storage is contended or unreachable; retry', {}, [], 1);
  }
  if (err instanceof UnstorableValue) return invalid(err.message);
  const e = err as { code?: string; statusCode?: number; message?: string };
  const known = e.code === undefined ? undefined : FASTIFY_ERRORS[e.code];
  if (known) return known(bodyLimit);
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return invalid(e.message ?? 'invalid request');
  }
  return new ApiError('INTERNAL', 'internal error; the server log has the cause under this request id');
}

/** Makes `parseJsonBody` the JSON parser of `app` (a plugin scope may replace it with its own). */
export function useJsonBodyParser(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (e) {
      done(e as Error, undefined);
    }
  });
}

/** A custom method (`:activateVersion`, AIP-136) is routed with the id but is not part of it. */
const CUSTOM_METHOD = /:[A-Za-z]+$/;
const ID_QUERY = /^(ids|.+_ids?)$/;

/** 400 naming every path parameter and id query value that breaks the id grammar. */
export function checkRequestIds(req: FastifyRequest): void {
  const violations: FieldViolation[] = [];
  const check = (field: string, value: unknown) => {
    const problem = idProblem(value);
    if (problem !== undefined) violations.push({ field, description: `an id must be ${problem}` });
  };
  for (const [name, value] of Object.entries((req.params ?? {}) as Record<string, unknown>)) {
    check(name, typeof value === 'string' ? value.replace(CUSTOM_METHOD, '') : value);
  }
  for (const [name, value] of Object.entries((req.query ?? {}) as Record<string, unknown>)) {
    if (!ID_QUERY.test(name)) continue;
    for (const v of Array.isArray(value) ? value : [value]) check(name, v);
  }
  if (violations.length > 0) {
    throw invalid(
      `not a valid id: ${violations[0]?.field ?? ''} (${violations[0]?.description ?? ''})`,
      violations,
    );
  }
}

/** The request's path for the log: the query string's parameter names, never their values (tokens). */
export function loggedPath(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const names = url
    .slice(q + 1)
    .split('&')
    .map((pair) => pair.split('=')[0] ?? '')
    .filter((name) => name !== '');
  return `${url.slice(0, q)}?${names.join('&')}`;
}
