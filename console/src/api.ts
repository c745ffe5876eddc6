/**
 * The HTTP API, as any client calls it: JSON over fetch with the token in the X-Auth-Token header.
 * Errors of the server's catalog become `ApiFailure`; a 401 also tells the app to return to login.
 */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export interface ApiResponse<T> {
  status: number;
  body: T;
}

type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** A request id for a write: unique per confirmed action, so a retry is not applied twice. */
export function newRequestId(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

// API answers never come from the browser's cache. Spread in, because Node's RequestInit (the
// tests' typecheck compiles this file too) has no `cache`.
const NO_STORE = { cache: 'no-store' } as const;

export class Api {
  constructor(
    readonly token: string,
    private readonly onUnauthenticated: () => void,
    private readonly fetchImpl: FetchLike = (input, init) => fetch(input, init),
  ) {}

  get<T>(path: string): Promise<T> {
    return this.call<T>('GET', path).then((r) => r.body);
  }

  post<T>(path: string, body: unknown): Promise<ApiResponse<T>> {
    return this.call<T>('POST', path, body);
  }

  /** Every page of a list endpoint, following next_page_token. */
  all<T>(path: string, key: string, pageSize = 1000): Promise<T[]> {
    return new Pages<T>(this, path, key, pageSize).read();
  }

  /** The raw response of a request with this token (the event stream reads its body). */
  async open(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set('x-auth-token', this.token);
    const res = await this.fetchImpl(path, { ...init, headers, ...NO_STORE });
    if (res.status === 401) this.onUnauthenticated();
    return res;
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<ApiResponse<T>> {
    const init: RequestInit = { method };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      init.headers = { 'content-type': 'application/json' };
    }
    const res = await this.open(path, init);
    const text = await res.text();
    const parsed = parseBody(text);
    if (res.status >= 400) throw failureOf(res.status, parsed, text);
    return { status: res.status, body: parsed as T };
  }
}

/**
 * A list endpoint read page by page (following next_page_token), keeping what was read: `read(n)`
 * fetches only the pages it does not hold yet, until it holds n (or the last).
 */
export class Pages<T> {
  readonly items: T[] = [];
  /** The next page's token; undefined once the last page was read. */
  #token: string | undefined = '';
  #pages = 0;

  constructor(
    private readonly api: Api,
    private readonly path: string,
    private readonly key: string,
    private readonly pageSize = 1000,
  ) {}

  /** Whether there are pages after those read. */
  get more(): boolean {
    return this.#token !== undefined;
  }

  async read(pages = Infinity): Promise<T[]> {
    const join = this.path.includes('?') ? '&' : '?';
    while (this.#pages < pages && this.#token !== undefined) {
      const token = this.#token === '' ? '' : `&page_token=${encodeURIComponent(this.#token)}`;
      const page = await this.api.get<Record<string, unknown>>(
        `${this.path}${join}page_size=${this.pageSize}${token}`,
      );
      this.items.push(...((page[this.key] as T[] | undefined) ?? []));
      const next = page['next_page_token'];
      this.#token = typeof next === 'string' && next !== '' ? next : undefined;
      this.#pages += 1;
    }
    return this.items;
  }
}

function parseBody(text: string): unknown {
  if (text === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function failureOf(status: number, parsed: unknown, text: string): ApiFailure {
  const e = (parsed ?? {}) as { code?: unknown; message?: unknown; details?: unknown };
  const code = typeof e.code === 'string' ? e.code : `HTTP_${status}`;
  const message = typeof e.message === 'string' ? e.message : text.slice(0, 200) || `HTTP ${status}`;
  const details = typeof e.details === 'object' && e.details !== null ? e.details : {};
  return new ApiFailure(status, code, message, details as Record<string, unknown>);
}

/** One path segment, encoded (ids may contain characters that mean something in a URL). */
export function seg(id: string): string {
  return encodeURIComponent(id);
}
