/**
 * The HTTP transport against a real server, in a file of its own: nock (imported by the client's
 * other tests) wraps node:http and opens a connection per request, so keep-alive is seen here.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VaultClient } from '../../src/client/client.js';
import { HttpTransport } from '../../src/client/transport.js';

let server: Server;
let url: string;
let handler: (req: IncomingMessage, res: ServerResponse) => void;
const sockets = new Set<Socket>();

beforeAll(async () => {
  server = createServer((req, res) => {
    sockets.add(req.socket);
    req.resume();
    req.on('end', () => handler(req, res));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('HttpTransport', () => {
  it('keeps connections alive: one socket for sequential requests, at most `connections` for parallel ones', async () => {
    sockets.clear();
    handler = (_req, res) => setTimeout(() => res.end('{}'), 5);
    const c = new VaultClient({ url, token: 't', connections: 3 });
    for (let i = 0; i < 5; i++) await c.request('GET', '/v1/calendars');
    expect(sockets.size).toBe(1);
    await Promise.all(Array.from({ length: 30 }, () => c.request('POST', '/v1/calendar', { x: 1 })));
    await c.close();
    expect(sockets.size).toBe(3);
  });

  it('sends a body with its length (not chunked) and reads a body that arrives in pieces', async () => {
    let seen: IncomingMessage['headers'] | undefined;
    handler = (req, res) => {
      seen = req.headers;
      res.write('{"a":');
      setTimeout(() => res.end('"é"}'), 5);
    };
    const t = new HttpTransport({ connections: 1, timeoutMs: 2000 });
    const body = Buffer.from('{"name":"é"}');
    const r = await t.send(
      'POST',
      url,
      '/v1/x',
      { 'content-type': 'application/json', 'content-length': String(body.length) },
      body,
    );
    await t.close();
    expect(seen?.['content-length']).toBe(String(body.length));
    expect(seen?.['transfer-encoding']).toBeUndefined();
    expect(r).toMatchObject({ status: 200, text: '{"a":"é"}' });
  });

  it('fails with ECONNRESET when the connection closes in the middle of the answer', async () => {
    handler = (req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('{"partial":');
      setTimeout(() => req.socket.destroy(), 10);
    };
    const t = new HttpTransport({ connections: 1, timeoutMs: 2000 });
    const err = await t.send('GET', url, '/v1/x', {}).catch((e: unknown) => e);
    await t.close();
    expect(err).toMatchObject({ code: 'ECONNRESET' });
  });
});
