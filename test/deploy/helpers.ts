/** A server in this process on a fresh SQLite file, listening on a free port, for import tests. */
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildApp } from '../../src/server/app.js';
import { issueToken } from '../../src/server/auth.js';
import { sqliteFactory, type StorageFactory } from '../storage/factories.js';
import { RESOURCE_TYPES, resourceSpec } from '../../src/resource/index.js';

export interface TestServer {
  url: string;
  token: string;
  close(): Promise<void>;
}

export async function sqliteServer(): Promise<TestServer> {
  return testServer(sqliteFactory);
}

/** A server on a fresh storage from `factory` (SQLite file, or a PostgreSQL schema). */
export async function testServer(factory: StorageFactory): Promise<TestServer> {
  const { storage, cleanup } = await factory.create();
  const { token } = await issueToken(storage, { scopes: ['admin'], name: 'test' });
  const app = buildApp({ storage });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`,
    token,
    async close() {
      await app.close();
      await cleanup();
    },
  };
}

/**
 * Everything the server holds, comparable across servers: server-generated ids and timestamps
 * are replaced by the natural keys they stand for, lists are sorted.
 */
export async function snapshot(server: TestServer): Promise<Record<string, string[]>> {
  const get = async (path: string) => {
    const res = await fetch(`${server.url}${path}`, { headers: { 'x-auth-token': server.token } });
    return (await res.json()) as Record<string, unknown>;
  };
  // Generated ids differ between servers, also where references put them inside code.
  const generated = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
  const normalise = (v: unknown): unknown => {
    if (typeof v === 'string') return v.replace(generated, '<generated>');
    if (Array.isArray(v)) return v.map(normalise);
    if (v && typeof v === 'object') {
      return Object.fromEntries(
        Object.entries(v)
          .filter(([k]) => !k.endsWith('_timestamp'))
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([k, x]) => [k, normalise(x)]),
      );
    }
    return v;
  };
  const out: Record<string, string[]> = {};
  for (const type of RESOURCE_TYPES) {
    const { paths, views } = resourceSpec(type);
    const path = `${paths.list}?page_size=1000${views ? `&view=${views.full}` : ''}`;
    const body = await get(path);
    const list = Object.values(body).find(Array.isArray) as unknown[];
    out[type] = list.map((o) => JSON.stringify(normalise(o))).sort();
  }
  const products = Object.values(await get('/v1/products?page_size=1000')).find(Array.isArray) as unknown[];
  out.PRODUCTS = products.map((o) => JSON.stringify(normalise(o))).sort();
  return out;
}

/** An HTTP proxy that holds every response `delayMs` (a remote environment's latency). */
export async function latencyProxy(
  target: string,
  delayMs: number,
): Promise<{ url: string; close(): Promise<void> }> {
  const to = new URL(target);
  const server: Server = createServer((req, res) => {
    const upstream = httpRequest(
      { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers },
      (up) => {
        const chunks: Buffer[] = [];
        up.on('data', (c: Buffer) => chunks.push(c));
        up.on('end', () =>
          setTimeout(() => {
            res.writeHead(up.statusCode ?? 502, up.headers);
            res.end(Buffer.concat(chunks));
          }, delayMs),
        );
      },
    );
    upstream.on('error', () => {
      res.statusCode = 502;
      res.end();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
