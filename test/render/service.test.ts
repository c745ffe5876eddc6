import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { codeFactsStore } from '../../src/code/cache.js';
import { nodeIO, type RenderIO } from '../../src/render/io.js';
import { featureImportsOf, findRoot } from '../../src/render/paths.js';
import { renderedContractPath } from '../../src/resource/rendered-path.js';
import { renderTemplates, RenderUsageError } from '../../src/render/service.js';
import { cleanTrees, template, writeTree } from './helpers.js';

afterAll(cleanTrees);

const FILES = {
  'lib/features/a.py': 'A = 1\n',
  'lib/products/p/contracts/template/t.py': template('X = a.A\n', 'import features.a as a'),
};

/** nodeIO that counts reads and writes. */
function countingIO(real: RenderIO = nodeIO()): RenderIO & { reads: Map<string, number>; writes: string[] } {
  const reads = new Map<string, number>();
  const writes: string[] = [];
  return {
    ...real,
    reads,
    writes,
    readFile(path) {
      reads.set(path, (reads.get(path) ?? 0) + 1);
      return real.readFile(path);
    },
    writeFile(path, text) {
      writes.push(path);
      real.writeFile(path, text);
    },
  };
}

describe('output paths', () => {
  it('puts contracts/template/x.py next to the template folder as contracts/x_rendered.py', () => {
    expect(renderedContractPath('/r/contracts/template/x.py')).toBe('/r/contracts/x_rendered.py');
    expect(renderedContractPath('/r/elsewhere/x.py')).toBe('/r/elsewhere/x_rendered.py');
  });

  it('writes to -o OUT, or into --out-dir DIR as <stem>_rendered.py', async () => {
    const dir = writeTree(FILES);
    const t = 'lib/products/p/contracts/template/t.py';
    const o = await renderTemplates([t], { cwd: dir, version: 'v', git: false, out: 'build/one.py' });
    expect(o.templates[0]).toMatchObject({ status: 'written', output: 'build/one.py' });
    const d = await renderTemplates([t], { cwd: dir, version: 'v', git: false, outDir: 'dist' });
    expect(d.templates[0]).toMatchObject({ status: 'written', output: 'dist/t_rendered.py' });
    expect(readFileSync(join(dir, 'dist/t_rendered.py'), 'utf8')).toBe(
      readFileSync(join(dir, 'build/one.py'), 'utf8'),
    );
  });

  it.each([
    [{ out: 'x.py' }, ['a.py', 'b.py'], '-o/--out names one output file, but several templates were given'],
    [{ out: 'x.py', outDir: 'd' }, ['a.py'], '--out and --out-dir cannot be used together'],
    [{ outDir: 'd' }, ['one/t.py', 'two/t.py'], 'one/t.py and two/t.py would both render to d/t_rendered.py'],
    [{ out: 'a.py' }, ['a.py'], 'the output path a.py is the template itself'],
    [{}, [], 'no template given'],
  ])('refuses inconsistent options %j for %j', async (options, templates, message) => {
    const run = renderTemplates(templates, { cwd: '/tmp', version: 'v', ...options });
    await expect(run).rejects.toThrow(RenderUsageError);
    await expect(run).rejects.toThrow(message);
  });
});

describe('the module root', () => {
  it('defaults to the nearest directory above the template from which its feature imports resolve', async () => {
    const dir = writeTree(FILES);
    const r = await renderTemplates(['lib/products/p/contracts/template/t.py'], {
      cwd: dir,
      version: 'v',
      git: false,
    });
    expect(r.templates[0]).toMatchObject({ status: 'written', root: 'lib' });
    const text = readFileSync(join(dir, 'lib/products/p/contracts/t_rendered.py'), 'utf8');
    expect(text).toContain('#    features/a.py\n');
    expect(text).toContain('#    products/p/contracts/template/t.py\n');
  });

  it('uses --root when given (and reports modules it cannot find there)', async () => {
    const dir = writeTree(FILES);
    const ok = await renderTemplates(['lib/products/p/contracts/template/t.py'], {
      cwd: dir,
      version: 'v',
      git: false,
      root: 'lib',
    });
    expect(ok.templates[0]?.status).toBe('written');
    const wrong = await renderTemplates(['lib/products/p/contracts/template/t.py'], {
      cwd: dir,
      version: 'v',
      git: false,
      root: 'lib/products',
    });
    expect(wrong.status).toBe('FAILED');
    expect(wrong.templates[0]?.errors[0]).toMatchObject({ code: 'E_RENDER_MODULE', line: 1 });
    const missing = await renderTemplates(['lib/products/p/contracts/template/t.py'], {
      cwd: dir,
      version: 'v',
      root: 'nowhere',
    });
    expect(missing.templates[0]?.errors[0]).toMatchObject({ code: 'E_RENDER_READ', file: 'nowhere' });
  });

  it('falls back to the git top level, then the working directory, when no import resolves', () => {
    const isFile = () => false;
    const inRepo = { isFile, exists: (p: string) => p === '/w/repo/.git' };
    expect(findRoot('/w/repo/a/t.py', ['x.y'], '/cwd', inRepo)).toBe('/w/repo');
    expect(findRoot('/w/repo/a/t.py', ['x.y'], '/cwd', { isFile, exists: () => false })).toBe('/cwd');
    expect(findRoot('/w/repo/a/t.py', [], '/cwd', { isFile, exists: () => false })).toBe('/cwd');
  });
});

