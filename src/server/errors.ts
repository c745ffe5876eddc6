/**
 * The catalog of API error codes. Every error response is
 * `{ code, message, details, field_violations }` with one of these codes; the code fixes the HTTP
 * status. Codes never change meaning once released.
 */
export const ERROR_CATALOG = {
  INVALID_ARGUMENT: {
    status: 400,
    doc: 'The request is malformed or fails the JSON Schema of its type (field_violations say where), or a query parameter is invalid.',
  },
  UNRESOLVED_REFERENCE: {
    status: 400,
    doc: 'The body still contains `&{...}` references; the client must resolve them to server ids before sending.',
  },
  INVALID_VERSION: {
    status: 400,
    doc: 'Product version code without a valid top-level `version = "x.y.z"` (a semantic version). Code with syntax errors is INVALID_ARGUMENT, at product_version.code.',
  },
  VERSION_EXISTS: {
    status: 400,
    doc: 'That version number of the product already exists with different code, params or display fields; versions are immutable, bump the version.',
  },
  REFERENCE_NOT_FOUND: {
    status: 400,
    doc: 'The body names an object that does not exist (product of an internal account, calendar of an event, versions of a link...).',
  },
  INVALID_AMOUNT: {
    status: 400,
    doc: 'Ledger: an amount is not a decimal string (a JSON number, a sign where none is allowed, zero where a positive amount is needed) or is beyond the ledger range; the field violation names it.',
  },
  AMOUNT_PRECISION: {
    status: 400,
    doc: "Ledger: an amount has more decimal places than its denomination's exponent (GBP 2, JPY 0, BHD 3); amounts are never rounded.",
  },
  UNBALANCED_POSTINGS: {
    status: 400,
    doc: 'Ledger: the postings of a custom instruction do not net to zero per denomination, asset and phase.',
  },
  ACCOUNT_HAS_BALANCE: {
    status: 400,
    doc: 'Ledger: an account cannot close while any committed or pending balance is not zero (details list them).',
  },
  UNAUTHENTICATED: {
    status: 401,
    doc: 'No `X-Auth-Token` (or `Authorization: Bearer`) header, or an unknown token.',
  },
  PERMISSION_DENIED: {
    status: 403,
    doc: 'The token lacks the scope the call needs (details.required_scope).',
  },
  SAME_ACTOR_APPROVAL: {
    status: 403,
    doc: 'Four-eyes: an activation request is approved or rejected by a token of another actor (token name) than the one that requested it.',
  },
  NOT_FOUND: { status: 404, doc: 'No such object (details name the missing ids), or no such route.' },
  ALREADY_EXISTS: {
    status: 409,
    doc: 'An object with that id already exists with a different definition (details name it), or NEW_PRODUCT for an existing product.',
  },
  REQUEST_ID_REUSED: {
    status: 409,
    doc: 'The request_id was already used for a different request (method, path or body); use a new request_id.',
  },
  STALE_ACTIVATION: {
    status: 409,
    doc: 'Four-eyes: the activation request was made when another version was current (someone activated since); request again from the current version (details name both).',
  },
  ALREADY_DECIDED: {
    status: 409,
    doc: 'Four-eyes: the activation request was already approved or rejected (details.status).',
  },
  APPROVAL_REQUIRED: {
    status: 409,
    doc: 'Four-eyes: this server requires approval of activations, so a version cannot be created with a migration strategy that activates it; create it with ADD_VERSION and request its activation.',
  },
  PAYLOAD_TOO_LARGE: {
    status: 413,
    doc: 'The request body exceeds the server body limit (details.limit_bytes).',
  },
  RESOURCE_EXHAUSTED: {
    status: 429,
    doc: 'Too many requests in flight; retry after the `Retry-After` seconds.',
  },
  INTERNAL: {
    status: 500,
    doc: 'A bug or an unexpected storage failure; the log line with the request id has the cause.',
  },
  UNAVAILABLE: {
    status: 503,
    doc: 'The server is starting, draining for shutdown, or its storage is unreachable or contended; retry after `Retry-After` seconds.',
  },
} as const satisfies Record<string, { status: number; doc: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOG;

export interface FieldViolation {
  field: string;
  description: string;
}

export class ApiError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
    readonly fieldViolations: FieldViolation[] = [],
    /** Seconds, for 429 and 503. */
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = ERROR_CATALOG[code].status;
  }

  toJSON(): {
    code: string;
    message: string;
    details: Record<string, unknown>;
    field_violations: FieldViolation[];
  } {
    return {
      code: this.code,
      message: this.message,
      details: this.details,
      field_violations: this.fieldViolations,
    };
  }
}

export function invalid(
  message: string,
  violations: FieldViolation[] = [],
  details: Record<string, unknown> = {},
) {
  return new ApiError('INVALID_ARGUMENT', message, details, violations);
}
