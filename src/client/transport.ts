/**
 * One HTTP exchange, nothing more: node:http(s) on keep-alive agents (one per scheme, at most
 * `connections` sockets per origin), one socket timeout that covers connecting, waiting for the
 * answer and every pause in its body, and the answer read whole as text. Retries, JSON and
 * error mapping are the client's (client.ts).
 *
 * Not WHATWG fetch: its streams, Request/Response objects and a signal per request cost about
 * 1 ms of CPU per request, more than the rest of an import's work on a resource. Not undici
 * either: loading it costs ~0.2 s of CPU per process, and node:http is as fast once warm.
 * node:http is also what nock intercepts, so tests inject faults into the real code path.
 */
import http from 'node:http';
import https from 'node:https';

export interface TransportOptions {
  /** Sockets per origin: the number of requests in flight. */
  connections: number;
  /** Per request: connecting, the answer's headers, and every pause in its body. */
  timeoutMs: number;
  /** Certificates to trust for https (--ca-file). */
  ca?: Buffer;
}

export interface RawResponse {
  status: number;
  statusText: string;
  headers: http.IncomingHttpHeaders;
  text: string;
}

interface Origin {
  secure: boolean;
  hostname: string;
  port: string;
  /** The base URL's path (a server mounted under a prefix), without a trailing slash. */
  prefix: string;
}

/** A transport error with a code the client maps (client.ts transportCode). */
function codedError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

export class HttpTransport {
  readonly #http: http.Agent;
  readonly #https: https.Agent;
  readonly #timeoutMs: number;
  readonly #origins = new Map<string, Origin>();
  readonly #inFlight = new Set<Promise<unknown>>();

  constructor(options: TransportOptions) {
    const pool = { keepAlive: true, maxSockets: options.connections, maxFreeSockets: options.connections };
    this.#http = new http.Agent(pool);
    this.#https = new https.Agent({ ...pool, ...(options.ca ? { ca: options.ca } : {}) });
    this.#timeoutMs = options.timeoutMs;
  }

  /** Lets the requests in flight finish, then closes every socket. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.#inFlight]);
    this.#http.destroy();
    this.#https.destroy();
  }

  #origin(base: string): Origin {
    let origin = this.#origins.get(base);
    if (!origin) {
      const u = new URL(base);
      origin = {
        secure: u.protocol === 'https:',
        // An IPv6 literal keeps its brackets in a URL, not in a host name.
        hostname: u.hostname.replace(/^\[(.*)\]$/, '$1'),
        port: u.port,
        prefix: u.pathname.replace(/\/+$/, ''),
      };
      this.#origins.set(base, origin);
    }
    return origin;
  }

  /** Sends one request to `base` + `path` and reads the whole answer, whatever its status (redirects are answers too). */
  send(
    method: string,
    base: string,
    path: string,
    headers: http.OutgoingHttpHeaders,
    body?: Buffer,
  ): Promise<RawResponse> {
    const exchange = this.#exchange(method, this.#origin(base), path, headers, body);
    this.#inFlight.add(exchange);
    const forget = () => this.#inFlight.delete(exchange);
    exchange.then(forget, forget);
    return exchange;
  }

  #exchange(
    method: string,
    origin: Origin,
    path: string,
    headers: http.OutgoingHttpHeaders,
    body: Buffer | undefined,
  ): Promise<RawResponse> {
    const timeoutMs = this.#timeoutMs;
    return new Promise((resolve, reject) => {
      let timedOut: Error | undefined;
      const fail = (err: Error) => reject(timedOut ?? err);
      const req = (origin.secure ? https : http).request(
        {
          protocol: origin.secure ? 'https:' : 'http:',
          hostname: origin.hostname,
          port: origin.port,
          path: `${origin.prefix}${path}`,
          method,
          headers,
          agent: origin.secure ? this.#https : this.#http,
          timeout: timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              statusText: res.statusMessage ?? '',
              headers: res.headers,
              text: (chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)).toString('utf8'),
            }),
          );
          res.on('error', fail);
          res.on('close', () => {
            if (!res.complete)
              fail(codedError('ECONNRESET', 'the connection closed in the middle of the answer'));
          });
        },
      );
      req.on('timeout', () => {
        timedOut = codedError('TIMEOUT', `no answer within ${timeoutMs} ms`);
        req.destroy(timedOut);
      });
      req.on('error', fail);
      req.end(body);
    });
  }
}