describe('loading', () => {
  it('reads and parses each file once, however often it is imported', async () => {
    const dir = writeTree({
      'features/base.py': 'B = 1\n',
      'features/x.py': 'import features.base as base\nX = base.B\n',
      'features/y.py': 'import features.base as base\nimport features.x as x\nY = base.B + x.X\n',
      'contracts/template/t.py': template(
        'Z = x.X + y.Y + base.B\n',
        'import features.x as x\nimport features.y as y\nimport features.base as base',
      ),
    });
    const io = countingIO();
    const r = await renderTemplates(['contracts/template/t.py'], { cwd: dir, version: 'v', git: false }, io);
    expect(r.status).toBe('OK');
    const featureReads = [...io.reads].filter(([p]) => p.includes('/features/'));
    expect(featureReads.map(([, n]) => n)).toEqual([1, 1, 1]);
  });

  it('remembers syntax verdicts in the code-facts store it is given, and reads them back', async () => {
    const dir = writeTree(FILES);
    const t = 'lib/products/p/contracts/template/t.py';
    const store = codeFactsStore(join(dir, 'cache'), 'salt')!;
    const sets: string[] = [];
    const recording = {
      get: (code: string) => store.get(code),
      set: (code: string, facts: Parameters<typeof store.set>[1]) => (
        sets.push(code),
        store.set(code, facts)
      ),
    };
    const opts = { cwd: dir, version: 'v', git: false, out: 'a.py' };
    expect((await renderTemplates([t], opts, { ...nodeIO(null), codeFacts: recording })).status).toBe('OK');
    expect(sets).toHaveLength(2);
    expect(
      (await renderTemplates([t], { ...opts, out: 'b.py' }, { ...nodeIO(null), codeFacts: recording }))
        .status,
    ).toBe('OK');
    expect(sets).toHaveLength(2);
    // A verdict in the store is taken as it is: the store, not a parse, decides.
    const feature = readFileSync(join(dir, 'lib/features/a.py'), 'utf8');
    const facts = store.get(feature)!;
    store.set(feature, { ...facts, syntaxErrors: [{ line: 1, column: 1, message: 'remembered' }] });
    const r = await renderTemplates([t], { ...opts, out: 'c.py' }, { ...nodeIO(null), codeFacts: store });
    expect(r.templates[0]?.errors).toMatchObject([{ code: 'E_RENDER_SYNTAX', message: 'remembered' }]);
    const none = await renderTemplates([t], { ...opts, out: 'd.py' }, nodeIO(null));
    expect(none.status).toBe('OK');
  });

  it('reports a template that cannot be read', async () => {
    const r = await renderTemplates(['nope/template/t.py'], { cwd: '/tmp', version: 'v' });
    expect(r.status).toBe('FAILED');
    expect(r.templates[0]?.errors).toEqual([
      expect.objectContaining({ code: 'E_RENDER_READ', file: 'nope/template/t.py', line: 1 }),
    ]);
  });

  it('renders several templates, each with its own result', async () => {
    const dir = writeTree({
      ...FILES,
      'lib/products/q/contracts/template/u.py': template('Y = a.nope\n', 'import features.a as a'),
    });
    const r = await renderTemplates(
      ['lib/products/p/contracts/template/t.py', 'lib/products/q/contracts/template/u.py'],
      { cwd: dir, version: 'v', git: false },
    );
    expect(r.status).toBe('FAILED');
    expect(r.templates.map((t) => t.status)).toEqual(['written', 'failed']);
  });
});

