/**
 * The target of plan and import, from the built binary against a real server: the selected
 * environment wins, the target is printed first, ordinary mistakes get their own codes (exit 3 or
 * 64, never E_INTERNAL), and scopes are checked before the first write.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttps } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpServer, proxy, root, scopedServer, strata, type ScopedServer } from './server.js';

const WALLET = 'packs/library/wallet_manifest.yaml';
let server: ScopedServer;
let work: string;
let config: string;

beforeAll(async () => {
  server = await scopedServer();
  work = mkdtempSync(join(tmpdir(), 'strata-target-'));
  cpSync(join(root, 'examples'), join(work, 'examples'), { recursive: true });
  config = join(work, 'examples', 'strata.config.yaml');
  writeFileSync(config, readFileSync(config, 'utf8').replace('http://127.0.0.1:8055', server.url));
});
afterAll(async () => {
  await server.close();
  rmSync(work, { recursive: true, force: true });
});

const noStack = (text: string) => {
  expect(text).not.toContain('E_INTERNAL');
  expect(text).not.toMatch(/\n\s+at /);
};

describe('the target', () => {
  it('refuses an ambient CLU_CORE_API that disagrees with --env, naming both (the reproduction of issue 10)', async () => {
    const r = await strata(['plan', WALLET, '--env', 'dev', '--config', config], {
      STRATA_DEV_TOKEN: await server.token(['read']),
      CLU_CORE_API: 'http://127.0.0.1:8055',
    });
    expect(r.status).toBe(64);
    expect(r.stderr).toContain(
      `E_TARGET_CONFLICT CLU_CORE_API=http://127.0.0.1:8055 disagrees with environment dev (url ${server.url}`,
    );
    expect(r.stdout).toBe('');
  });

  it('prints the target first on stderr, with the token source, name and scopes', async () => {
    const token = await server.token(['read'], 'ci-plan');
    const r = await strata(['plan', WALLET, '--env', 'dev', '--config', config], { STRATA_DEV_TOKEN: token });
    expect(r.status).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe(
      `target: dev ${server.url} (token STRATA_DEV_TOKEN "ci-plan", scopes read)`,
    );
  });

  it('explains the missing CA of the example staging environment instead of crashing', async () => {
    const r = await strata(['plan', WALLET, '--env', 'staging', '--config', config], {
      STRATA_STAGING_TOKEN: 'tok1',
    });
    expect(r.status).toBe(64);
    expect(r.stderr).toContain('E_CA_FILE cannot read certs/staging-ca.pem');
    noStack(r.stderr);
  });

  it('says a missing --auth-token-file is missing (exit 64)', async () => {
    const r = await strata(['plan', WALLET, '--url', server.url, '--auth-token-file', 'no-such-token.txt']);
    expect(r.status).toBe(64);
    expect(r.stderr).toContain(
      'E_TOKEN_FILE cannot read the token: --auth-token-file no-such-token.txt (no such file)',
    );
    noStack(r.stderr);
  });

  it('says "not a Vault/Strata API" (exit 3) for a URL ending in /v1, a 404 and an HTML page', async () => {
    const token = await server.token(['read']);
    const v1 = await strata(['plan', WALLET, '--url', `${server.url}/v1`], { STRATA_AUTH_TOKEN: token });
    expect(v1.status).toBe(3);
    expect(v1.stderr).toContain('E_NOT_VAULT_API');
    expect(v1.stderr).toContain('strata adds /v1 itself');
    const html = await httpServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html><body>Welcome</body></html>');
    });
    const missing = await httpServer((_req, res) => {
      res.writeHead(404, { 'content-type': 'text/html' });
      res.end('<h1>Not Found</h1>');
    });
    try {
      for (const url of [html.url, missing.url]) {
        const r = await strata(['import', WALLET, '--url', url, '--journal-dir', join(work, 'j')], {
          STRATA_AUTH_TOKEN: token,
        });
        expect(r.status, url).toBe(3);
        expect(r.stderr).toContain(`E_NOT_VAULT_API ${url} is not a Vault/Strata API`);
        noStack(r.stderr);
      }
    } finally {
      await html.close();
      await missing.close();
    }
  });

  it('says unreachable once, without repeating its prefix', async () => {
    const r = await strata(['plan', WALLET, '--url', 'http://127.0.0.1:1', '--max-retries', '1'], {
      STRATA_AUTH_TOKEN: 'tok1',
    });
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(
      /E_UNREACHABLE cannot reach http:\/\/127\.0\.0\.1:1: .*\(gave up after 2 attempts\)/,
    );
    expect(r.stderr).not.toMatch(/UNREACHABLE: UNREACHABLE|UNREACHABLE:.*UNREACHABLE:/);
  });

  it('says http:// to an HTTPS server is the wrong scheme, after one attempt', async (ctx) => {
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
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ]);
    if (made.status !== 0) {
      console.warn('SKIPPED: openssl is not available to make a throwaway certificate');
      ctx.skip();
    }
    let requests = 0;
    const tls = createHttps(
      { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) },
      (_q, res) => {
        requests++;
        res.end('{}');
      },
    );
    await new Promise<void>((r) => tls.listen(0, '127.0.0.1', r));
    const port = (tls.address() as AddressInfo).port;
    let connections = 0;
    tls.on('connection', () => connections++);
    try {
      const r = await strata(['plan', WALLET, '--url', `http://127.0.0.1:${port}`], {
        STRATA_AUTH_TOKEN: 'tok1',
      });
      expect(r.status).toBe(3);
      expect(r.stderr).toContain(`E_TLS http://127.0.0.1:${port}: the server speaks HTTPS`);
      expect(r.stderr).toContain(`use https://127.0.0.1:${port}`);
      // One plain request and one TLS probe: no retries.
      expect(connections).toBeLessThanOrEqual(2);
      expect(requests).toBe(0);
    } finally {
      tls.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('scopes first', () => {
  it('fails a read-only token with exit 3 naming config:write, before any write', async () => {
    const token = await server.token(['read'], 'reader');
    const r = await strata(['import', WALLET, '--url', server.url, '--journal-dir', join(work, 'j1')], {
      STRATA_AUTH_TOKEN: token,
    });
    expect(r.status).toBe(3);
    expect(r.stderr).toContain(
      'E_SCOPE the token from STRATA_AUTH_TOKEN (reader) lacks the scope config:write to import',
    );
    expect(await server.objectCount()).toBe(0);
  });

  it('fails a token without config:activate before writing, when the import would activate', async () => {
    const token = await server.token(['read', 'config:write']);
    const r = await strata(
      ['import', WALLET, '--url', server.url, '--activate-on-import', '--journal-dir', join(work, 'j2')],
      {
        STRATA_AUTH_TOKEN: token,
      },
    );
    expect(r.status).toBe(3);
    expect(r.stderr).toContain('lacks the scope config:activate to import and activate');
    expect(await server.objectCount()).toBe(0);
  });

  it('against a server without GET /v1/tokens/self, says so and continues', async () => {
    const old = await proxy(server.url, /^\/v1\/tokens\/self/);
    try {
      const token = await server.token(['read']);
      const r = await strata(['plan', WALLET, '--url', old.url], { STRATA_AUTH_TOKEN: token });
      expect(r.status).toBe(2);
      expect(r.stderr.split('\n')[0]).toContain('scopes not reported: the server has no GET /v1/tokens/self');
    } finally {
      await old.close();
    }
  });

  it('sends --jwt as Authorization: Bearer, which the server accepts', async () => {
    const token = await server.token(['read'], 'jwt-user');
    const r = await strata(['plan', WALLET, '--core-api', server.url, '--jwt', token]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('(token --jwt "jwt-user", scopes read)');
  });
});
