/**
 * Reports that tell the truth (issue 10, 6): JUnit for validate, plan and import with one test
 * case per resource and failures for findings, errors, blocked resources and failed activations,
 * written even when the run ends in an error; the JSON error result under --output json, valid
 * against every result schema; the --events vocabulary, valid against schemas/events.schema.json,
 * never sharing stdout with a result; unsupported types listed as skipped everywhere (--strict
 * fails them). Against a real server over HTTP; faults injected by a proxy.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { validator } from '../../src/schema/index.js';
import { faultProxy, scopedServer, strata, type ScopedServer } from './server.js';

// Several real processes per test, on a shared 2-core machine.
vi.setConfig({ testTimeout: 120_000 });

const WALLET = 'packs/library/wallet_manifest.yaml';
const SAVINGS = 'packs/library/savings_manifest.yaml';

let server: ScopedServer;
let admin: string;
let work: string;

beforeAll(async () => {
  server = await scopedServer();
  admin = await server.token(['admin']);
  work = mkdtempSync(join(tmpdir(), 'strata-reports-'));
  writeFileSync(
    join(work, 'mixed_manifest.yaml'),
    'pack_version: 1.0.0\npack_name: mixed\nresource_ids:\n  - block_debits\n  - MIXED_DORMANT\n',
  );
  writeFileSync(
    join(work, 'mixed.resources.yaml'),
    [
      'resources:',
      '  - type: RESTRICTION_SET_DEFINITION_VERSION',
      '    id: block_debits',
      '    payload: |',
      '      restriction_set_definition_version:',
      '        restriction_set_definition_id: block_debits',
      '  - type: FLAG_DEFINITION',
      '    id: MIXED_DORMANT',
      '    payload: |',
      '      flag_definition: {id: MIXED_DORMANT, name: Dormant}',
      '',
    ].join('\n'),
  );
});
afterAll(async () => {
  await server.close();
  rmSync(work, { recursive: true, force: true });
});

interface Case {
  classname: string;
  name: string;
  failure?: { type: string; message: string };
  skipped?: string;
}

/** The test cases of a JUnit file, and its suite's counts. */
function junit(path: string): { cases: Case[]; tests: number; failures: number; skipped: number } {
  const xml = readFileSync(path, 'utf8');
  const suite = /<testsuite name="[^"]*" tests="(\d+)" failures="(\d+)" errors="0" skipped="(\d+)"/.exec(xml);
  expect(suite, xml).not.toBeNull();
  const cases = [
    ...xml.matchAll(/<testcase classname="([^"]*)" name="([^"]*)"(\/>|>([\s\S]*?)<\/testcase>)/g),
  ].map((m): Case => {
    const body = m[4] ?? '';
    const failure = /<failure message="([^"]*)" type="([^"]*)"/.exec(body);
    const skipped = /<skipped message="([^"]*)"/.exec(body);
    return {
      classname: m[1] as string,
      name: m[2] as string,
      ...(failure ? { failure: { message: failure[1] as string, type: failure[2] as string } } : {}),
      ...(skipped ? { skipped: skipped[1] as string } : {}),
    };
  });
  const [, tests, failures, skipped] = suite as RegExpExecArray;
  expect(cases).toHaveLength(Number(tests));
  return { cases, tests: Number(tests), failures: Number(failures), skipped: Number(skipped) };
}

function events(path: string): Array<Record<string, unknown> & { event: string }> {
  const check = validator('events');
  return readFileSync(path, 'utf8')
    .trimEnd()
    .split('\n')
    .map((line) => {
      const e = JSON.parse(line) as Record<string, unknown> & { event: string };
      expect(check(e), `${line}\n${JSON.stringify(check.errors)}`).toBe(true);
      return e;
    });
}

const serverArgs = (url: string) => ['--url', url, '--auth-token', admin];

