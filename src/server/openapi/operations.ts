/**
 * OpenAPI operation objects in the server's conventions: who may call (the scope, as a security
 * requirement), the idempotent-replay header of mutations, and the error responses every call can
 * get (the shared `{code, message, details, field_violations}` body).
 */
import type { Scope } from '../auth.js';
import type { Schema, SchemaComponents } from './schemas.js';

export type Operation = Schema;
export type Paths = Record<string, Record<string, Operation>>;

/** `none`: no token (liveness, this description); `token`: any valid token. */
export interface Access {
  scope: Scope | 'none' | 'token';
}

export interface OperationSpec {
  id: string;
  tag: string;
  summary: string;
  description?: string;
  access: Access;
  parameters?: Schema[];
  body?: Schema;
  /** The 200 response body. */
  ok: Schema;
  contentType?: string;
  /** Idempotent by request_id: may answer a replay, may conflict. */
  mutation?: boolean;
  /** Names an object that may not exist. */
  notFound?: boolean;
  /** The 202 body, when the call may be left pending (four-eyes activation). */
  accepted?: Schema;
  /** The 503 body, when it is not an Error (liveness). */
  unavailable?: Schema;
}

export function json(schema: Schema, contentType = 'application/json'): Schema {
  return { content: { [contentType]: { schema } } };
}

function errorRef(status: string): Schema {
  return { $ref: `#/components/responses/Error${status}` };
}

const ERROR_STATUSES: Record<string, string> = {
  '400': 'The request is invalid (INVALID_ARGUMENT and the other 400 codes); field_violations say where.',
  '401': 'No token, or an unknown one (UNAUTHENTICATED).',
  '403': 'The token lacks the scope (PERMISSION_DENIED).',
  '404': 'No such object (NOT_FOUND); details name the ids.',
  '409': 'ALREADY_EXISTS with a different definition, or REQUEST_ID_REUSED.',
  '413': 'The body exceeds the server body limit (PAYLOAD_TOO_LARGE).',
  '429': 'Too many requests in flight (RESOURCE_EXHAUSTED); retry after Retry-After seconds.',
  '503': 'Starting, draining, or storage unavailable (UNAVAILABLE); retry after Retry-After seconds.',
  default: 'An internal error (INTERNAL): a bug; the log line with the X-Request-Id has the cause.',
};

/** `components.responses`: one per error status, all with the Error body. */
export function errorResponses(c: SchemaComponents): Record<string, Schema> {
  const error = c.def('api/server', 'Error');
  const retry = {
    'Retry-After': { description: 'Seconds to wait before retrying.', schema: { type: 'integer' } },
  };
  return Object.fromEntries(
    Object.entries(ERROR_STATUSES).map(([status, description]) => [
      `Error${status}`,
      {
        description,
        ...(status === '429' || status === '503' ? { headers: retry } : {}),
        ...json(error),
      },
    ]),
  );
}

function security(access: Access): Schema[] {
  if (access.scope === 'none') return [];
  const roles = access.scope === 'token' ? [] : [access.scope];
  return [{ XAuthToken: roles }, { BearerToken: roles }];
}

function scopeText(access: Access): string {
  if (access.scope === 'none') return 'No token needed.';
  if (access.scope === 'token') return 'Any valid token.';
  return `Scope \`${access.scope}\` (or \`admin\`).`;
}

export function operation(spec: OperationSpec): Operation {
  const statuses: string[] = [];
  if (spec.access.scope !== 'none') statuses.push('400', '401', '403');
  if (spec.notFound) statuses.push('404');
  if (spec.mutation) statuses.push('409', '413');
  if (spec.access.scope !== 'none') statuses.push('429', '503');
  const ok: Schema = {
    description: spec.mutation
      ? 'The object. A replay of a recorded request answers the recorded response with Idempotent-Replay: true.'
      : 'OK',
    ...(spec.mutation
      ? {
          headers: {
            'Idempotent-Replay': {
              description:
                '`true` when this is the recorded response of an earlier request with this request_id.',
              schema: { const: 'true' },
            },
          },
        }
      : {}),
    ...json(spec.ok, spec.contentType),
  };
  const responses: Schema = { '200': ok };
  if (spec.accepted)
    responses['202'] = {
      description: 'Left pending: the server requires approval; another actor approves the stored request.',
      ...json(spec.accepted),
    };
  for (const s of statuses) responses[s] = errorRef(s);
  if (spec.unavailable)
    responses['503'] = { description: 'Draining, or storage unavailable.', ...json(spec.unavailable) };
  responses.default = errorRef('default');
  return {
    operationId: spec.id,
    tags: [spec.tag],
    summary: spec.summary,
    description: [spec.description, scopeText(spec.access)].filter(Boolean).join('\n\n'),
    ...(spec.parameters && spec.parameters.length > 0 ? { parameters: spec.parameters } : {}),
    security: security(spec.access),
    ...(spec.body ? { requestBody: { required: true, ...json(spec.body) } } : {}),
    responses,
    'x-strata-scope': spec.access.scope,
  };
}

export function pageParameters(): Schema[] {
  return [
    {
      name: 'page_size',
      in: 'query',
      description: 'Objects per page (default 50).',
      schema: { type: 'integer', minimum: 1, maximum: 1000 },
    },
    {
      name: 'page_token',
      in: 'query',
      description: 'The next_page_token of the previous page.',
      schema: { type: 'string' },
    },
  ];
}

/** A query parameter that may be repeated (`?ids=a&ids=b`). */
export function repeated(name: string, description: string, required = false): Schema {
  return {
    name,
    in: 'query',
    description,
    required,
    style: 'form',
    explode: true,
    schema: { type: 'array', items: { type: 'string' } },
  };
}

/** A page of objects: `{<key>: [...], next_page_token}`. */
export function listOf(c: SchemaComponents, name: string, key: string, item: Schema): Schema {
  return c.add(name, {
    type: 'object',
    required: [key, 'next_page_token'],
    additionalProperties: false,
    properties: { [key]: { type: 'array', items: item }, next_page_token: { type: 'string' } },
  });
}

export function mapOf(key: string, item: Schema): Schema {
  return {
    type: 'object',
    required: [key],
    additionalProperties: false,
    properties: { [key]: { type: 'object', additionalProperties: item } },
  };
}
