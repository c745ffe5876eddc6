/**
 * The one module that talks to a server: requests over the HTTP transport (transport.ts:
 * keep-alive, a pool sized to the concurrency, one timeout per request covering connect, answer
 * and body, TLS with a CA file), retries with exponential backoff and full jitter on transient
 * failures, honouring Retry-After. Errors carry method, path, status, the server's code and field
 * violations, and never the token.
 */
import { readFileSync } from 'node:fs';
import { HttpTransport, type RawResponse } from './transport.js';

export interface ClientOptions {
  url: string;
  token: string;
  /** `x-auth-token` (default) or `bearer` (`Authorization: Bearer`, CLU's --jwt). */
  authScheme?: 'x-auth-token' | 'bearer';
  /** Base URLs for the workflows, access-control and payments APIs' calls (default: url). */
  apis?: { workflows?: string; accessControl?: string; payments?: string };
  caFile?: string | null;
  /** Per request (connect, headers, body each). */
  timeoutMs?: number;
  maxRetries?: number;
  /** Connections in the pool: the number of requests in flight. */
  connections?: number;
  userAgent?: string;
  /** Injected for tests: waiting and randomness. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  onRetry?: (event: RetryEvent) => void;
}

export interface RetryEvent {
  method: string;
  path: string;
  attempt: number;
  delayMs: number;
  reason: string;
}

export interface FieldViolation {
  field: string;
  description: string;
}

export interface ApiResponse<T = unknown> {
  status: number;
  body: T;
  /** The server replayed a stored response for this request_id. */
  replay: boolean;
}

/** Path families of Vault's access-control API (CLU's --access-control-api). */
const ACCESS_CONTROL = new Set(['roles', 'role-bindings', 'service-accounts', 'permissions', 'users']);

/** Transient: worth another try. */
const RETRY_STATUS = new Set([429, 502, 503, 504]);
const BASE_DELAY_MS = 200;
const MAX_DELAY_MS = 10_000;
const MAX_RETRY_AFTER_MS = 60_000;

/**
 * A request this client sent that failed: the server's error answer, or no answer (status 0).
 * (The server's own error type is `server/errors.ts` ApiError.)
 */
export class RequestError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    /** HTTP status, or 0 when no response arrived. */
    readonly status: number,
    /** The server's error code, or a transport code (UNREACHABLE, TIMEOUT, CONNECTION_RESET). */
    readonly code: string,
    message: string,
    readonly fieldViolations: FieldViolation[] = [],
    readonly details: unknown = undefined,
    readonly attempts = 1,
  ) {
    super(`${method} ${path}: ${status ? `${status} ` : ''}${code}: ${message}`);
    this.name = 'RequestError';
    this.detail = message;
  }

  /** The message without method, path and code: what went wrong, for messages that add their own prefix. */
  readonly detail: string;

  /** The server could not be reached, or refused who we are: nothing can be done this run. */
  get fatal(): boolean {
    return (
      this.status === 401 || this.status === 403 || this.code === 'UNREACHABLE' || this.code === 'TLS_ERROR'
    );
  }
}

/** The client's word for a failure without an answer (Node's error codes vary by platform and layer). */
export function transportCode(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  const c = typeof code === 'string' ? code : '';
  if (/TIMEOUT|ETIMEDOUT/.test(c)) return 'TIMEOUT';
  if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH/.test(c)) return 'UNREACHABLE';
  if (/ECONNRESET|EPIPE|ECONNABORTED/.test(c)) return 'CONNECTION_RESET';
  // EPROTO: an https:// URL of a server that answers in plain HTTP (wrong version number).
  if (/CERT|SELF_SIGNED|TLS|SSL|ERR_OSSL|UNABLE_TO_VERIFY|EPROTO/.test(c)) return 'TLS_ERROR';
  return c || 'NETWORK_ERROR';
}

/** Retry-After in milliseconds: delta-seconds or an HTTP date. */
export function retryAfterMs(header: string | null | undefined, now = Date.now()): number | undefined {
  if (header === null || header === undefined) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, MAX_RETRY_AFTER_MS);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.min(Math.max(0, date - now), MAX_RETRY_AFTER_MS);
}

/** JSON when it parses, else the text itself (a proxy's error page); undefined when empty. */
function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** The RequestError of a non-2xx answer: the server's code, message and field violations when it gave them. */
function answerError(
  method: string,
  path: string,
  res: RawResponse,
  parsed: unknown,
  attempts: number,
): RequestError {
  const location = res.headers.location;
  if (res.status >= 300 && res.status < 400 && location)
    // Not followed: the token would go wherever the server points.
    return new RequestError(
      method,
      path,
      res.status,
      `HTTP_${res.status}`,
      `redirected to ${location} (not followed)`,
      [],
      undefined,
      attempts,
    );
  const err = parsed as
    { code?: string; message?: string; field_violations?: FieldViolation[]; details?: unknown } | undefined;
  return new RequestError(
    method,
    path,
    res.status,
    typeof err?.code === 'string' ? err.code : `HTTP_${res.status}`,
    typeof err?.message === 'string' ? err.message : res.statusText || 'request failed',
    Array.isArray(err?.field_violations) ? err.field_violations : [],
    err?.details,
    attempts,
  );
}

