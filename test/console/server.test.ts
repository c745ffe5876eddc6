/** /console on the server (src/server/console.ts): files, deep links, the policy, no token needed. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/server/app.js';
import { CONTENT_SECURITY_POLICY } from '../../src/server/console.js';
import { sqliteFactory } from '../storage/factories.js';

describe('the console on the server', () => {
  let app: FastifyInstance;
  let bare: FastifyInstance;
  let base: string;
  let dir: string;
  let cleanup: () => Promise<void>;
  const INDEX = '<!doctype html><div id="app"></div>';

  beforeAll(async () => {
    base = mkdtempSync(join(tmpdir(), 'strata-console-dir-'));
    dir = join(base, 'console');
    mkdirSync(join(dir, 'assets'), { recursive: true });
    // Beside the console's folder: what a path traversal would reach.
    writeFileSync(join(base, 'strata-console-secret.txt'), 'TOP-SECRET-CONTENT');
    writeFileSync(join(dir, 'index.html'), INDEX);
    writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
    writeFileSync(join(dir, 'favicon.svg'), '<svg/>');
    const created = await sqliteFactory.create();
    cleanup = created.cleanup;
    app = buildApp({ storage: created.storage, consoleDir: dir });
    bare = buildApp({ storage: created.storage, consoleDir: join(dir, 'not-built') });
  });

  afterAll(async () => {
    await app.close();
    await bare.close();
    await cleanup();
    rmSync(base, { recursive: true, force: true });
  });

  it('answers index.html for every page path, without a token, with the policy', async () => {
    for (const url of [
      '/console',
      '/console/',
      '/console/products',
      '/console/products/a%20b',
      '/console/accounts/x/',
    ]) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
      expect(res.body).toBe(INDEX);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('DENY');
    }
    expect(CONTENT_SECURITY_POLICY).toMatch(/default-src 'none'/);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe|\*|data:|http/);
  });

  it('serves built files, assets as immutable, and 404 for files that are not there', async () => {
    const js = await app.inject({ method: 'GET', url: '/console/assets/index-abc123.js' });
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toMatch(/javascript/);
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(js.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    const icon = await app.inject({ method: 'GET', url: '/console/favicon.svg' });
    expect(icon.statusCode).toBe(200);
    expect(icon.headers['cache-control']).toBe('no-cache');
    for (const url of [
      '/console/assets/missing.js',
      '/console/..%2fstrata-console-secret.txt',
      '/console/assets/..%2F..%2Fstrata-console-secret.txt',
      '/console/.hidden.js',
    ]) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(404);
      expect(res.body).not.toContain('TOP-SECRET');
      expect(JSON.parse(res.body)).toMatchObject({ code: 'NOT_FOUND' });
    }
  });

  it('leaves the API as it was: a token is still needed outside /console', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/products' });
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-security-policy']).toBeUndefined();
    expect((await app.inject({ method: 'GET', url: '/consoles' })).statusCode).toBe(401);
  });

  it('says how to build the console when it was not built', async () => {
    const res = await bare.inject({ method: 'GET', url: '/console/products' });
    expect(res.statusCode).toBe(404);
    expect(JSON.parse(res.body)).toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringContaining('npm run build'),
    });
  });
});
