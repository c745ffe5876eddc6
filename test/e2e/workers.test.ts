import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: the generator is plain JavaScript shared with the benchmark
import { generateBundle } from '../bench/generate-bundle.js';

const root = join(import.meta.dirname, '..', '..');
let dir: string;

const validate = (workers: number) => {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'run.js'), 'validate', dir, '--json'], {
    encoding: 'utf8',
    env: { ...process.env, STRATA_WORKERS: String(workers) },
    maxBuffer: 1 << 28,
  });
  const result = JSON.parse(r.stdout) as { summary: { duration_ms: number; errors: number } };
  result.summary.duration_ms = 0;
  return { status: r.status, result };
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'strata-workers-'));
  (generateBundle as (d: string, o: object) => number)(dir, { packs: 4, resources: 1200, codeSize: 4000 });
  // Break one pack: a reference to an id nobody lists, and a duplicate key inside a payload.
  appendFileSync(
    join(dir, 'pack_01', 'bench.resources.yaml'),
    '- type: FLAG_DEFINITION\n  id: extra\n  payload: |\n    flag_definition:\n      id: extra\n      name: "&{nobody}"\n      name: twice\n',
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('analysis on worker threads', () => {
  it('gives exactly the result of the single-threaded analysis, findings included', () => {
    const single = validate(0);
    const threaded = validate(2);
    expect(single.status).toBe(0); // "extra" is not listed, so its problems are not findings...
    expect(threaded).toEqual(single);
  });

  it('agrees on a bundle with errors', () => {
    appendFileSync(join(dir, 'pack_01', 'manifest.yaml'), '  - extra\n');
    const single = validate(0);
    const threaded = validate(2);
    expect(single.status).toBe(1);
    expect(single.result.summary.errors).toBeGreaterThan(0);
    expect({ status: threaded.status, result: threaded.result }).toEqual({
      status: single.status,
      result: single.result,
    });
  });
});

describe('contract analysis on a worker thread (large inputs, default)', () => {
  let big: string;
  beforeAll(() => {
    big = mkdtempSync(join(tmpdir(), 'strata-facts-worker-'));
    (generateBundle as (d: string, o: object) => number)(big, { packs: 4, resources: 5000, codeSize: 4000 });
    // Code findings come from the worker: a syntax error and a parameter the contract lacks.
    appendFileSync(join(big, 'pack_02', 'contracts', 'product_b.py'), '\ndef broken(:\n    pass\n');
    const file = join(big, 'pack_01', 'bench.resources.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('- name: interest_rate', '- name: interest_rat'));
  });
  afterAll(() => rmSync(big, { recursive: true, force: true }));

  it('is used above 1.5 MB and gives the single-threaded result, findings included', () => {
    const run = (env: Record<string, string>) => {
      const r = spawnSync(
        process.execPath,
        [join(root, 'bin', 'run.js'), 'validate', big, '--json', '--verbose'],
        {
          encoding: 'utf8',
          env: { ...process.env, STRATA_CACHE_DIR: 'none', ...env },
          maxBuffer: 1 << 28,
        },
      );
      const result = JSON.parse(r.stdout) as {
        summary: { duration_ms: number };
        findings: Array<{ code: string }>;
      };
      result.summary.duration_ms = 0;
      return { status: r.status, result, threads: /^analysis: .*$/m.exec(r.stderr)?.[0] };
    };
    const threaded = run({});
    const single = run({ STRATA_WORKERS: '0' });
    expect(single.threads).toBe('analysis: this thread');
    expect(threaded.threads).toBe('analysis: this thread, contract code on a worker thread');
    expect(single.status).toBe(1);
    expect(single.result.findings.map((f) => f.code)).toEqual(
      expect.arrayContaining(['E_PY_SYNTAX', 'E_PARAM_UNDECLARED']),
    );
    expect({ status: threaded.status, result: threaded.result }).toEqual({
      status: single.status,
      result: single.result,
    });
  });
});
