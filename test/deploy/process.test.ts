/**
 * `strata import` as a process (the built bin/run.js) against a real server: killed with SIGKILL
 * at random moments and run again, interrupted with SIGINT, events and JUnit files, exit 3.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { latencyProxy, snapshot, sqliteServer, testServer, type TestServer } from './helpers.js';
import { STORAGE_FACTORIES } from '../storage/factories.js';
import { httpServer, interceptingProxy } from '../e2e/server.js';

const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'bin', 'run.js');
const PACKS = [
  'packs/library/wallet_manifest.yaml',
  'packs/library/savings_manifest.yaml',
  'packs/library/loan_manifest.yaml',
  'packs/bundle',
];
const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'strata-proc-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function importArgs(server: { url: string }, pack: string, dataDir: string): string[] {
  return [bin, 'import', pack, '--url', server.url, '--data-dir', dataDir, '--activate-on-import', '--quiet'];
}

/** Runs a child asynchronously: the server it talks to lives in this process's event loop. */
function exec(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (status) => resolve({ status, stdout, stderr }));
  });
}

function run(server: TestServer, args: string[]) {
  return exec(args, { STRATA_AUTH_TOKEN: server.token });
}

describe('import as a process', () => {
  let reference: TestServer;
  beforeAll(async () => {
    reference = await sqliteServer();
    const dataDir = tempDir();
    for (const pack of PACKS) {
      const r = await run(reference, importArgs(reference, pack, dataDir));
      expect(r.status, r.stderr).toBe(0);
    }
  }, 120_000);
  afterAll(async () => {
    await reference.close();
  });

  it('plan exits 2 with changes pending and 0 after the import; import --dry-run predicts with import exit codes', async () => {
    const fresh = await sqliteServer();
    const dir = tempDir();
    try {
      const base = [PACKS[0] as string, '--url', fresh.url];
      expect((await run(fresh, [bin, 'plan', ...base])).status).toBe(2);
      const dry = await run(fresh, [bin, 'import', ...base, '--dry-run', '--output', 'json']);
      expect(dry.status).toBe(0);
      expect(JSON.parse(dry.stdout)).toMatchObject({ status: 'CHANGES' });
      expect((await run(fresh, [bin, 'import', ...base, '--data-dir', dir, '--quiet'])).status).toBe(0);
      expect((await run(fresh, [bin, 'plan', ...base])).status).toBe(0);
    } finally {
      await fresh.close();
    }
  });

  it('shows why a pack is invalid, compiler-style, on import and plan (exit 1, nothing sent)', async () => {
    for (const verb of ['import', 'plan']) {
      const r = await run(reference, [
        bin,
        verb,
        'test/fixtures/broken/ref_unknown/wallet_manifest.yaml',
        '--url',
        reference.url,
        '--data-dir',
        tempDir(),
      ]);
      expect(r.status, verb).toBe(1);
      expect(r.stderr, verb).toMatch(
        /^test\/fixtures\/broken\/ref_unknown\/wallet\/wallet_internal_accounts\.resources\.yaml:9:22: error E_REF_UNKNOWN /m,
      );
    }
  });

  it('exits 2 on a partial import', async () => {
    const fresh = await sqliteServer();
    const work = tempDir();
    try {
      cpSync(join(root, 'packs'), join(work, 'packs'), { recursive: true });
      const file = join(work, 'packs/library/wallet/wallet_internal_accounts.resources.yaml');
      writeFileSync(
        file,
        readFileSync(file, 'utf8').replace('"&{internal_account_contract:product_id}"', 'no_such_product'),
      );
      const r = await exec(
        [
          bin,
          'import',
          join(work, PACKS[0] as string),
          '--url',
          fresh.url,
          '--data-dir',
          join(work, '.strata'),
          '--quiet',
        ],
        { STRATA_AUTH_TOKEN: fresh.token },
      );
      expect(r.status).toBe(2);
      expect(r.stdout).toMatch(/blocked by WALLET_/);
      expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('PARTIAL SUCCESS');
    } finally {
      await fresh.close();
    }
  });

  it('writes NDJSON events and a JUnit report', async () => {
    const dir = tempDir();
    const events = join(dir, 'events.ndjson');
    const junit = join(dir, 'junit.xml');
    const r = await run(reference, [
      ...importArgs(reference, PACKS[0] as string, dir),
      '--events',
      events,
      '--junit',
      junit,
    ]);
    expect(r.status).toBe(0);
    const lines = readFileSync(events, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { event: string; resource_id: string });
    expect(lines.filter((e) => e.event === 'resource_result')).toHaveLength(7);
    expect(lines[0]?.event).toBe('run_started');
    expect(lines.at(-1)?.event).toBe('run_finished');
    const xml = readFileSync(junit, 'utf8');
    // Seven resources and the activation of the one marked activate: true.
    expect(xml).toContain('<testsuite name="strata import" tests="8" failures="0" errors="0" skipped="0"');
    expect((xml.match(/<testcase classname="activation /g) ?? []).length).toBe(1);
  });

  it('shows a live progress line when stderr is a terminal', async (ctx) => {
    // `script` runs the command on a pseudo-terminal, as a person at a terminal would.
    if (!existsSync('/usr/bin/script')) {
      console.warn('SKIPPED: no script(1) to give the import a terminal');
      ctx.skip();
    }
    // The pseudo-terminal needs a width: without one the progress line is left out (next test).
    // Responses held 100 ms, so the run lasts long enough for the spinner to redraw.
    const slow = await latencyProxy(reference.url, 100);
    const command = `stty cols 120 rows 40; ${process.execPath} ${bin} import ${PACKS[0]} --url ${slow.url} --data-dir ${tempDir()}`;
    // A person at a terminal, not a CI job: ora stays quiet when CI is set.
    const { CI: _ci, ...env } = process.env;
    const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn('/usr/bin/script', ['-qec', command, '/dev/null'], {
        cwd: root,
        env: { ...env, STRATA_AUTH_TOKEN: reference.token },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      child.on('exit', (code) => {
        clearTimeout(timer);
        resolve({ code, out });
      });
    });
    await slow.close();
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/\d+ done, \d+ in flight/);
    expect(r.out).not.toMatch(/^\d{4}-\d\d-\d\dT.* unchanged DORMANCY_FLAG$/m);
    expect(r.out).toContain('SUCCESS');
  });

  it('prints plain lines on a terminal that reports no width, instead of hanging', async () => {
    const command = `stty cols 0 rows 0; ${process.execPath} ${bin} import ${PACKS[0]} --url ${reference.url} --data-dir ${tempDir()}`;
    const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn('/usr/bin/script', ['-qec', command, '/dev/null'], {
        cwd: root,
        env: { ...process.env, STRATA_AUTH_TOKEN: reference.token },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      child.on('exit', (code) => {
        clearTimeout(timer);
        resolve({ code, out });
      });
    });
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^\d{4}-\d\d-\d\dT.*Z importing 7 resources\r?$/m);
    expect(r.out).toMatch(/Z 7\/7 done in /);
  });

  it('prints plain timestamped lines on a non-TTY stderr', async () => {
    const r = await run(reference, [
      bin,
      'import',
      PACKS[0] as string,
      '--url',
      reference.url,
      '--data-dir',
      tempDir(),
    ]);
    expect(r.status).toBe(0);
    // A CI log: a line at the start, one every few seconds, one per failure, one at the end; not one per resource.
    expect(r.stderr).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z importing 7 resources$/m);
    expect(r.stderr).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z 7\/7 done in \d+s$/m);
    expect(r.stderr).not.toMatch(/DORMANCY_FLAG/);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('SUCCESS');
  });

  it('exits 3, writing nothing, when the server is unreachable or refuses the token', async () => {
    const dir = tempDir();
    const unreachable = await exec(
      [
        bin,
        'import',
        PACKS[0] as string,
        '--url',
        'http://127.0.0.1:1',
        '--data-dir',
        dir,
        '--max-retries',
        '0',
      ],
      { STRATA_AUTH_TOKEN: 'x' },
    );
    expect(unreachable.status).toBe(3);
    expect(unreachable.stderr).toContain('E_UNREACHABLE');
    const refused = await exec(
      [bin, 'import', PACKS[0] as string, '--url', reference.url, '--data-dir', dir],
      {
        STRATA_AUTH_TOKEN: 'not-a-token',
      },
    );
    expect(refused.status).toBe(3);
    expect(refused.stderr).toContain('E_AUTH');
    expect(refused.stderr).not.toContain('not-a-token');
    expect(
      (existsSync(join(dir, 'runs')) ? readdirSync(join(dir, 'runs')) : [])
        .map((f) => readFileSync(join(dir, 'runs', f), 'utf8'))
        .join(''),
    ).toBe('');
  });

  it('on SIGINT finishes what is in flight, keeps the journal, exits 130; --resume completes the run', async () => {
    const fresh = await sqliteServer();
    const slow = await latencyProxy(fresh.url, 150);
    const dir = tempDir();
    try {
      const events = join(dir, 'events.ndjson');
      const args = [
        ...importArgs(slow, PACKS[1] as string, dir).filter((a) => a !== '--quiet'),
        '--events',
        events,
      ];
      const child = spawn(process.execPath, args, {
        cwd: root,
        env: { ...process.env, STRATA_AUTH_TOKEN: fresh.token },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      // Interrupt once the first resource is confirmed, while others are in flight.
      await until(() => existsSync(events) && readFileSync(events, 'utf8').includes('"action":"created"'));
      child.kill('SIGINT');
      const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
      expect(code).toBe(130);
      expect(out).toContain('interrupted');
      const journal = readdirSync(join(dir, 'runs'));
      expect(journal).toHaveLength(1);
      const confirmed = readFileSync(join(dir, 'runs', journal[0] as string), 'utf8')
        .trimEnd()
        .split('\n');
      expect(confirmed.length).toBeGreaterThan(0);
      const resumed = await run(fresh, [
        ...importArgs(fresh, PACKS[1] as string, dir).filter((a) => a !== '--quiet'),
        '--resume',
      ]);
      expect(resumed.status).toBe(0);
      expect(resumed.stdout).toContain(`(run ${journal[0]?.replace('.ndjson', '')})`);
    } finally {
      await slow.close();
      await fresh.close();
    }
  }, 60_000);
});

describe('SIGINT always ends an import', () => {
  /** A proxy that answers reads and never answers a write (a server hung mid-run). */
  const hungWrites = (target: string) => interceptingProxy(target, (req) => req.method !== 'GET');

  it('a second Ctrl-C stops a run hung on a server that never answers, exit 130, journal kept', async () => {
    const fresh = await sqliteServer();
    const hung = await hungWrites(fresh.url);
    const dir = tempDir();
    const events = join(dir, 'events.ndjson');
    try {
      const child = spawn(
        process.execPath,
        [
          bin,
          'import',
          PACKS[0] as string,
          '--url',
          hung.url,
          '--journal-dir',
          join(dir, 'runs'),
          '--events',
          events,
        ],
        {
          cwd: root,
          env: { ...process.env, STRATA_AUTH_TOKEN: fresh.token },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
      await until(() => existsSync(events) && readFileSync(events, 'utf8').includes('resource_started'));
      child.kill('SIGINT');
      await until(() => err.includes('Ctrl-C again'));
      child.kill('SIGINT');
      expect(await exited).toBe(130);
      expect(err).toContain('stopped at once');
    } finally {
      await hung.close();
      await fresh.close();
    }
  }, 60_000);

  it('Ctrl-C before anything was sent ends the run at once (a server that never answers at all)', async () => {
    let asked = false;
    const silent = await httpServer(() => {
      asked = true; // and never answered
    });
    try {
      const child = spawn(process.execPath, [bin, 'import', PACKS[0] as string, '--url', silent.url], {
        cwd: root,
        env: { ...process.env, STRATA_AUTH_TOKEN: 'x' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
      await until(() => asked);
      child.kill('SIGINT');
      expect(await exited).toBe(130);
      expect(err).toContain('nothing was written');
    } finally {
      await silent.close();
    }
  }, 60_000);
});

/** Resolves once `ready()` holds (polled). */
function until(ready: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const poll = setInterval(() => {
      if (ready()) {
        clearInterval(poll);
        resolve();
      }
    }, 20);
  });
}

describe.each(STORAGE_FACTORIES)('import killed and re-run, on $name', (factory) => {
  describe.skipIf(factory.skip)('', () => {
    let referenceServer: TestServer;
    let subjectServer: TestServer;
    beforeAll(async () => {
      referenceServer = await testServer(factory);
      subjectServer = await testServer(factory);
      const dataDir = tempDir();
      for (const pack of PACKS) {
        const r = await run(referenceServer, importArgs(referenceServer, pack, dataDir));
        expect(r.status, r.stderr).toBe(0);
      }
    }, 120_000);
    afterAll(async () => {
      await referenceServer.close();
      await subjectServer.close();
    });

    it('converges, after SIGKILLs at random moments, to exactly the state of one clean import', async () => {
      // A seeded generator: the same kill points on every run of the test.
      let seed = 20261121;
      const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
      const dataDir = tempDir();
      let killed = 0;
      // Runs that finish before their kill time count too; keep going until ten were killed.
      for (let i = 0; killed < 10 && i < 40; i++) {
        const pack = PACKS[i % PACKS.length] as string;
        const child = spawn(process.execPath, importArgs(subjectServer, pack, dataDir), {
          cwd: root,
          env: { ...process.env, STRATA_AUTH_TOKEN: subjectServer.token },
          stdio: 'ignore',
        });
        const delay = 100 + Math.floor(random() * 800);
        const timer = setTimeout(() => child.kill('SIGKILL'), delay);
        const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
        clearTimeout(timer);
        if (code === null) killed++;
      }
      expect(killed).toBeGreaterThanOrEqual(10);
      for (const pack of PACKS)
        expect((await run(subjectServer, importArgs(subjectServer, pack, dataDir))).status).toBe(0);
      const [got, want] = [await snapshot(subjectServer), await snapshot(referenceServer)];
      for (const type of Object.keys(want)) expect(got[type], type).toEqual(want[type]);
    }, 180_000);
  });
});
