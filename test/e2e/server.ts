/** A real server for the command-line tests, with tokens of chosen scopes, and a few run helpers. */
import { spawn } from 'node:child_process';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { buildApp } from '../../src/server/app.js';
import { issueToken, type Scope } from '../../src/server/auth.js';
import { sqliteFactory } from '../storage/factories.js';

export const root = join(import.meta.dirname, '..', '..');
export const bin = join(root, 'bin', 'run.js');

export interface ScopedServer {
  url: string;
  token(scopes: Scope[], name?: string): Promise<string>;
  /** Registers a given token (a canary) with scopes. */
  register(token: string, scopes: Scope[]): Promise<void>;
  /** Objects of every kind the server holds (0 after a refused import). */
  objectCount(): Promise<number>;
  close(): Promise<void>;
}

export async function scopedServer(): Promise<ScopedServer> {
  const { storage, cleanup } = await sqliteFactory.create();
  const admin = (await issueToken(storage, { scopes: ['admin'], name: 'admin' })).token;
  const app = buildApp({ storage });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  return {
    url,
    token: async (scopes, name = scopes.join('+')) => (await issueToken(storage, { scopes, name })).token,
    register: async (token, scopes) => {
      await issueToken(storage, { scopes, name: 'canary', token });
    },
    async objectCount() {
      let n = 0;
      for (const path of [
        '/v1/flag-definitions',
        '/v1/products',
        '/v1/internal-accounts',
        '/v1/account-schedule-tags',
      ]) {
        const body = (await (
          await fetch(`${url}${path}?page_size=1000`, { headers: { 'x-auth-token': admin } })
        ).json()) as Record<string, unknown>;
        n += (Object.values(body).find(Array.isArray) as unknown[] | undefined)?.length ?? 0;
      }
      return n;
    },
    async close() {
      await app.close();
      await cleanup();
    },
  };
}

/** An HTTP server answering with `handler` (a proxy, or something that is not a Vault API). */
export async function httpServer(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/**
 * A proxy to `target` that first offers each request to `intercept`: when it returns true it has
 * answered the request (or chosen never to), else the request and its answer pass through.
 */
export function interceptingProxy(
  target: string,
  intercept: (req: IncomingMessage, res: ServerResponse) => boolean,
) {
  const to = new URL(target);
  return httpServer((req, res) => {
    if (intercept(req, res)) return;
    const up = httpRequest(
      { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    req.pipe(up);
  });
}

/** A proxy to `target` that answers 404 to the paths `missing` matches (an older server). */
export function proxy(target: string, missing: RegExp) {
  return interceptingProxy(target, (req, res) => {
    if (!missing.test(req.url ?? '')) return false;
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ code: 'NOT_FOUND', message: `no route ${req.method} ${req.url}` }));
    return true;
  });
}

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built binary asynchronously (the server lives in this process's event loop). */
export function strata(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  cwd = root,
  input?: string,
): Promise<Run> {
  return new Promise((resolve) => {
    const clean = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !/^(STRATA_|CLU_)/.test(k) || k === 'STRATA_TEST_PG_URL'),
    );
    const child = spawn(process.execPath, [bin, ...args], {
      cwd,
      env: { ...clean, NO_COLOR: '1', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdin.end(input ?? '');
    child.on('exit', (status) => resolve({ status, stdout, stderr }));
  });
}

/**
 * A proxy to `target` that answers `status` with a server error body to the requests `fails`
 * matches (a server refusing one kind of request), and passes the rest through.
 */
export function faultProxy(
  target: string,
  fails: (method: string, url: string) => boolean,
  status = 400,
  code = 'INVALID_ARGUMENT',
) {
  return interceptingProxy(target, (req, res) => {
    if (!fails(req.method ?? 'GET', req.url ?? '')) return false;
    req.resume();
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ code, message: `refused by the test: ${req.method} ${req.url}` }));
    return true;
  });
}