export class VaultClient {
  readonly #transport: HttpTransport;
  readonly #base: string;
  readonly #apis: NonNullable<ClientOptions['apis']>;
  readonly #headers: Record<string, string>;
  readonly #jsonHeaders: Record<string, string>;
  readonly #timeoutMs: number;
  readonly #maxRetries: number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #random: () => number;
  readonly #onRetry: ((e: RetryEvent) => void) | undefined;

  constructor(options: ClientOptions) {
    this.#base = options.url.replace(/\/+$/, '');
    this.#apis = options.apis ?? {};
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#maxRetries = options.maxRetries ?? 5;
    this.#sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.#random = options.random ?? Math.random;
    this.#onRetry = options.onRetry;
    this.#headers = {
      ...(options.authScheme === 'bearer'
        ? { authorization: `Bearer ${options.token}` }
        : { 'x-auth-token': options.token }),
      'user-agent': options.userAgent ?? 'strata',
      accept: 'application/json',
    };
    this.#jsonHeaders = { ...this.#headers, 'content-type': 'application/json' };
    this.#transport = new HttpTransport({
      connections: options.connections ?? 8,
      timeoutMs: this.#timeoutMs,
      ...(options.caFile ? { ca: readFileSync(options.caFile) } : {}),
    });
  }

  /** Lets requests in flight finish, then closes the pooled connections (kept alive between requests). */
  close(): Promise<void> {
    return this.#transport.close();
  }

  /** The base URL a path's API family is served from (CLU's --workflows-api and friends). */
  baseFor(path: string): string {
    const family = /^\/v1\/([a-z-]+)/.exec(path)?.[1] ?? '';
    const base = family.startsWith('workflow-')
      ? this.#apis.workflows
      : ACCESS_CONTROL.has(family)
        ? this.#apis.accessControl
        : family.startsWith('payment-')
          ? this.#apis.payments
          : undefined;
    return (base ?? this.#base).replace(/\/+$/, '');
  }

  /** One attempt: the request to the path's API base, with the token and, for a body, its type and length. */
  #send(method: string, path: string, payload: Buffer | undefined): Promise<RawResponse> {
    const headers =
      payload === undefined
        ? this.#headers
        : { ...this.#jsonHeaders, 'content-length': String(payload.length) };
    return this.#transport.send(method, this.baseFor(path), path, headers, payload);
  }

  /**
   * One API call, retried while the failure is transient (`retries` overrides the client's
   * --max-retries for this call). Non-2xx answers throw RequestError.
   */
  async request<T = unknown>(
    method: 'GET' | 'POST' | 'PUT',
    path: string,
    body?: unknown,
    options: { retries?: number } = {},
  ): Promise<ApiResponse<T>> {
    const retries = options.retries ?? this.#maxRetries;
    // Serialised once, not per attempt.
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    let last: RequestError | undefined;
    // The server's Retry-After for the last answer, when it gave one.
    let retryAfter: number | undefined;
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (attempt > 0 && last) {
        // Full jitter: a random wait up to the exponential bound, so retrying clients spread out.
        const delayMs =
          retryAfter ?? this.#random() * Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** (attempt - 1));
        this.#onRetry?.({ method, path, attempt, delayMs, reason: `${last.code}: ${last.detail}` });
        await this.#sleep(delayMs);
      }
      retryAfter = undefined;
      let res: RawResponse;
      try {
        res = await this.#send(method, path, payload);
      } catch (err) {
        const code = transportCode(err);
        last = new RequestError(method, path, 0, code, (err as Error).message, [], undefined, attempt + 1);
        // A certificate that does not verify will not verify on the next try either.
        if (code === 'TLS_ERROR') throw last;
        continue;
      }
      const parsed = parseBody(res.text);
      if (res.status >= 200 && res.status < 300)
        return { status: res.status, body: parsed as T, replay: res.headers['idempotent-replay'] === 'true' };
      const apiError = answerError(method, path, res, parsed, attempt + 1);
      if (!RETRY_STATUS.has(res.status)) throw apiError;
      retryAfter = retryAfterMs(res.headers['retry-after']);
      last = apiError;
    }
    const final = last as RequestError;
    throw new RequestError(
      final.method,
      final.path,
      final.status,
      final.code,
      `${final.detail} (gave up after ${retries + 1} attempts)`,
      final.fieldViolations,
      undefined,
      retries + 1,
    );
  }
}
