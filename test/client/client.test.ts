import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  RequestError,
  retryAfterMs,
  transportCode,
  VaultClient,
  type ClientOptions,
  type RetryEvent,
} from '../../src/client/client.js';

const TOKEN = 'tok-5ecret';
const waits: number[] = [];
const retries: RetryEvent[] = [];
const client = (url: string, extra: Partial<ClientOptions> = {}) =>
  new VaultClient({
    url,
    token: TOKEN,
    maxRetries: 4,
    timeoutMs: 2000,
    userAgent: 'strata/test',
    sleep: async (ms) => {
      waits.push(ms);
    },
    random: () => 0.5,
    onRetry: (e) => retries.push(e),
    ...extra,
  });

afterEach(() => {
  waits.length = 0;
  retries.length = 0;
  nock.cleanAll();
});

describe('VaultClient against a real HTTP server', () => {
  let server: Server;
  let url: string;
  let handler: (req: IncomingMessage, res: ServerResponse, body: string) => void;
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => handler(req, res, body));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('sends the token, a strata user agent and a JSON body, and reads JSON back', async () => {
    let seen: { headers: IncomingMessage['headers']; body: string } | undefined;
    handler = (req, res, body) => {
      seen = { headers: req.headers, body };
      res.setHeader('content-type', 'application/json');
      res.setHeader('idempotent-replay', 'true');
      res.end('{"id":"x"}');
    };
    const c = client(url);
    const r = await c.request('POST', '/v1/flag-definitions', { request_id: 'r1' });
    await c.close();
    expect(r).toEqual({ status: 200, body: { id: 'x' }, replay: true });
    expect(seen?.headers['x-auth-token']).toBe(TOKEN);
    expect(seen?.headers['user-agent']).toBe('strata/test');
    expect(JSON.parse(seen?.body ?? '')).toEqual({ request_id: 'r1' });
  });

  it('does not retry a 400, and its error carries the code and field violations but never the token', async () => {
    let calls = 0;
    handler = (_req, res) => {
      calls++;
      res.statusCode = 400;
      res.end(
        JSON.stringify({
          code: 'INVALID_ARGUMENT',
          message: 'bad',
          field_violations: [{ field: 'x.y', description: 'no' }],
        }),
      );
    };
    const c = client(url);
    const err = (await c.request('POST', '/v1/calendar', {}).catch((e: unknown) => e)) as RequestError;
    await c.close();
    expect(calls).toBe(1);
    expect(err).toBeInstanceOf(RequestError);
    expect(err).toMatchObject({
      method: 'POST',
      path: '/v1/calendar',
      status: 400,
      code: 'INVALID_ARGUMENT',
      fatal: false,
    });
    expect(err.fieldViolations).toEqual([{ field: 'x.y', description: 'no' }]);
    expect(`${err.message} ${err.stack} ${JSON.stringify(err)}`).not.toContain(TOKEN);
  });

  it('treats 401 and 403 as fatal', async () => {
    handler = (_req, res) => {
      res.statusCode = 401;
      res.end('{"code":"UNAUTHENTICATED","message":"no token"}');
    };
    const c = client(url);
    const err = (await c.request('GET', '/v1/flag-definitions').catch((e: unknown) => e)) as RequestError;
    await c.close();
    expect(err.fatal).toBe(true);
    expect(waits).toEqual([]);
  });

  it('retries a connection reset in the middle of the body', async () => {
    let calls = 0;
    handler = (req, res) => {
      calls++;
      if (calls === 1) {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
        res.write('{"partial":');
        setTimeout(() => req.socket.destroy(), 10);
        return;
      }
      res.end('{"ok":true}');
    };
    const c = client(url);
    const r = await c.request('GET', '/v1/flag-definitions');
    await c.close();
    expect(r.body).toEqual({ ok: true });
    expect(calls).toBe(2);
    expect(retries[0]?.reason).toMatch(/CONNECTION_RESET|TERMINATED|NETWORK|terminated/i);
  });

  it('retries a request that times out', async () => {
    let calls = 0;
    handler = (_req, res) => {
      calls++;
      if (calls === 1) return; // never answers
      res.end('{"ok":true}');
    };
    const c = client(url, { timeoutMs: 200 });
    const r = await c.request('GET', '/v1/calendars');
    await c.close();
    expect(r.body).toEqual({ ok: true });
    expect(retries[0]?.reason).toContain('TIMEOUT');
  });

  it('times out an answer whose body stops coming, and retries it', async () => {
    let calls = 0;
    handler = (_req, res) => {
      calls++;
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      if (calls === 1)
        res.write('{"partial":'); // and nothing more
      else res.end(`{"ok":true}${' '.repeat(89)}`);
    };
    const c = client(url, { timeoutMs: 200 });
    const r = await c.request('GET', '/v1/calendars');
    await c.close();
    expect(r.body).toEqual({ ok: true });
    expect(calls).toBe(2);
    expect(retries[0]?.reason).toMatch(/^TIMEOUT: no answer within 200 ms/);
  });

  it('does not follow a redirect (the token would go with it), and says where it points', async () => {
    const seen: string[] = [];
    handler = (req, res) => {
      seen.push(req.url ?? '');
      res.writeHead(301, { location: 'https://elsewhere.test/v1/calendars' });
      res.end();
    };
    const c = client(url);
    const err = (await c.request('GET', '/v1/calendars').catch((e: unknown) => e)) as RequestError;
    await c.close();
    expect(seen).toEqual(['/v1/calendars']);
    expect(err).toMatchObject({ status: 301, code: 'HTTP_301' });
    expect(err.detail).toBe('redirected to https://elsewhere.test/v1/calendars (not followed)');
  });

  it('sends requests under the path of a base URL mounted under a prefix', async () => {
    const seen: string[] = [];
    handler = (req, res) => {
      seen.push(req.url ?? '');
      res.end('{}');
    };
    const c = client(`${url}/vault/`, { apis: { workflows: `${url}/wf` } });
    await c.request('GET', '/v1/calendars?page_size=2');
    await c.request('GET', '/v1/workflow-definitions');
    await c.close();
    expect(seen).toEqual(['/vault/v1/calendars?page_size=2', '/wf/v1/workflow-definitions']);
  });

  it('lets requests in flight finish when closed', async () => {
    handler = (_req, res) => setTimeout(() => res.end('{"late":true}'), 100);
    const c = client(url);
    const pending = c.request('GET', '/v1/calendars');
    await new Promise((r) => setTimeout(r, 20));
    await c.close();
    expect((await pending).body).toEqual({ late: true });
  });

  it('says UNREACHABLE, fatally, when nothing listens', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const c = client(`http://127.0.0.1:${port}`, { maxRetries: 1 });
    const err = (await c.request('GET', '/v1/calendars').catch((e: unknown) => e)) as RequestError;
    await c.close();
    expect(err.code).toBe('UNREACHABLE');
    expect(err.fatal).toBe(true);
    expect(err.message).toContain('gave up after 2 attempts');
  });
});