describe('--check and rewriting', () => {
  it('reports up to date, stale (with a unified diff) and missing outputs, and writes nothing', async () => {
    const dir = writeTree(FILES);
    const t = 'lib/products/p/contracts/template/t.py';
    const out = join(dir, 'lib/products/p/contracts/t_rendered.py');
    const io = countingIO();
    const missing = await renderTemplates([t], { cwd: dir, version: 'v', git: false, check: true }, io);
    expect(missing.status).toBe('STALE');
    expect(missing.templates[0]?.diff).toMatch(
      /^--- \/dev\/null\n\+\+\+ lib\/products\/p\/contracts\/t_rendered\.py \(rendered\)\n@@ -0,0 \+1,\d+ @@\n\+# Code auto-generated/,
    );
    expect(io.writes).toEqual([]);

    await renderTemplates([t], { cwd: dir, version: 'v', git: false });
    const fresh = await renderTemplates([t], { cwd: dir, version: 'v', git: false, check: true }, io);
    expect(fresh.status).toBe('OK');
    expect(fresh.templates[0]?.status).toBe('up_to_date');
    expect(fresh.templates[0]?.diff).toBeUndefined();

    writeFileSync(out, readFileSync(out, 'utf8').replace('a_A = 1', 'a_A = 2'));
    const stale = await renderTemplates([t], { cwd: dir, version: 'v', git: false, check: true }, io);
    expect(stale.status).toBe('STALE');
    expect(stale.templates[0]?.diff).toContain('-a_A = 2\n+a_A = 1\n');
    expect(io.writes).toEqual([]);
  });

  it('finds an output without its final newline stale, and its diff says so', async () => {
    const dir = writeTree(FILES);
    const t = 'lib/products/p/contracts/template/t.py';
    const out = join(dir, 'lib/products/p/contracts/t_rendered.py');
    await renderTemplates([t], { cwd: dir, version: 'v', git: false });
    writeFileSync(out, readFileSync(out, 'utf8').replace(/\n$/, ''));
    const r = await renderTemplates([t], { cwd: dir, version: 'v', git: false, check: true });
    expect(r.templates[0]?.status).toBe('stale');
    expect(r.templates[0]?.diff).toMatch(/\n-X = a_A\n\\ No newline at end of file\n\+X = a_A\n$/);
  });

  it('accepts an output checked out with CRLF line endings as up to date', async () => {
    const dir = writeTree(FILES);
    const t = 'lib/products/p/contracts/template/t.py';
    const out = join(dir, 'lib/products/p/contracts/t_rendered.py');
    await renderTemplates([t], { cwd: dir, version: 'v', git: false });
    writeFileSync(out, readFileSync(out, 'utf8').replace(/\n/g, '\r\n'));
    const r = await renderTemplates([t], { cwd: dir, version: 'v', git: false, check: true });
    expect(r.templates[0]?.status).toBe('up_to_date');
  });

  it('leaves an up-to-date output untouched when rendering', async () => {
    const dir = writeTree(FILES);
    const t = 'lib/products/p/contracts/template/t.py';
    const io = countingIO();
    const first = await renderTemplates([t], { cwd: dir, version: 'v', git: false }, io);
    const second = await renderTemplates([t], { cwd: dir, version: 'v', git: false }, io);
    expect(first.templates[0]?.status).toBe('written');
    expect(second.templates[0]?.status).toBe('unchanged');
    expect(io.writes).toHaveLength(1);
  });
});

/** Run real git in `cwd` as a fixed author, so commits need no user configuration. */
function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=Strata Test', '-c', 'user.email=test@example.com', ...args], {
    cwd,
    encoding: 'utf8',
  }).trim();
}

