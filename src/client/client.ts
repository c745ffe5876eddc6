/**
 * The one module that talks to a server: Node's fetch with an undici Agent as dispatcher
 * (keep-alive, a pool sized to the concurrency, connect/headers/body timeouts, TLS with a CA
 * file), retries with exponential backoff and full jitter on transient failures, honouring
 * Retry-After. Errors carry method, path, status, the server's code and field violations, and
 * never the token.
 */
import { readFileSync } from 'node:fs';
import { Agent } from 'undici';

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

function transportCode(err: unknown): string {
  const e = err as { name?: string; code?: string; cause?: { code?: string; name?: string } };
  const code = e.cause?.code ?? e.code ?? '';
  if (e.name === 'TimeoutError' || e.cause?.name === 'TimeoutError' || /TIMEOUT/.test(code)) return 'TIMEOUT';
  if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH/.test(code)) return 'UNREACHABLE';
  if (/ECONNRESET|EPIPE|UND_ERR_SOCKET|UND_ERR_CLOSED/.test(code)) return 'CONNECTION_RESET';
  if (/CERT|SELF_SIGNED|TLS|SSL|ERR_OSSL/.test(code)) return 'TLS_ERROR';
  return code || 'NETWORK_ERROR';
}

/** Retry-After in milliseconds: delta-seconds or an HTTP date. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (header === null) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, MAX_RETRY_AFTER_MS);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.min(Math.max(0, date - now), MAX_RETRY_AFTER_MS);
}

export class VaultClient {
  readonly #agent: Agent;
  readonly #base: string;
  readonly #apis: NonNullable<ClientOptions['apis']>;
  readonly #headers: Record<string, string>;
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
    this.#agent = new Agent({
      connections: options.connections ?? 8,
      keepAliveTimeout: 30_000,
      connectTimeout: this.#timeoutMs,
      headersTimeout: this.#timeoutMs,
      bodyTimeout: this.#timeoutMs,
      ...(options.caFile ? { connect: { ca: readFileSync(options.caFile) } } : {}),
    });
  }

  async close(): Promise<void> {
    await this.#agent.close();
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
      let res: Response;
      let text: string;
      try {
        res = await fetch(`${this.baseFor(path)}${path}`, {
          method,
          headers:
            body === undefined ? this.#headers : { ...this.#headers, 'content-type': 'application/json' },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          signal: AbortSignal.timeout(this.#timeoutMs),
          // @ts-expect-error: Node's fetch takes an undici dispatcher; the DOM types do not know it
          dispatcher: this.#agent,
        });
        text = await res.text();
      } catch (err) {
        const code = transportCode(err);
        const cause = (err as { cause?: { message?: string } }).cause?.message ?? (err as Error).message;
        last = new RequestError(method, path, 0, code, cause, [], undefined, attempt + 1);
        // A certificate that does not verify will not verify on the next try either.
        if (code === 'TLS_ERROR') throw last;
        continue;
      }
      let parsed: unknown = undefined;
      if (text !== '') {
        try {
          parsed = JSON.parse(text) as unknown;
        } catch {
          parsed = text;
        }
      }
      if (res.ok)
        return {
          status: res.status,
          body: parsed as T,
          replay: res.headers.get('idempotent-replay') === 'true',
        };
      const err = parsed as
        | { code?: string; message?: string; field_violations?: FieldViolation[]; details?: unknown }
        | undefined;
      const apiError = new RequestError(
        method,
        path,
        res.status,
        typeof err?.code === 'string' ? err.code : `HTTP_${res.status}`,
        typeof err?.message === 'string' ? err.message : res.statusText || 'request failed',
        Array.isArray(err?.field_violations) ? err.field_violations : [],
        err?.details,
        attempt + 1,
      );
      if (!RETRY_STATUS.has(res.status)) throw apiError;
      retryAfter = retryAfterMs(res.headers.get('retry-after'));
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