describe('VaultClient with injected faults (nock)', () => {
  const base = 'http://vault.test';

  it('retries three 503s, then succeeds, with exponential full-jitter waits', async () => {
    nock(base).get('/v1/calendars').times(3).reply(503, { code: 'UNAVAILABLE', message: 'draining' });
    nock(base).get('/v1/calendars').reply(200, { calendars: [] });
    const c = client(base);
    const r = await c.request('GET', '/v1/calendars');
    await c.close();
    expect(r.body).toEqual({ calendars: [] });
    expect(waits).toEqual([100, 200, 400]);
  });

  it('waits what Retry-After says after a 429', async () => {
    nock(base)
      .post('/v1/calendar')
      .reply(429, { code: 'RESOURCE_EXHAUSTED', message: 'slow down' }, { 'Retry-After': '3' });
    nock(base).post('/v1/calendar').reply(200, { id: 'c' });
    const c = client(base);
    await c.request('POST', '/v1/calendar', {});
    await c.close();
    expect(waits).toEqual([3000]);
  });

  it('gives up on a server that never recovers, with the last error', async () => {
    nock(base).get('/v1/calendars').times(5).reply(502, { code: 'BAD_GATEWAY', message: 'upstream down' });
    const c = client(base);
    const err = (await c.request('GET', '/v1/calendars').catch((e: unknown) => e)) as RequestError;
    await c.close();
    expect(err).toMatchObject({ status: 502, code: 'BAD_GATEWAY', attempts: 5 });
    expect(err.message).toContain('upstream down (gave up after 5 attempts)');
    expect(waits).toHaveLength(4);
  });

  it('retries a connection reset before any response', async () => {
    nock(base).get('/v1/calendars').replyWithError({ code: 'ECONNRESET', message: 'socket hang up' });
    nock(base).get('/v1/calendars').reply(200, {});
    const c = client(base);
    await c.request('GET', '/v1/calendars');
    await c.close();
    expect(retries).toHaveLength(1);
  });
});

