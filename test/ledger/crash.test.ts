/**
 * The crash harness (scripts/crash-harness.js), shortened: a few SIGKILLs of the real server per
 * storage while posters write, then every check (nothing acknowledged lost, nothing applied twice,
 * balances equal the answers, debits equal credits, verify clean online and offline). And its
 * self-test: a batch removed behind the server's back must be reported.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PG_URL } from '../storage/factories.js';

const root = join(import.meta.dirname, '..', '..');

interface CrashReport {
  storage: string;
  kills: number;
  batches: number;
  accepted: number;
  rejected: number;
  unanswered_at_kill: number;
  replayed: number;
  lost: number;
  applied_twice: number;
  balances: { dimensions: number; mismatched: number };
  verify: { online: boolean; offline: boolean };
  findings: string[];
}

function harness(args: string[]): Promise<{ code: number | null; reports: CrashReport[]; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, 'scripts', 'crash-harness.js'), '--json', ...args], {
      cwd: root,
      env: { ...process.env, ...(PG_URL !== undefined ? { STRATA_CRASH_PG_URL: PG_URL } : {}) },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) =>
      resolve({
        code,
        err,
        reports: out
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l) as CrashReport),
      }),
    );
  });
}

function expectClean(r: { code: number | null; reports: CrashReport[]; err: string }, storage: string) {
  const report = r.reports[0];
  expect(report, r.err).toBeDefined();
  if (report === undefined) return;
  expect(report.findings, r.err).toEqual([]);
  expect(r.code).toBe(0);
  expect(report.storage).toBe(storage);
  expect(report.kills).toBe(3);
  expect(report.accepted).toBeGreaterThan(0);
  // Requests were in flight when the server died, and were retried until answered.
  expect(report.unanswered_at_kill).toBeGreaterThan(0);
  expect(report.replayed).toBeGreaterThanOrEqual(report.unanswered_at_kill);
  expect(report.lost).toBe(0);
  expect(report.applied_twice).toBe(0);
  expect(report.balances.mismatched).toBe(0);
  expect(report.balances.dimensions).toBeGreaterThan(1);
  expect(report.verify).toMatchObject({ online: true, offline: true });
}

describe('crash harness', () => {
  it('SQLite: 3 SIGKILLs under concurrent posters lose nothing, apply nothing twice, verify clean', async () => {
    expectClean(await harness(['--storage', 'sqlite', '--kills', '3']), 'sqlite');
  }, 240_000);

  it.skipIf(PG_URL === undefined)(
    'PostgreSQL: 3 SIGKILLs under concurrent posters lose nothing, apply nothing twice, verify clean',
    async () => {
      expectClean(await harness(['--storage', 'postgres', '--pg-kills', '3']), 'postgres');
    },
    240_000,
  );

  it('reports an acknowledged batch that is no longer stored (self-test, --tamper)', async () => {
    const r = await harness(['--storage', 'sqlite', '--kills', '1', '--tamper']);
    expect(r.code).toBe(1);
    const report = r.reports[0];
    expect(report?.lost, r.err).toBe(1);
    expect(report?.findings.join('\n')).toMatch(/acknowledged batch \S+ not stored as answered/);
    // Verify sees the hole too: postings whose batch is gone.
    expect(report?.verify).toMatchObject({ online: false, offline: false });
    expect(report?.findings.join('\n')).toMatch(/POSTING_WITHOUT_ACCEPTED_BATCH/);
  }, 240_000);
});
