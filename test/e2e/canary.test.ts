/**
 * No secret out, ever: a canary token (with and without a line break) and a canary unknown-flag
 * value go through every error path of every server-facing command; stdout, stderr, journals,
 * JUnit and event files must not hold them.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpServer, scopedServer, strata, type Run, type ScopedServer } from './server.js';

const CANARY = 'strata_canaryQ7xZp2vLk9';
const FLAG_CANARY = 'flagcanaryW3m8';
const WALLET = 'packs/library/wallet_manifest.yaml';

let server: ScopedServer;
let html: { url: string; close(): Promise<void> };
let broken: { url: string; close(): Promise<void> };
let work: string;

beforeAll(async () => {
  server = await scopedServer();
  await server.register(CANARY, ['read']);
  html = await httpServer((_q, res) => res.end('<html>hello</html>'));
  broken = await httpServer((_q, res) => {
    res.writeHead(500, { 'content-type': 'application/json' });
    res.end('{"code":"INTERNAL","message":"boom"}');
  });
  work = mkdtempSync(join(tmpdir(), 'strata-canary-'));
  writeFileSync(join(work, 'token.txt'), `${CANARY}\n`);
  writeFileSync(join(work, 'token2.txt'), `${CANARY}\nsecond-line-${CANARY}\n`);
});
afterAll(async () => {
  await server.close();
  await html.close();
  await broken.close();
  rmSync(work, { recursive: true, force: true });
});

/** Every file under dir, read. */
function filesUnder(dir: string): string {
  if (!existsSync(dir)) return '';
  return readdirSync(dir)
    .map((n) => join(dir, n))
    .map((p) => (statSync(p).isDirectory() ? filesUnder(p) : readFileSync(p, 'utf8')))
    .join('\n');
}

/** The ways a token reaches strata: [args, env, stdin]. */
function tokenWays(token: string): Array<[string, string[], NodeJS.ProcessEnv, string?]> {
  const file = token.includes('\n') ? join(work, 'token2.txt') : join(work, 'token.txt');
  return [
    ['STRATA_AUTH_TOKEN', [], { STRATA_AUTH_TOKEN: token }],
    ['--auth-token', ['--auth-token', token], {}],
    ['--auth-token-file', ['--auth-token-file', file], {}],
    ['stdin', ['--auth-token-file', '-'], {}, token],
    ['--jwt', ['--jwt', token], {}],
    ['CLU_AUTH_TOKEN', [], { CLU_AUTH_TOKEN: token }],
  ];
}

function expectClean(r: Run, dir: string, what: string): void {
  const everything = [r.stdout, r.stderr, filesUnder(dir)].join('\n');
  expect(everything, what).not.toContain(CANARY);
  expect(everything, what).not.toContain(FLAG_CANARY);
  expect(everything, what).not.toContain('second-line');
}

describe('no secret reaches any output or file', () => {
  const commands = [['plan'], ['import'], ['import', '--dry-run']];
  const endpoints = (): Array<[string, string]> => [
    ['unreachable', 'http://127.0.0.1:1'],
    ['not an API', html.url],
    ['failing server', broken.url],
    ['real server (token read-only)', server.url],
  ];

  it('on every error path of plan, import and import --dry-run', async () => {
    let way = 0;
    for (const command of commands) {
      for (const [name, url] of endpoints()) {
        const [source, args, env, input] = tokenWays(CANARY)[way++ % 6]!;
        const dir = mkdtempSync(join(work, 'run-'));
        const r = await strata(
          [
            ...command,
            WALLET,
            '--url',
            url,
            ...args,
            '--max-retries',
            '0',
            '--journal-dir',
            join(dir, 'runs'),
            ...(command.includes('--dry-run') || command[0] === 'plan'
              ? []
              : ['--events', join(dir, 'events.ndjson'), '--junit', join(dir, 'junit.xml')]),
          ],
          env,
          undefined,
          input,
        );
        const what = `${command.join(' ')} against ${name}, token from ${source}`;
        if (url !== server.url) expect(r.status, `${what}\n${r.stderr}`).toBe(3);
        expect(r.stderr, what).not.toContain('E_INTERNAL');
        expectClean(r, dir, what);
      }
    }
  }, 120_000);

  it('for a token with a line break, from every source: refused, never shown', async () => {
    for (const [source, args, env, input] of tokenWays(`${CANARY}\nsecond-line-${CANARY}`)) {
      const dir = mkdtempSync(join(work, 'nl-'));
      const r = await strata(
        ['import', WALLET, '--url', server.url, ...args, '--journal-dir', dir],
        env,
        undefined,
        input,
      );
      expect(r.status, source).toBe(64);
      expect(r.stderr, source).toContain('E_TOKEN_INVALID');
      expectClean(r, dir, source);
    }
  }, 60_000);

  it('for an unknown flag carrying a value, on every server-facing command', async () => {
    for (const command of [['plan'], ['import'], ['import', '--dry-run']]) {
      for (const flag of [`--auth-tokn=${FLAG_CANARY}`, `--urll=${FLAG_CANARY}`]) {
        const r = await strata([...command, WALLET, flag, '--output', 'json']);
        expect(r.status).toBe(64);
        expectClean(r, mkdtempSync(join(work, 'empty-')), `${command.join(' ')} ${flag}`);
      }
    }
  }, 60_000);
});
