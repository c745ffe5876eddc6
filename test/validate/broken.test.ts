/**
 * The corpus of broken inputs: every directory under test/fixtures/broken/ is one case, a small
 * pack (or bundle, or archive) with an `expect.json` naming the findings `validate` must report,
 * each at an exact file, line and column (worked out by hand from the fixture files).
 *
 * expect.json:
 *   path      what to pass to validate, relative to the case directory
 *   note      free text for people (why the case exists, what the right answer is)
 *   setup     things git or the editor cannot hold, made in a temporary copy of the case:
 *             symlinks [{path, target}], fifos [path] (named pipes),
 *             archives [{output, format: tar.gz|zip, entries}]
 *             (entry: {name, file} copies a fixture file, {name, symlink} makes a link entry)
 *   limits    read limits to validate with instead of the defaults (small, to keep fixtures small)
 *   findings  [{code, file, line, column, message_includes?, hint_includes?}] that must appear
 *   absent    [{code, file, line, column}] that must not appear
 *
 * The status must be INVALID when an expected finding is an error, VALID when all are warnings.
 */
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  createWriteStream,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { createGzip, deflateRawSync } from 'node:zlib';
import tar from 'tar-stream';
import { afterAll, describe, expect, it } from 'vitest';
import { FINDING_CODES } from '../../src/findings.js';
import { validatePaths, type FindingJson, type ValidateResult } from '../../src/validate/validate.js';
import { DEFAULT_LIMITS, type ReadLimits } from '../../src/pack/limits.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const CASES_DIR = join(REPO, 'test', 'fixtures', 'broken');
const CLI = join(REPO, 'bin', 'run.js');
const BUILT = existsSync(join(REPO, 'dist', 'commands', 'validate.js'));

interface ExpectedFinding {
  code: string;
  file: string;
  line: number;
  column: number;
  message_includes?: string;
  hint_includes?: string;
}

interface ArchiveEntry {
  name: string;
  /** Fixture file (relative to the case directory) holding the entry's content. */
  file?: string;
  /** Link target: the entry is a symbolic link. */
  symlink?: string;
}

interface CaseExpect {
  path: string;
  note?: string;
  setup?: {
    symlinks?: Array<{ path: string; target: string }>;
    fifos?: string[];
    archives?: Array<{ output: string; format: 'tar.gz' | 'zip'; entries: ArchiveEntry[] }>;
  };
  findings: ExpectedFinding[];
  absent?: ExpectedFinding[];
  limits?: Partial<ReadLimits>;
}

interface Case {
  name: string;
  dir: string;
  expect: CaseExpect;
}

