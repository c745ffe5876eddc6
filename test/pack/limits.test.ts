/**
 * Resource limits (issue 10 item 8): nothing the loader is pointed at can hang it or exhaust its
 * memory. Non-regular files are refused without being opened for reading; files and archive
 * entries over the per-file limit, and input past the total limit, are findings; archive entries
 * are judged from their headers before they are read; a parser that runs out of memory on huge
 * code is a finding, not E_INTERNAL.
 */
import { spawnSync } from 'node:child_process';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { createGzip } from 'node:zlib';
import tar from 'tar-stream';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, ReadBudget, formatSize, parseSize, readText } from '../../src/pack/limits.js';
import { extractArchive } from '../../src/pack/archive.js';
import { analyzeResourceFile, newLoadContext, rootInfo } from '../../src/pack/load.js';
import type { PythonParser } from '../../src/code/python.js';
import { validatePaths } from '../../src/validate/validate.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(REPO, 'bin', 'run.js');
const BUILT = existsSync(join(REPO, 'dist', 'commands', 'validate.js'));

const dir = mkdtempSync(join(tmpdir(), 'strata-limits-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function mkfifo(path: string): void {
  const made = spawnSync('mkfifo', [path]);
  if (made.status !== 0) throw new Error(`mkfifo failed: ${made.stderr.toString()}`);
}

function write(path: string, text: string | Buffer): string {
  const full = join(dir, path);
  mkdirSync(join(full, '..'), { recursive: true });
  writeFileSync(full, text);
  return full;
}

describe('sizes', () => {
  it('parses sizes in powers of 1024 and refuses anything else', () => {
    expect(parseSize('1048576')).toBe(1048576);
    expect(parseSize('64MiB')).toBe(64 * 1024 * 1024);
    expect(parseSize('64mb')).toBe(64 * 1024 * 1024);
    expect(parseSize('512k')).toBe(512 * 1024);
    expect(parseSize('1.5G')).toBe(1.5 * 1024 ** 3);
    for (const bad of ['', '12x', '-1', '0', 'MiB', '1e9']) expect(parseSize(bad), bad).toBeUndefined();
  });

  it('formats sizes for people', () => {
    expect(formatSize(742)).toBe('742 B');
    expect(formatSize(16 * 1024 * 1024)).toBe('16.0 MiB');
    expect(formatSize(200_000_032)).toBe('190.7 MiB');
  });

  it('has defaults far above a real library (its largest contract is a few hundred KB)', () => {
    expect(DEFAULT_LIMITS.fileBytes).toBeGreaterThanOrEqual(16 * 1024 * 1024);
    expect(DEFAULT_LIMITS.totalBytes).toBeGreaterThanOrEqual(256 * 1024 * 1024);
  });
});

describe('readText', () => {
  const limits = { ...DEFAULT_LIMITS, fileBytes: 100, totalBytes: 150 };

  it('refuses a FIFO without opening it (opening one for reading would block)', () => {
    const fifo = join(dir, 'pipe.yaml');
    mkfifo(fifo);
    expect(readText(fifo, limits, null)).toEqual({
      refused: { kind: 'not-regular', what: 'a FIFO (named pipe)' },
    });
  });

  it('refuses a directory, a file over the per-file limit, and binary data', () => {
    mkdirSync(join(dir, 'a-directory'));
    expect(readText(join(dir, 'a-directory'), limits, null)).toEqual({
      refused: { kind: 'not-regular', what: 'a directory' },
    });
    expect(readText(write('big.yaml', 'x'.repeat(101)), limits, null)).toEqual({
      refused: { kind: 'too-large', size: 101, limit: 100 },
    });
    expect(readText(write('nul.yaml', 'a: 1\nb: 2\n\0'), limits, null)).toEqual({
      refused: { kind: 'binary', line: 3 },
    });
    expect(readText(join(dir, 'missing.yaml'), limits, null)).toMatchObject({
      refused: { kind: 'unreadable', message: expect.stringContaining('ENOENT') },
    });
  });

  it('reads UTF-8 text as it is, and counts it against the budget', () => {
    const budget = new ReadBudget(limits);
    expect(readText(write('a.yaml', 'é: "1"\r\n'.padEnd(80, ' ')), limits, budget)).toEqual({
      text: 'é: "1"\r\n'.padEnd(80, ' '),
    });
    expect(readText(write('b.yaml', 'x'.repeat(80)), limits, budget)).toEqual({
      refused: { kind: 'over-total', size: 80, limit: 150 },
    });
    // A refused file takes nothing: a smaller one still fits.
    expect(readText(write('c.yaml', 'x'.repeat(60)), limits, budget)).toEqual({ text: 'x'.repeat(60) });
  });

  it('shares one budget between threads through shared memory', () => {
    const main = new ReadBudget(limits);
    const worker = new ReadBudget(limits, main.shared);
    expect(main.take(100)).toBe(true);
    expect(worker.take(60)).toBe(false);
    expect(worker.take(50)).toBe(true);
    expect(main.take(1)).toBe(false);
  });
});

describe('loading', () => {
  const pack = (name: string, code: string) => {
    write(`${name}/manifest.yaml`, 'pack_version: 1.0.0\npack_name: p\nresource_ids: [c]\n');
    write(
      `${name}/c.resource.yaml`,
      `type: SMART_CONTRACT_VERSION\nid: c\npayload: |\n  product_version:\n    product_id: c\n    display_name: C\n    code: "${code}"\n`,
    );
    return join(dir, name);
  };

  it('does not hang on a FIFO manifest, a FIFO archive, or a FIFO named in @{}', async () => {
    const root = pack('fifos', '@{c.py}');
    mkfifo(join(root, 'c.py'));
    mkfifo(join(root, 'x_manifest.yaml'));
    mkfifo(join(root, 'bundle.tgz'));
    const result = await validatePaths(['manifest.yaml', 'x_manifest.yaml', 'bundle.tgz'], { cwd: root });
    expect(result.findings.filter((f) => f.code === 'E_FILE_NOT_REGULAR').map((f) => f.file)).toEqual([
      'bundle.tgz',
      'c.resource.yaml',
      'x_manifest.yaml',
    ]);
  });

  it('reports code the Python parser runs out of memory on, and the code after it, instead of failing the run', () => {
    const root = pack('oom', 'api = 1');
    write(
      'oom/d.resource.yaml',
      'type: SUPERVISOR_CONTRACT_VERSION\nid: d\npayload: |\n  supervisor_contract_version:\n    supervisor_contract_id: s\n    code: "api = 2"\n',
    );
    const aborting: PythonParser = {
      withTree() {
        const err = new Error('Aborted(). Build with -sASSERTIONS for more info.');
        err.name = 'RuntimeError';
        throw err;
      },
    } as unknown as PythonParser;
    const ctx = newLoadContext(
      (a) => a.slice(root.length + 1),
      aborting,
      false,
      new ReadBudget(DEFAULT_LIMITS),
    );
    const info = rootInfo(root);
    const first = analyzeResourceFile(join(root, 'c.resource.yaml'), info, new Set(['c']), ctx);
    const second = analyzeResourceFile(join(root, 'd.resource.yaml'), info, new Set(['d']), ctx);
    expect(first.analyses[0]?.findings).toEqual([
      expect.objectContaining({
        code: 'E_FILE_TOO_LARGE',
        message: 'contract code (7 B) was not analysed: the Python parser ran out of memory',
      }),
    ]);
    expect(second.analyses[0]?.findings[0]?.message).toContain('ran out of memory earlier in this run');
  });

  it('lets a bug in the parser through as a bug', () => {
    const root = pack('bug', 'api = 1');
    const broken = {
      withTree() {
        throw new TypeError('cannot read properties of undefined');
      },
    } as unknown as PythonParser;
    const ctx = newLoadContext((a) => a, broken, false, new ReadBudget(DEFAULT_LIMITS));
    expect(() =>
      analyzeResourceFile(join(root, 'c.resource.yaml'), rootInfo(root), new Set(['c']), ctx),
    ).toThrow(TypeError);
  });
});

describe('archives', () => {
  async function tgz(name: string, entries: Array<{ name: string; data?: Buffer; type?: 'fifo' }>) {
    const out = join(dir, name);
    const pack = tar.pack();
    const done = pipeline(pack, createGzip(), createWriteStream(out));
    for (const e of entries) {
      if (e.type) pack.entry({ name: e.name, type: e.type });
      else pack.entry({ name: e.name, size: e.data?.length ?? 0 }, e.data ?? Buffer.alloc(0));
    }
    pack.finalize();
    await done;
    return out;
  }

  it('refuses an entry over the per-file limit from its header, without extracting it', async () => {
    const file = await tgz('big.tgz', [
      { name: 'manifest.yaml', data: Buffer.from('x') },
      { name: 'zero.resource.yaml', data: Buffer.alloc(3 * 1024 * 1024) },
    ]);
    const extracted = await extractArchive(file, { ...DEFAULT_LIMITS, fileBytes: 1024 * 1024 });
    try {
      expect(extracted.problems).toEqual([
        {
          kind: 'too-large',
          entry: 'zero.resource.yaml',
          message:
            'archive entry "zero.resource.yaml" is 3.0 MiB, over the limit of 1.0 MiB for one file; it was not extracted',
        },
      ]);
      expect(readdirSync(extracted.dir)).toEqual(['manifest.yaml']);
    } finally {
      await extracted.cleanup();
    }
  });

  it('stops at the total limit and at the entry count', async () => {
    const entries = ['a', 'b', 'c'].map((n) => ({
      name: `${n}.resource.yaml`,
      data: Buffer.alloc(600, 0x20),
    }));
    const file = await tgz('many.tgz', entries);
    const total = await extractArchive(file, { ...DEFAULT_LIMITS, totalBytes: 1000 });
    const count = await extractArchive(file, { ...DEFAULT_LIMITS, archiveEntries: 2 });
    try {
      expect(total.problems).toEqual([
        expect.objectContaining({
          kind: 'over-total',
          entry: '',
          message: expect.stringContaining('1000 B'),
        }),
      ]);
      expect(count.problems).toEqual([
        expect.objectContaining({
          kind: 'over-total',
          message: expect.stringContaining('more than 2 entries'),
        }),
      ]);
    } finally {
      await total.cleanup();
      await count.cleanup();
    }
  });

  it('refuses a FIFO entry, and validate says so at the entry', async () => {
    const root = join(dir, 'fifo-entry');
    mkdirSync(root);
    await tgz('fifo-entry/bundle.tgz', [
      {
        name: 'p/manifest.yaml',
        data: Buffer.from('pack_version: 1.0.0\npack_name: p\nresource_ids: [a]\n'),
      },
      { name: 'p/a.resource.yaml', type: 'fifo' },
    ]);
    const result = await validatePaths(['bundle.tgz'], { cwd: root });
    expect(result.findings).toContainEqual(
      expect.objectContaining({ code: 'E_FILE_NOT_REGULAR', file: 'bundle.tgz!/p/a.resource.yaml' }),
    );
  });
});

describe.skipIf(!BUILT)('the CLI (needs npm run build)', () => {
  const run = (cwd: string, ...args: string[]) =>
    spawnSync(process.execPath, [CLI, 'validate', ...args], {
      cwd,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });

  it('raises the per-file limit with --max-file-size, and refuses a value that is not a size (exit 64)', () => {
    const root = join(dir, 'cli');
    write('cli/manifest.yaml', 'pack_version: 1.0.0\npack_name: p\nresource_ids: [F]\n');
    write(
      'cli/f.resource.yaml',
      `type: FLAG_DEFINITION\nid: F\npayload: |\n  flag_definition: {id: F, name: F}\n# ${'x'.repeat(2000)}\n`,
    );
    const low = run(root, 'manifest.yaml', '--max-file-size', '1k');
    expect(low.status).toBe(1);
    expect(low.stdout).toContain(
      'f.resource.yaml:1:1: error E_FILE_TOO_LARGE f.resource.yaml is 2.0 KiB, over the limit of 1.0 KiB',
    );
    expect(run(root, 'manifest.yaml', '--max-file-size', '4k').status).toBe(0);
    const bad = run(root, 'manifest.yaml', '--max-total-size', 'lots');
    expect(bad.status).toBe(64);
    expect(bad.stderr).toContain('--max-total-size "lots" is not a size');
  });
});
