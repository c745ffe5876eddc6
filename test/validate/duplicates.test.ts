/**
 * Duplicates (packs.md 3): an id defined more than once that a pack lists or references is an
 * error naming every definition; one that no manifest lists or references is harmless, counted by
 * one note per root (never a warning, never failed by --strict), listed only with --verbose.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { validatePaths } from '../../src/validate/validate.js';
import { formatValidateResult } from '../../src/ui/findings.js';
import { plain } from '../../src/ui/style.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(REPO, 'bin', 'run.js');
const BUILT = existsSync(join(REPO, 'dist', 'commands', 'validate.js'));

const root = mkdtempSync(join(tmpdir(), 'strata-duplicates-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function write(path: string, text: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}

const flag = (id: string, name = id) =>
  `---\ntype: FLAG_DEFINITION\nid: ${id}\npayload: |\n  flag_definition:\n    id: ${id}\n    name: ${name}\n`;

// Two manifests share the root, as in real product libraries.
write('a_manifest.yaml', 'pack_version: 1.0.0\npack_name: a\nresource_ids:\n  - SHARED\n  - A_ONLY\n');
write('b_manifest.yaml', 'pack_version: 1.0.0\npack_name: b\nresource_ids:\n  - B_ONLY\n');
write('flags/shared.resource.yaml', flag('SHARED'));
write('flags/a.resource.yaml', flag('A_ONLY'));
write('flags/b.resource.yaml', flag('B_ONLY'));
// SHARED is listed by a and defined three times; 30 test ids no manifest lists are defined twice.
write('tests/one/shared.resource.yaml', flag('SHARED', 'copy one'));
write('tests/two/shared.resource.yaml', flag('SHARED', 'copy two'));
for (const dir of ['tests/one', 'tests/two']) {
  write(
    `${dir}/flags.resources.yaml`,
    `resources:\n${Array.from({ length: 30 }, (_, i) => `  - type: FLAG_DEFINITION\n    id: TEST_FLAG_${i}\n    payload: |\n      flag_definition:\n        id: TEST_FLAG_${i}\n        name: t\n`).join('')}`,
  );
}

describe('unlisted duplicates', () => {
  it('are one note per root with their count, not warnings, and --strict keeps the pack valid', async () => {
    const result = await validatePaths(['b_manifest.yaml'], { cwd: root });
    const notes = result.findings.filter((f) => f.code === 'W_DUPLICATE_UNLISTED');
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({
      severity: 'note',
      file: 'flags/shared.resource.yaml',
      line: 2,
      column: 1,
    });
    // SHARED is unlisted as far as pack b is concerned: 31 ids.
    expect(notes[0]?.message).toContain(
      '31 ids that no manifest lists or references are defined more than once',
    );
    expect(result.summary).toMatchObject({ errors: 0, warnings: 0 });
    expect(result.status).toBe('VALID');
    expect((await validatePaths(['b_manifest.yaml'], { cwd: root, strict: true })).status).toBe('VALID');
    expect(result.unlisted_duplicates).toHaveLength(31);
    expect(result.unlisted_duplicates.find((d) => d.id === 'TEST_FLAG_7')).toEqual({
      id: 'TEST_FLAG_7',
      root: '.',
      definitions: [
        { file: 'tests/one/flags.resources.yaml', line: 44, column: 5 },
        { file: 'tests/two/flags.resources.yaml', line: 44, column: 5 },
      ],
    });
  });

  it('take one line of text by default, and one line per id with --verbose', async () => {
    const result = await validatePaths(['b_manifest.yaml'], { cwd: root });
    const text = formatValidateResult(result, plain).split('\n');
    expect(text).toEqual([
      'flags/shared.resource.yaml:2:1: note W_DUPLICATE_UNLISTED 31 ids that no manifest lists or references are defined more than once under . (harmless to these packs; validate --verbose lists them)',
      expect.stringMatching(/^1 pack, 1 resource: 0 errors, 0 warnings \(\d+ ms\) VALID$/),
    ]);
    const verbose = formatValidateResult(result, plain, false, true).split('\n');
    expect(verbose).toHaveLength(2 + 31);
    expect(verbose).toContain(
      'tests/one/flags.resources.yaml:44:5: note unlisted id "TEST_FLAG_7" is also defined at tests/two/flags.resources.yaml:44:5',
    );
    expect(formatValidateResult(result, plain, true, true).split('\n')).toHaveLength(1);
  });
});

describe('listed duplicates', () => {
  it('are an error naming every definition, and do not count among the unlisted ones', async () => {
    const result = await validatePaths(['a_manifest.yaml'], { cwd: root });
    const errors = result.findings.filter((f) => f.code === 'E_ID_DUPLICATE');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toBe(
      '"SHARED" is defined 3 times: flags/shared.resource.yaml:2, tests/one/shared.resource.yaml:2, tests/two/shared.resource.yaml:2',
    );
    expect(result.status).toBe('INVALID');
    expect(result.unlisted_duplicates.map((d) => d.id)).not.toContain('SHARED');
    expect(result.findings.find((f) => f.code === 'W_DUPLICATE_UNLISTED')?.message).toContain('30 ids');
  });

  it('are an error when only referenced', async () => {
    write('c_manifest.yaml', 'pack_version: 1.0.0\npack_name: c\nresource_ids:\n  - C_EVENT\n');
    write(
      'c/event.resource.yaml',
      '---\ntype: CALENDAR_EVENT\nid: C_EVENT\npayload: |\n  calendar_event:\n    id: C_EVENT\n    calendar_id: "&{TEST_FLAG_3}"\n    start_timestamp: "2026-01-01T00:00:00Z"\n    end_timestamp: "2026-01-02T00:00:00Z"\n',
    );
    try {
      const result = await validatePaths(['c_manifest.yaml'], { cwd: root });
      const codes = result.findings.map((f) => f.code);
      expect(codes).toContain('E_ID_DUPLICATE');
      expect(result.findings.find((f) => f.code === 'E_ID_DUPLICATE')?.message).toContain(
        '"TEST_FLAG_3" is defined 2 times',
      );
      expect(result.unlisted_duplicates).toHaveLength(30);
    } finally {
      rmSync(join(root, 'c_manifest.yaml'));
      rmSync(join(root, 'c'), { recursive: true });
    }
  });
});

describe.skipIf(!BUILT)('the CLI (needs npm run build)', () => {
  it('prints the note once, exits 0 with --strict, and lists the ids with --verbose', () => {
    const run = (...args: string[]) =>
      spawnSync(process.execPath, [CLI, 'validate', 'b_manifest.yaml', ...args], {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, NO_COLOR: '1' },
        timeout: 60_000,
      });
    const loose = run('--strict');
    expect(loose.status, loose.stderr).toBe(0);
    expect(loose.stdout.trim().split('\n')).toHaveLength(2);
    const verbose = run('--verbose');
    expect(verbose.stdout.match(/note unlisted id /g)).toHaveLength(31);
  });
});