describe('JUnit reports', () => {
  it('validate: one case per resource, a failure per invalid one, never zero tests', async () => {
    const ok = join(work, 'validate-ok.xml');
    expect((await strata(['validate', WALLET, '--junit', ok])).status).toBe(0);
    const report = junit(ok);
    expect(report.tests).toBe(7);
    expect(report.failures).toBe(0);
    expect(report.cases.map((c) => c.name)).toContain('wallet');

    const bad = join(work, 'validate-bad.xml');
    const r = await strata(['validate', 'test/fixtures/broken/activate_conflict', '--junit', bad]);
    expect(r.status).toBe(1);
    const failed = junit(bad);
    expect(failed.failures).toBeGreaterThan(0);
    expect(failed.cases.find((c) => c.failure)?.failure?.type).toBe('E_ACTIVATE_CONFLICT');

    // A path with no pack at all: a failing case, not an empty report.
    const none = join(work, 'validate-none.xml');
    expect((await strata(['validate', join(work, 'no-such-dir'), '--junit', none])).status).toBe(1);
    expect(junit(none).failures).toBeGreaterThan(0);
  });

  it('lists unsupported types as skipped test cases; --strict makes them failures', async () => {
    const path = join(work, 'mixed.xml');
    expect((await strata(['validate', 'mixed_manifest.yaml', '--junit', path], {}, work)).status).toBe(0);
    const report = junit(path);
    expect(report.skipped).toBe(1);
    expect(report.cases.find((c) => c.name === 'block_debits')?.skipped).toMatch(
      /RESTRICTION_SET_DEFINITION_VERSION/,
    );

    const strict = join(work, 'mixed-strict.xml');
    const r = await strata(['validate', 'mixed_manifest.yaml', '--strict', '--junit', strict], {}, work);
    expect(r.status).toBe(1);
    expect(junit(strict).cases.find((c) => c.name === 'block_debits')?.failure?.type).toBe(
      'W_TYPE_UNSUPPORTED',
    );
  });

  it('import of an invalid pack: a failing case for what is wrong, exit 1, nothing sent', async () => {
    const path = join(work, 'import-invalid.xml');
    const r = await strata([
      'import',
      'test/fixtures/broken/activate_conflict',
      ...serverArgs(server.url),
      '--junit',
      path,
    ]);
    expect(r.status).toBe(1);
    const report = junit(path);
    expect(report.tests).toBeGreaterThan(0);
    expect(report.failures).toBeGreaterThan(0);
    expect(await server.objectCount()).toBe(0);
  });

  it.each(['plan', 'import'])(
    '%s against an unreachable server: a failing JUnit case, and the JSON error result its schema describes',
    async (command) => {
      const path = join(work, `${command}-unreachable.xml`);
      const r = await strata([
        command,
        WALLET,
        ...serverArgs('http://127.0.0.1:1'),
        '--max-retries',
        '0',
        '--junit',
        path,
        '--output',
        'json',
      ]);
      expect(r.status).toBe(3);
      const body = JSON.parse(r.stdout) as { status: string; error: { code: string; exit_code: number } };
      expect(body.status).toBe('ERROR');
      expect(body.error).toMatchObject({ code: 'E_UNREACHABLE', exit_code: 3 });
      const check = validator(`${command}-result`);
      expect(check(body), JSON.stringify(check.errors)).toBe(true);
      const report = junit(path);
      expect(report.cases).toEqual([
        expect.objectContaining({
          name: command,
          failure: expect.objectContaining({ type: 'E_UNREACHABLE' }),
        }),
      ]);
    },
  );

  it('a usage mistake still leaves a failing report behind', async () => {
    const path = join(work, 'usage.xml');
    const r = await strata(['plan', WALLET, '--url', server.url, '--concurrency', 'many', '--junit', path]);
    expect(r.status).toBe(64);
    expect(junit(path).cases[0]?.failure?.type).toBe('E_USAGE');
  });
});

describe('import failures in every output', () => {
  it('a failed resource fails its case, its dependents are blocked failures, events say so (exit 2)', async () => {
    const proxy = await faultProxy(
      server.url,
      (m, url) => m === 'POST' && url.startsWith('/v1/flag-definitions'),
    );
    try {
      const xml = join(work, 'partial.xml');
      const ev = join(work, 'partial.ndjson');
      const r = await strata([
        'import',
        WALLET,
        ...serverArgs(proxy.url),
        '--journal-dir',
        join(work, 'runs'),
        '--junit',
        xml,
        '--events',
        ev,
      ]);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('PARTIAL SUCCESS');
      const report = junit(xml);
      const byName = new Map(report.cases.map((c) => [c.name, c]));
      expect(byName.get('DORMANCY_FLAG')?.failure?.type).toBe('INVALID_ARGUMENT');
      expect(byName.get('wallet')?.failure).toMatchObject({ type: 'BLOCKED' });
      expect(byName.get('wallet')?.failure?.message).toMatch(/DORMANCY_FLAG/);
      expect(byName.get('WALLET_CASHBACK_EXPENSE')?.failure).toBeUndefined();
      expect(report.failures).toBe(3);

      const log = events(ev);
      expect(log[0]).toMatchObject({ event: 'run_started', total: 7, command: 'import' });
      expect(log.at(-1)).toMatchObject({ event: 'run_finished', status: 'PARTIAL SUCCESS' });
      const failed = log.find((e) => e.event === 'resource_result' && e.resource_id === 'DORMANCY_FLAG');
      expect(failed).toMatchObject({ action: 'failed', error: { code: 'INVALID_ARGUMENT' } });
      expect(log).toContainEqual(
        expect.objectContaining({
          event: 'resource_blocked',
          resource_id: 'wallet',
          blocked_by: expect.arrayContaining(['DORMANCY_FLAG']),
        }),
      );
      // CI log: one line per failure, not one per resource.
      expect(r.stderr).toMatch(/Z failed DORMANCY_FLAG: /);
      expect(r.stderr).not.toMatch(/Z created WALLET_CASHBACK_EXPENSE/);
    } finally {
      await proxy.close();
    }
  });

  it('a failed activation fails the report too (exit 2, PARTIAL SUCCESS)', async () => {
    // The savings pack is imported once; then its activation is refused by the proxy.
    const dir = join(work, 'activation');
    const first = await strata(['import', SAVINGS, ...serverArgs(server.url), '--journal-dir', dir]);
    expect(first.status, first.stderr).toBe(0);
    const proxy = await faultProxy(
      server.url,
      (m, url) => m === 'GET' && /^\/v1\/products\/savings_account$/.test(url),
      400,
      'FAILED_PRECONDITION',
    );
    try {
      const xml = join(work, 'activation.xml');
      const ev = join(work, 'activation.ndjson');
      const r = await strata([
        'import',
        SAVINGS,
        ...serverArgs(proxy.url),
        '--activate-on-import',
        '--journal-dir',
        dir,
        '--junit',
        xml,
        '--events',
        ev,
        '--output',
        'json',
      ]);
      expect(r.status, r.stderr).toBe(2);
      const result = JSON.parse(r.stdout) as { status: string; activations: Array<{ action: string }> };
      expect(result.status).toBe('PARTIAL SUCCESS');
      expect(result.activations.map((a) => a.action)).toContain('failed');
      const report = junit(xml);
      const activation = report.cases.find((c) => c.classname.startsWith('activation') && c.failure);
      expect(activation?.failure?.type).toBe('FAILED_PRECONDITION');
      expect(report.failures).toBe(1);
      expect(events(ev)).toContainEqual(
        expect.objectContaining({
          event: 'activation',
          action: 'failed',
          error: expect.objectContaining({ code: 'FAILED_PRECONDITION' }),
        }),
      );
    } finally {
      await proxy.close();
    }
  });
});

