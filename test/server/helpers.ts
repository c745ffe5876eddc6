import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp, type AppOptions } from '../../src/server/app.js';
import { issueToken, type Scope } from '../../src/server/auth.js';
import type { Storage } from '../../src/storage/types.js';
import type { StorageFactory } from '../storage/factories.js';

export interface Harness {
  app: FastifyInstance;
  storage: Storage;
  admin: string;
  tokenWith(...scopes: Scope[]): Promise<string>;
  post(url: string, body: unknown, token?: string): Promise<LightMyRequestResponse>;
  put(url: string, body: unknown, token?: string): Promise<LightMyRequestResponse>;
  get(url: string, token?: string): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export async function harness(
  factory: StorageFactory,
  options: Omit<AppOptions, 'storage'> = {},
  wrap: (s: Storage) => Storage = (s) => s,
): Promise<Harness> {
  const { storage, cleanup } = await factory.create();
  const { token: admin } = await issueToken(storage, { scopes: ['admin'], name: 'test-admin' });
  const app = buildApp({ storage: wrap(storage), ...options });
  const headers = (token: string | undefined) => (token === '' ? {} : { 'x-auth-token': token ?? admin });
  return {
    app,
    storage,
    admin,
    tokenWith: async (...scopes) => (await issueToken(storage, { scopes, name: scopes.join('+') })).token,
    post: (url, body, token) =>
      app.inject({ method: 'POST', url, headers: headers(token), payload: body as object }),
    put: (url, body, token) =>
      app.inject({ method: 'PUT', url, headers: headers(token), payload: body as object }),
    get: (url, token) => app.inject({ method: 'GET', url, headers: headers(token) }),
    close: async () => {
      await app.close();
      await cleanup();
    },
  };
}

export function json(res: LightMyRequestResponse): Record<string, unknown> {
  return JSON.parse(res.body) as Record<string, unknown>;
}

/** Minimal smart contract code with a version. */
export function contractCode(version: string, extra = ''): string {
  return `api = "4.0.0"\nversion = "${version}"\n${extra}`;
}

export function workflowSpec(definitionVersion: string, name = 'Onboarding'): string {
  return [
    `name: ${name}`,
    `definition_version: ${definitionVersion}`,
    'starting_state: start',
    'end_states:',
    '  - state: done',
    '    result: SUCCESSFUL',
    'states:',
    '  start:',
    '    display_name: Start',
    '',
  ].join('\n');
}

let n = 0;
export function rid(prefix = 'req'): string {
  n += 1;
  return `${prefix}-${process.pid}-${n}-${Math.random().toString(36).slice(2, 8)}`;
}
