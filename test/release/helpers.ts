/** Real servers and the real CLI for the release tests: tokens by name, the CLI as a child process. */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { expect } from 'vitest';
import { buildApp } from '../../src/server/app.js';
import { issueToken, type Scope } from '../../src/server/auth.js';
import type { StorageFactory } from '../storage/factories.js';
import type { Storage } from '../../src/storage/types.js';

export const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'bin', 'run.js');

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  json: Record<string, unknown>;
}

/** Runs the CLI (no terminal: stdin is not a TTY) and parses stdout as JSON when it is. */
export function strata(args: string[], env: Record<string, string>, cwd = root): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], {
      env: { ...process.env, NO_COLOR: '1', STRATA_OUTPUT: '', ...env },
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => {
      let json: Record<string, unknown> = {};
      try {
        json = JSON.parse(stdout) as Record<string, unknown>;
      } catch {
        // text output
      }
      resolve({ status, stdout, stderr, json });
    });
  });
}

/** Checks a command's JSON result against schemas/<command>-result.schema.json. */
export function expectSchema(command: string, data: unknown): void {
  const schema = JSON.parse(
    readFileSync(join(root, 'schemas', `${command}-result.schema.json`), 'utf8'),
  ) as object;
  const validate = new Ajv2020({ strict: true, allErrors: true }).compile(schema);
  expect(validate(data), JSON.stringify(validate.errors)).toBe(true);
}

export interface ReleaseServer {
  url: string;
  storage: Storage;
  admin: string;
  token(scopes: Scope[], name: string): Promise<string>;
  /** Writes the server's storage settled so far (GET /metrics, strata_storage_writes_total). */
  writes(): Promise<number>;
  get(path: string): Promise<Record<string, unknown>>;
  post(path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }>;
  close(): Promise<void>;
}

export async function releaseServer(
  factory: StorageFactory,
  requireApproval = false,
): Promise<ReleaseServer> {
  const { storage, cleanup } = await factory.create();
  const admin = (await issueToken(storage, { scopes: ['admin'], name: 'admin' })).token;
  const app = buildApp({ storage, requireApproval });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const headers = { 'x-auth-token': admin, 'content-type': 'application/json' };
  return {
    url,
    storage,
    admin,
    token: async (scopes, name) => (await issueToken(storage, { scopes, name })).token,
    async writes() {
      const text = await (await fetch(`${url}/metrics`, { headers })).text();
      const line = text.split('\n').find((l) => l.startsWith('strata_storage_writes_total '));
      return Number(line?.split(' ').pop() ?? NaN);
    },
    get: async (path) =>
      (await (await fetch(`${url}${path}`, { headers })).json()) as Record<string, unknown>,
    async post(path, body) {
      const res = await fetch(`${url}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    },
    async close() {
      await app.close();
      await cleanup();
    },
  };
}

/** Minimal product code with a version (what the server needs to number it). */
export function productCode(version: string): string {
  return `api = "4.0.0"\nversion = "${version}"\n`;
}