function loadCases(): Case[] {
  return readdirSync(CASES_DIR, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort()
    .map((name) => {
      const dir = join(CASES_DIR, name);
      const expect = JSON.parse(readFileSync(join(dir, 'expect.json'), 'utf8')) as CaseExpect;
      return { name, dir, expect };
    });
}

const CASES = loadCases();
const temporary: string[] = [];

afterAll(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------
// Archives, built at run time (an archive with a `../` entry is not something to keep in git).

async function writeTarGz(
  output: string,
  entries: Array<{ name: string; data?: Buffer; symlink?: string }>,
): Promise<void> {
  const pack = tar.pack();
  const done = pipeline(pack, createGzip(), createWriteStream(output));
  for (const e of entries) {
    if (e.symlink !== undefined) pack.entry({ name: e.name, type: 'symlink', linkname: e.symlink });
    else pack.entry({ name: e.name, size: e.data?.length ?? 0 }, e.data ?? Buffer.alloc(0));
  }
  pack.finalize();
  await done;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(data: Buffer): number {
  let c = 0xffffffff;
  for (const byte of data) c = (CRC_TABLE[(c ^ byte) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A zip written by hand (deflate, no data descriptors), so entry names are exactly as given. */
function writeZip(output: string, entries: Array<{ name: string; data?: Buffer; symlink?: string }>): void {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const raw = e.symlink !== undefined ? Buffer.from(e.symlink) : (e.data ?? Buffer.alloc(0));
    const mode = e.symlink !== undefined ? 0o120777 : 0o100644;
    const name = Buffer.from(e.name, 'utf8');
    const data = deflateRawSync(raw);
    const crc = crc32(raw);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x0800, 6); // flags: UTF-8 names
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt16LE(0, 10); // time
    local.writeUInt16LE(0x21, 12); // date 1980-01-01
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(raw.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(0x031e, 4); // made by: Unix, 3.0
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt16LE(0, 12);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(raw.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt16LE(0, 30); // extra
    central.writeUInt16LE(0, 32); // comment
    central.writeUInt16LE(0, 34); // disk
    central.writeUInt16LE(0, 36); // internal attributes
    central.writeUInt32LE((mode << 16) >>> 0, 38); // external attributes: Unix mode
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, data);
    centrals.push(central, name);
    offset += local.length + name.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  writeFileSync(output, Buffer.concat([...locals, directory, end]));
}

/** The directory to validate in: the case itself, or a temporary copy with its setup made. */
async function prepare(c: Case): Promise<string> {
  const setup = c.expect.setup;
  if (!setup) return c.dir;
  const dir = mkdtempSync(join(tmpdir(), `strata-broken-${c.name}-`));
  temporary.push(dir);
  cpSync(c.dir, dir, { recursive: true });
  for (const link of setup.symlinks ?? []) {
    const at = join(dir, link.path);
    mkdirSync(dirname(at), { recursive: true });
    symlinkSync(link.target, at);
  }
  for (const fifo of setup.fifos ?? []) {
    mkdirSync(dirname(join(dir, fifo)), { recursive: true });
    const made = spawnSync('mkfifo', [join(dir, fifo)]);
    if (made.status !== 0) throw new Error(`mkfifo ${fifo} failed: ${made.stderr.toString()}`);
  }
  for (const archive of setup.archives ?? []) {
    const entries = archive.entries.map((e) => {
      const out: { name: string; data?: Buffer; symlink?: string } = { name: e.name };
      if (e.symlink !== undefined) out.symlink = e.symlink;
      if (e.file !== undefined) out.data = readFileSync(join(c.dir, e.file));
      return out;
    });
    const output = join(dir, archive.output);
    if (archive.format === 'zip') writeZip(output, entries);
    else await writeTarGz(output, entries);
  }
  return dir;
}

// ---------------------------------------------------------------------------------------------

function show(f: FindingJson | ExpectedFinding): string {
  return `${f.file}:${f.line}:${f.column}: ${f.code}`;
}

function samePlace(f: FindingJson, e: ExpectedFinding): boolean {
  return f.code === e.code && f.file === e.file && f.line === e.line && f.column === e.column;
}

/** Every way `result` falls short of `expected`, as readable lines (empty when it does not). */
function shortfalls(result: ValidateResult, expected: CaseExpect): string[] {
  const problems: string[] = [];
  for (const e of expected.findings) {
    const at = result.findings.filter((f) => samePlace(f, e));
    if (at.length === 0) {
      problems.push(`missing ${show(e)}`);
      continue;
    }
    if (
      e.message_includes !== undefined &&
      !at.some((f) => f.message.includes(e.message_includes as string))
    ) {
      problems.push(`${show(e)}: message does not include ${JSON.stringify(e.message_includes)}`);
    }
    if (
      e.hint_includes !== undefined &&
      !at.some((f) => (f.hint ?? '').includes(e.hint_includes as string))
    ) {
      problems.push(`${show(e)}: hint does not include ${JSON.stringify(e.hint_includes)}`);
    }
  }
  for (const e of expected.absent ?? []) {
    if (result.findings.some((f) => samePlace(f, e))) problems.push(`unexpected ${show(e)}`);
  }
  const wanted = expected.findings.some((e) => e.code.startsWith('E_')) ? 'INVALID' : 'VALID';
  if (result.status !== wanted) problems.push(`status ${result.status}, expected ${wanted}`);
  return problems;
}

function actual(result: ValidateResult): string {
  return result.findings
    .map((f) => `  ${show(f)} ${f.message}${f.hint ? ` [hint: ${f.hint}]` : ''}`)
    .join('\n');
}

describe('broken inputs corpus', () => {
  it('has at least 45 cases, each expecting at least one finding', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(45);
    for (const c of CASES) {
      expect(c.expect.findings.length, c.name).toBeGreaterThan(0);
      expect(typeof c.expect.path, c.name).toBe('string');
    }
  });

  it('covers every finding code of the catalog', () => {
    const covered = new Set(CASES.flatMap((c) => c.expect.findings.map((f) => f.code)));
    const uncovered = Object.keys(FINDING_CODES).filter((code) => !covered.has(code));
    expect(uncovered).toEqual([]);
    const unknown = [...covered].filter((code) => !(code in FINDING_CODES));
    expect(unknown).toEqual([]);
  });

  it('names only files that exist in the fixtures (or are made by the setup)', () => {
    const problems: string[] = [];
    for (const c of CASES) {
      const made = new Set([
        ...(c.expect.setup?.symlinks ?? []).map((s) => s.path),
        ...(c.expect.setup?.fifos ?? []),
        ...(c.expect.setup?.archives ?? []).map((a) => a.output),
      ]);
      for (const f of c.expect.findings) {
        if (f.code === 'E_PATH_NOT_FOUND') continue;
        const file = f.file.split('!/')[0] as string;
        if (made.has(file)) continue;
        try {
          lstatSync(join(c.dir, file));
        } catch {
          problems.push(`${c.name}: ${f.file}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});

describe('validate reports each broken input at the right place', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const cwd = await prepare(c);
      const escaped = (c.expect.setup?.archives ?? [])
        .flatMap((a) => a.entries)
        .filter((e) => e.name.startsWith('../') && e.symlink === undefined)
        .map((e) => join(tmpdir(), basename(e.name)))
        .filter((p) => !existsSync(p));
      const limits = c.expect.limits ? { ...DEFAULT_LIMITS, ...c.expect.limits } : undefined;
      const result = await validatePaths([c.expect.path], { cwd, ...(limits ? { limits } : {}) });
      const problems = shortfalls(result, c.expect);
      for (const p of escaped) if (existsSync(p)) problems.push(`an archive entry was written outside: ${p}`);
      expect(
        problems,
        `${c.expect.note ? `${c.expect.note}\n` : ''}actual findings:\n${actual(result)}`,
      ).toEqual([]);
    });
  }
});

describe('strict mode', () => {
  it('turns warnings into a failing status', async () => {
    const c = CASES.find((x) => x.name === 'type_unsupported') as Case;
    const loose = await validatePaths([c.expect.path], { cwd: c.dir });
    const strict = await validatePaths([c.expect.path], { cwd: c.dir, strict: true });
    expect(loose.status).toBe('VALID');
    expect(strict.status).toBe('INVALID');
  });
});

describe.skipIf(!BUILT)('the CLI prints findings like a compiler (needs npm run build)', () => {
  const run = (cwd: string, ...args: string[]) =>
    spawnSync(process.execPath, [CLI, 'validate', ...args], {
      cwd,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
      timeout: 60_000,
    });

  const failing = [
    'yaml_syntax_in_payload',
    'unknown_field_near_miss',
    'ref_unknown',
    'cycle_three',
    'param_undeclared',
    'crlf_line_endings',
    'bundle_cross_pack_ref',
    'archive_corrupt_tgz',
  ];
  for (const name of failing) {
    it(`${name}: exit 1, file:line:col: error CODE`, () => {
      const c = CASES.find((x) => x.name === name) as Case;
      const out = run(c.dir, c.expect.path);
      expect(out.status, out.stderr).toBe(1);
      for (const f of c.expect.findings.filter((e) => e.code.startsWith('E_'))) {
        expect(out.stdout).toContain(`${f.file}:${f.line}:${f.column}: error ${f.code}`);
      }
      expect(out.stdout).toContain('INVALID');
    });
  }

  it('type_unsupported: warnings exit 0, and 1 with --strict', () => {
    const c = CASES.find((x) => x.name === 'type_unsupported') as Case;
    const loose = run(c.dir, c.expect.path);
    expect(loose.status, loose.stderr).toBe(0);
    expect(loose.stdout).toContain('processing.resources.yaml:4:11: warning W_TYPE_UNSUPPORTED');
    const strict = run(c.dir, c.expect.path, '--strict');
    expect(strict.status, strict.stderr).toBe(1);
  });

  it('--json output carries the same findings', () => {
    const c = CASES.find((x) => x.name === 'ref_field') as Case;
    const out = run(c.dir, c.expect.path, '--json');
    expect(out.status, out.stderr).toBe(1);
    const result = JSON.parse(out.stdout) as ValidateResult;
    expect(shortfalls(result, c.expect)).toEqual([]);
  });
});