describe('unsupported types on plan, import and convert', () => {
  it('are listed as skipped with the reason in text, JSON and JUnit; --strict fails before anything is sent', async () => {
    const xml = join(work, 'mixed-import.xml');
    const text = await strata(
      ['import', 'mixed_manifest.yaml', ...serverArgs(server.url), '--junit', xml],
      {},
      work,
    );
    expect(text.status, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/RESTRICTION_SET_DEFINITION_VERSION +block_debits +skipped: /);
    expect(text.stdout).toMatch(/1 skipped \(unsupported type\)/);
    expect(junit(xml).cases.find((c) => c.name === 'block_debits')?.skipped).toBeDefined();

    const json = await strata(['plan', 'mixed_manifest.yaml', ...serverArgs(server.url), '--json'], {}, work);
    const plan = JSON.parse(json.stdout) as {
      skipped: Array<{ resource_id: string; reason: string }>;
      summary: { skipped: number };
    };
    expect(plan.skipped.map((s) => s.resource_id)).toEqual(['block_debits']);
    expect(plan.summary.skipped).toBe(1);
    const check = validator('plan-result');
    expect(check(plan), JSON.stringify(check.errors)).toBe(true);

    const converted = await strata(['convert', 'mixed_manifest.yaml'], {}, work);
    expect(converted.status).toBe(0);
    expect(converted.stderr).toMatch(/skipped block_debits: /);

    const before = await server.objectCount();
    const strict = await strata(
      ['import', 'mixed_manifest.yaml', ...serverArgs(server.url), '--strict', '--json'],
      {},
      work,
    );
    expect(strict.status).toBe(1);
    expect((JSON.parse(strict.stdout) as { status: string }).status).toBe('FAILURE');
    expect(await server.objectCount()).toBe(before);
    expect((await strata(['convert', 'mixed_manifest.yaml', '--strict'], {}, work)).status).toBe(1);
  }, 120_000);
});

describe('streams', () => {
  it('--events - carries only events on stdout; the text result goes to stderr', async () => {
    const r = await strata([
      'import',
      WALLET,
      ...serverArgs(server.url),
      '--journal-dir',
      join(work, 'runs-stream'),
      '--events',
      '-',
    ]);
    expect(r.status, r.stderr).toBe(0);
    const check = validator('events');
    for (const line of r.stdout.trimEnd().split('\n')) expect(check(JSON.parse(line)), line).toBe(true);
    expect(r.stderr).toMatch(/\nSUCCESS\n$/);
  });

  it('--events - with a JSON result is refused before anything is sent (exit 64)', async () => {
    const r = await strata(['import', WALLET, ...serverArgs(server.url), '--events', '-', '--json']);
    expect(r.status).toBe(64);
    expect((JSON.parse(r.stdout) as { error: { code: string } }).error.code).toBe('E_OUTPUT_CONFLICT');
  });

  it('--quiet prints only what failed and the status word', async () => {
    const r = await strata([
      'import',
      WALLET,
      ...serverArgs(server.url),
      '--journal-dir',
      join(work, 'runs-quiet'),
      '--quiet',
    ]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('SUCCESS\n');
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1); // the target line
  });
});
