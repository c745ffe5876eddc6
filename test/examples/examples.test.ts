/**
 * The example pipelines, run: every command of theirs that calls strata, in order, in a directory
 * laid out like a bank's pack repository (its packs, strata.config.yaml at the root), against a
 * real server standing in for the dev environment. `npx strata` and the pinned
 * `npx --yes strata-cli@<version>` both stand for this checkout's built binary.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqliteServer, type TestServer } from '../deploy/helpers.js';

const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'bin', 'run.js');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; version: string };

function gitlabPipeline(): Record<string, { script?: string[] }> & { variables: Record<string, string> } {
  return parse(readFileSync(join(root, 'examples', 'gitlab-ci.yml'), 'utf8')) as Record<
    string,
    { script?: string[] }
  > & { variables: Record<string, string> };
}

function githubCommands(): string[] {
  const wf = parse(readFileSync(join(root, 'examples', 'github-actions.yml'), 'utf8')) as {
    jobs: Record<string, { steps: Array<{ run?: string }> }>;
  };
  return Object.values(wf.jobs).flatMap((job) => job.steps.flatMap((s) => (s.run ? [s.run] : [])));
}

function gitlabCommands(): string[] {
  const ci = gitlabPipeline();
  return ['validate', '.deploy'].flatMap((job) => ci[job]?.script ?? []);
}

describe('the example pipelines', () => {
  it('pin the version of strata-cli this checkout is', () => {
    expect(gitlabPipeline().variables.STRATA).toBe(`npx --yes ${pkg.name}@${pkg.version}`);
  });

  it('read strata.config.yaml from the repository root, as a pack repository keeps it', () => {
    for (const f of ['github-actions.yml', 'gitlab-ci.yml'])
      expect(readFileSync(join(root, 'examples', f), 'utf8')).not.toMatch(/STRATA_CONFIG|--config/);
  });
});

describe.each([
  ['GitHub Actions', githubCommands],
  ['GitLab CI', gitlabCommands],
])('the %s example', (_name, commands) => {
  let server: TestServer;
  let work: string;
  beforeAll(async () => {
    server = await sqliteServer();
    work = mkdtempSync(join(tmpdir(), 'strata-example-'));
    cpSync(join(root, 'packs'), join(work, 'packs'), { recursive: true });
    // The dev environment of the example config is the test server (the pipelines select it by
    // STRATA_ENV; an ambient STRATA_URL that disagreed would be refused).
    const config = readFileSync(join(root, 'examples', 'strata.config.yaml'), 'utf8');
    writeFileSync(join(work, 'strata.config.yaml'), config.replace('http://127.0.0.1:8055', server.url));
  });
  afterAll(async () => {
    await server.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('runs every strata command with success, twice (the second import changes nothing)', async () => {
    const lines = commands().filter((c) => /strata|\$STRATA/.test(c));
    expect(lines.length).toBeGreaterThanOrEqual(4);
    for (const round of [1, 2]) {
      for (const line of lines) {
        const command = line.replace(/npx strata|\$STRATA/g, `node ${bin}`);
        const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
          const child = spawn('bash', ['-c', command], {
            cwd: work,
            env: {
              ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('STRATA_'))),
              STRATA_ENV: 'dev',
              STRATA_DEV_TOKEN: server.token,
              NO_COLOR: '1',
            },
          });
          let out = '';
          child.stdout.on('data', (d: Buffer) => (out += d.toString()));
          child.stderr.on('data', (d: Buffer) => (out += d.toString()));
          child.on('exit', (code) => resolve({ code, out }));
        });
        expect(r.code, `${command}\n${r.out}`).toBe(0);
        if (/(strata|STRATA) (plan|import)/.test(line))
          expect(r.out).toMatch(
            /^target: dev http:\/\/127\.0\.0\.1:\d+ \(token STRATA_DEV_TOKEN "test", scopes admin\)$/m,
          );
        if (round === 2 && / import /.test(line)) expect(r.out).not.toMatch(/ created/);
      }
    }
    expect(existsSync(join(work, 'strata-junit.xml'))).toBe(true);
  }, 120_000);
});