describe('--check compares content, not provenance (header git: parts)', () => {
  const t = 'lib/products/p/contracts/template/t.py';
  const out = 'lib/products/p/contracts/t_rendered.py';

  /** A real git repository holding FILES, committed. */
  function repo(): string {
    const dir = writeTree(FILES);
    git(dir, 'init', '-q');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-qm', 'first');
    return dir;
  }
  const check = (dir: string, withGit: boolean) =>
    renderTemplates([t], { cwd: dir, version: 'v', git: withGit, check: true });

  it('passes a render made with git, checked with and without git and after a new commit', async () => {
    const dir = repo();
    const first = git(dir, 'rev-parse', 'HEAD');
    expect((await renderTemplates([t], { cwd: dir, version: 'v' })).templates[0]?.status).toBe('written');
    const text = readFileSync(join(dir, out), 'utf8');
    expect(text).toContain(` git:${first}\n`);
    git(dir, 'add', '-A');
    git(dir, 'commit', '-qm', 'render');

    expect((await check(dir, true)).templates[0]?.status).toBe('up_to_date');
    expect((await check(dir, false)).templates[0]?.status).toBe('up_to_date');
    // New commits: one elsewhere (HEAD moves), then a change to a.py and its revert (a.py's last
    // commit moves, its content does not).
    writeFileSync(join(dir, 'notes.txt'), 'later\n');
    git(dir, 'add', 'notes.txt');
    git(dir, 'commit', '-qm', 'elsewhere');
    writeFileSync(join(dir, 'lib/features/a.py'), 'A = 3\n');
    git(dir, 'commit', '-qam', 'change a');
    writeFileSync(join(dir, 'lib/features/a.py'), 'A = 1\n');
    git(dir, 'commit', '-qam', 'revert a');
    expect(git(dir, 'log', '-1', '--format=%H', '--', 'lib/features/a.py')).not.toBe(first);
    expect((await check(dir, true)).templates[0]?.status).toBe('up_to_date');
    expect(readFileSync(join(dir, out), 'utf8')).toBe(text);
  });

  it('passes a render made without git, checked with git', async () => {
    const dir = repo();
    await renderTemplates([t], { cwd: dir, version: 'v', git: false });
    expect(readFileSync(join(dir, out), 'utf8')).not.toContain(' git:');
    const r = await check(dir, true);
    expect(r.status).toBe('OK');
    expect(r.templates[0]?.status).toBe('up_to_date');
  });

  it('passes a render whose sources changed commits since (a new commit of each file)', async () => {
    const dir = repo();
    await renderTemplates([t], { cwd: dir, version: 'v' });
    const before = readFileSync(join(dir, out), 'utf8');
    // Rewrite both sources with different bytes that normalise to the same text (CRLF), commit.
    for (const f of ['lib/features/a.py', t]) {
      const p = join(dir, f);
      writeFileSync(p, readFileSync(p, 'utf8').replace(/\n/g, '\r\n'));
    }
    git(dir, 'commit', '-qam', 'CRLF');
    const head = git(dir, 'rev-parse', 'HEAD');
    const fresh = await renderTemplates([t], { cwd: dir, version: 'v', out: 'fresh.py' });
    expect(readFileSync(join(dir, 'fresh.py'), 'utf8')).toContain(` git:${head}\n`);
    expect(before).not.toContain(head);
    expect(fresh.status).toBe('OK');
    expect((await check(dir, true)).templates[0]?.status).toBe('up_to_date');
  });

  it('still finds a file stale when an md5 or the code differs, and its diff shows only that', async () => {
    const dir = repo();
    await renderTemplates([t], { cwd: dir, version: 'v' });
    git(dir, 'add', '-A');
    git(dir, 'commit', '-qm', 'render');
    writeFileSync(join(dir, 'lib/features/a.py'), 'A = 1\nB = 2\n');
    git(dir, 'commit', '-qam', 'unused B');
    const md5Only = await check(dir, true);
    expect(md5Only.templates[0]?.status).toBe('stale');
    const diff = md5Only.templates[0]?.diff ?? '';
    // One header changes (the feature's md5 and commit); the template's headers are unchanged.
    expect(diff.match(/^[-+]# md5:/gm)).toHaveLength(2);
    expect(diff).not.toMatch(/^[-+](?!# md5:|--|\+\+)/m);

    writeFileSync(join(dir, out), readFileSync(join(dir, out), 'utf8').replace('X = a_A', 'X = a_A + 0'));
    const code = await check(dir, false);
    expect(code.templates[0]?.status).toBe('stale');
    expect(code.templates[0]?.diff).toContain('-X = a_A + 0\n+X = a_A\n');
  });
});

describe('git commits in headers (the node adapter)', () => {
  it('asks git for the last commit of each file inside a work tree', async () => {
    // A stand-in `git` on PATH: prints a commit for a.py, nothing for new.py.
    const dir = writeTree({ 'repo/a.py': 'A = 1\n', 'repo/new.py': 'B = 1\n' });
    mkdirSync(join(dir, 'repo/.git'));
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    writeFileSync(
      join(bin, 'git'),
      '#!/bin/sh\ncase "$*" in *a.py*) echo 0123456789abcdef0123456789abcdef01234567;; esac\n',
    );
    chmodSync(join(bin, 'git'), 0o755);
    const path = process.env.PATH;
    process.env.PATH = `${bin}:${path ?? ''}`;
    try {
      const commits = await nodeIO(null).lastCommits(
        [join(dir, 'repo/a.py'), join(dir, 'repo/new.py')],
        join(dir, 'repo'),
      );
      expect([...commits]).toEqual([[join(dir, 'repo/a.py'), '0123456789abcdef0123456789abcdef01234567']]);
    } finally {
      process.env.PATH = path;
    }
  });

  it('does not run git outside a work tree', async () => {
    const dir = writeTree({ 'a.py': 'A = 1\n' });
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      expect(await nodeIO(null).lastCommits([join(dir, 'a.py')], dir)).toEqual(new Map());
    } finally {
      process.env.PATH = path;
    }
  });
});

describe('featureImportsOf', () => {
  it('lists aliased imports of modules other than contracts_api, its extensions and standard modules', () => {
    const code = [
      'import features.a as a',
      'import math',
      'import json as j',
      'import contracts_api as c',
      'import x.contracts_api_extensions as ext',
      '    import features.indented as i',
      'import features.b.c  as  c',
    ].join('\n');
    expect(featureImportsOf(code)).toEqual(['features.a', 'features.b.c']);
  });
});