describe('transportCode', () => {
  it("maps Node's error codes to the client's words", () => {
    const code = (c: string | undefined) => transportCode(Object.assign(new Error('x'), { code: c }));
    expect(code('TIMEOUT')).toBe('TIMEOUT');
    expect(code('ETIMEDOUT')).toBe('TIMEOUT');
    for (const c of ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'])
      expect(code(c)).toBe('UNREACHABLE');
    for (const c of ['ECONNRESET', 'EPIPE', 'ECONNABORTED']) expect(code(c)).toBe('CONNECTION_RESET');
    for (const c of [
      'DEPTH_ZERO_SELF_SIGNED_CERT',
      'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      'ERR_TLS_CERT_ALTNAME_INVALID',
      'EPROTO',
      'ERR_SSL_WRONG_VERSION_NUMBER',
    ])
      expect(code(c)).toBe('TLS_ERROR');
    expect(code('EWHATEVER')).toBe('EWHATEVER');
    expect(code(undefined)).toBe('NETWORK_ERROR');
  });
});

describe('retryAfterMs', () => {
  it('reads seconds and HTTP dates, and caps them', () => {
    expect(retryAfterMs('2')).toBe(2000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(retryAfterMs('99999')).toBe(60_000);
    expect(retryAfterMs(null)).toBeUndefined();
    expect(retryAfterMs('soon')).toBeUndefined();
  });
});

describe('VaultClient over HTTPS', () => {
  it('trusts a server certificate signed by --ca-file, and refuses it (fatally, without retrying) otherwise', async (ctx) => {
    const { spawnSync } = await import('node:child_process');
    const { mkdtempSync, readFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { createServer: createHttps } = await import('node:https');
    const dir = mkdtempSync(join(tmpdir(), 'strata-tls-'));
    const made = spawnSync('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ]);
    if (made.status !== 0) {
      console.warn('SKIPPED: openssl is not available to make a throwaway certificate');
      ctx.skip();
    }
    const server = createHttps(
      { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) },
      (_req, res) => res.end('{"tls":true}'),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const trusted = client(url, { caFile: join(dir, 'cert.pem') });
      expect((await trusted.request('GET', '/v1/vault-version')).body).toEqual({ tls: true });
      await trusted.close();
      const untrusted = client(url);
      const err = (await untrusted
        .request('GET', '/v1/vault-version')
        .catch((e: unknown) => e)) as RequestError;
      await untrusted.close();
      expect(err.code).toBe('TLS_ERROR');
      expect(err.fatal).toBe(true);
      expect(waits).toEqual([]);
    } finally {
      server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says TLS_ERROR, without retrying, for an https URL of a plain HTTP server', async () => {
    const server = createServer((_req, res) => res.end('{}'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const c = client(`https://127.0.0.1:${(server.address() as AddressInfo).port}`);
      const err = (await c.request('GET', '/v1/vault-version').catch((e: unknown) => e)) as RequestError;
      await c.close();
      expect(err).toMatchObject({ status: 0, code: 'TLS_ERROR', fatal: true, attempts: 1 });
      expect(waits).toEqual([]);
    } finally {
      server.close();
    }
  });
});
