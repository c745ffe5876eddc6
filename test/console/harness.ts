/**
 * A real `strata server start` (the built CLI, SQLite in a temporary directory) with the example
 * bundle imported and ledger data posted, for the console's browser tests; and the browser:
 * Debian's Chromium driven by playwright-core.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'bin', 'run.js');

/** Where Chromium is: STRATA_CHROMIUM, else Debian's package. Undefined when there is none. */
export function findChromium(): string | undefined {
  const candidates = [process.env['STRATA_CHROMIUM'], '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  return candidates.find((p): p is string => p !== undefined && p !== '' && existsSync(p));
}

/** Screenshots for the reviewer: STRATA_SCREENSHOTS, else test/console/screenshots (git-ignored). */
export function screenshotDir(): string {
  const dir = process.env['STRATA_SCREENSHOTS'] ?? join(root, 'test', 'console', 'screenshots');
  mkdirSync(dir, { recursive: true });
  return dir;
}

export interface RunningServer {
  url: string;
  dataDir: string;
  adminToken: string;
  /** A token of the given scopes, made with `strata server token create` on the server's data dir. */
  token(name: string, scopes: string[]): string;
  /** A call to the API with a token. */
  call(method: string, path: string, token: string, body?: unknown): Promise<{ status: number; body: Json }>;
  stop(): Promise<void>;
}

export type Json = Record<string, unknown>;

function strata(args: string[], env: NodeJS.ProcessEnv = {}): string {
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd: root,
    env: { ...process.env, NO_COLOR: '1', ...env },
    encoding: 'utf8',
  });
  if (r.status !== 0)
    throw new Error(`strata ${args.join(' ')} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

function listening(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start in 30 s:\n${out}`)), 30_000);
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (https?:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => reject(new Error(`server exited ${code} before listening:\n${out}`)));
  });
}

export async function startServer(extraArgs: string[] = []): Promise<RunningServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'strata-console-'));
  const adminToken = `strata_console_${randomBytes(12).toString('hex')}`;
  const child = spawn(
    process.execPath,
    [bin, 'server', 'start', '--port', '0', '--data-dir', join(dataDir, 'server'), '--quiet', ...extraArgs],
    {
      cwd: root,
      env: { ...process.env, STRATA_BOOTSTRAP_TOKEN: adminToken },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const url = await listening(child);
  return {
    url,
    dataDir,
    adminToken,
    token(name, scopes) {
      const out = strata([
        'server',
        'token',
        'create',
        '--data-dir',
        join(dataDir, 'server'),
        '--name',
        name,
        ...scopes.flatMap((s) => ['--scope', s]),
        '--output',
        'json',
      ]);
      return (JSON.parse(out.slice(out.indexOf('{'))) as { token: string }).token;
    },
    async call(method, path, token, body) {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: {
          'x-auth-token': token,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      return { status: res.status, body: (text === '' ? {} : JSON.parse(text)) as Json };
    },
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode === null ? child.on('exit', r) : r(null)));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

let requests = 0;
export function rid(): string {
  requests += 1;
  return `console-test-${process.pid}-${requests}-${randomBytes(4).toString('hex')}`;
}

/** Imports the example bundle (current_account and its internal accounts), activating its versions. */
export function importBundle(server: RunningServer, activate = true): void {
  strata(
    [
      'import',
      'packs/bundle',
      '--url',
      server.url,
      '--data-dir',
      join(server.dataDir, 'cli'),
      '--quiet',
      ...(activate ? ['--activate-on-import'] : []),
    ],
    { STRATA_AUTH_TOKEN: server.adminToken },
  );
}

/** A second version of a product (ADD_VERSION: not made current), numbered `version`. */
export async function addVersion(server: RunningServer, productId: string, version: string): Promise<string> {
  const res = await server.call('POST', '/v1/product-versions', server.adminToken, {
    request_id: rid(),
    product_version: {
      product_id: productId,
      display_name: 'Current Account',
      code: `api = "4.0.0"\nversion = "${version}"\n`,
    },
    migration_strategy: 'PRODUCT_VERSION_MIGRATION_STRATEGY_ADD_VERSION',
  });
  if (res.status !== 200) throw new Error(`product version: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body['id'] as string;
}

export async function openAccount(
  server: RunningServer,
  customer: string,
  account: string,
  openingTimestamp: string,
): Promise<void> {
  const c = await server.call('POST', '/v1/customers', server.adminToken, {
    request_id: rid(),
    customer: { id: customer, customer_details: { first_name: customer } },
  });
  if (c.status !== 200) throw new Error(`customer: ${c.status} ${JSON.stringify(c.body)}`);
  const a = await server.call('POST', '/v1/accounts', server.adminToken, {
    request_id: rid(),
    account: {
      id: account,
      product_id: 'current_account',
      stakeholder_ids: [customer],
      permitted_denominations: ['GBP'],
      opening_timestamp: openingTimestamp,
    },
  });
  if (a.status !== 200) throw new Error(`account: ${a.status} ${JSON.stringify(a.body)}`);
}

/** Posts one instruction in its own batch; returns the batch. */
export async function post(server: RunningServer, instruction: Json, valueTimestamp?: string): Promise<Json> {
  const res = await server.call('POST', '/v1/posting-instruction-batches', server.adminToken, {
    request_id: rid(),
    posting_instruction_batch: {
      client_id: 'console-test',
      client_batch_id: rid(),
      ...(valueTimestamp === undefined ? {} : { value_timestamp: valueTimestamp }),
      posting_instructions: [{ client_transaction_id: rid(), ...instruction }],
    },
  });
  if (res.status !== 200) throw new Error(`batch: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}
