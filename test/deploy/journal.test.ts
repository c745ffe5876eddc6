import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { Journal, newRunId, type JournalEntry } from '../../src/deploy/journal.js';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'strata-journal-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const entry = (id: string): JournalEntry => ({
  resource_id: id,
  resource_type: 'FLAG_DEFINITION',
  action: 'created',
  vault_id: id,
  request_id: `r-${id}`,
  values: { '': id },
  at: '2026-11-21T20:00:00.000Z',
});

describe('Journal', () => {
  it('reads back what was appended, in order', () => {
    const dir = tempDir();
    const j = new Journal(dir, 'run1');
    j.append(entry('a'));
    j.append(entry('b'));
    j.close();
    expect(Journal.read(dir, 'run1').map((e) => e.resource_id)).toEqual(['a', 'b']);
  });

  it('writes lines in batches: within the flush window without close, at once past 64 KiB', async () => {
    const dir = tempDir();
    const file = join(dir, 'run1.ndjson');
    const j = new Journal(dir, 'run1');
    j.append(entry('a'));
    j.append(entry('b'));
    expect(readFileSync(file, 'utf8')).toBe('');
    await new Promise((r) => setTimeout(r, 300));
    expect(Journal.read(dir, 'run1').map((e) => e.resource_id)).toEqual(['a', 'b']);
    const big = { ...entry('big'), values: { code: 'x'.repeat(70 * 1024) } };
    j.append(big);
    expect(Journal.read(dir, 'run1').map((e) => e.resource_id)).toEqual(['a', 'b', 'big']);
    j.append(entry('c'));
    j.close();
    expect(Journal.read(dir, 'run1').map((e) => e.resource_id)).toEqual(['a', 'b', 'big', 'c']);
  });

  it('writes what waits when the process exits without closing it (process.exit on a second Ctrl-C)', () => {
    const dir = tempDir();
    const script = join(dir, 'exit.mts');
    const journal = pathToFileURL(join(import.meta.dirname, '..', '..', 'src', 'deploy', 'journal.ts'));
    writeFileSync(
      script,
      [
        `import { Journal } from ${JSON.stringify(journal.href)};`,
        `const j = new Journal(${JSON.stringify(dir)}, 'run1');`,
        `j.append(${JSON.stringify(entry('a'))});`,
        `j.append(${JSON.stringify(entry('b'))});`,
        'process.exit(130);',
      ].join('\n'),
    );
    const child = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8' });
    expect(child.status, child.stderr).toBe(130);
    expect(Journal.read(dir, 'run1').map((e) => e.resource_id)).toEqual(['a', 'b']);
  });

  it('creates no file for a run that confirmed nothing', () => {
    const dir = tempDir();
    new Journal(dir, 'run1').close();
    expect(existsSync(join(dir, 'run1.ndjson'))).toBe(false);
  });

  it('ignores a torn last line', () => {
    const dir = tempDir();
    const j = new Journal(dir, 'run1');
    j.append(entry('a'));
    j.close();
    appendFileSync(join(dir, 'run1.ndjson'), '{"resource_id":"b","reso');
    expect(Journal.read(dir, 'run1').map((e) => e.resource_id)).toEqual(['a']);
  });

  it('finds the latest run by its time-ordered id, and nothing in an empty place', () => {
    const dir = tempDir();
    expect(Journal.latest(join(dir, 'missing'))).toBeUndefined();
    const older = newRunId(new Date('2026-11-21T10:00:00Z'), () => 0.1);
    const newer = newRunId(new Date('2026-11-21T11:00:00Z'), () => 0.0);
    for (const id of [newer, older]) {
      const j = new Journal(dir, id);
      j.append(entry('x'));
      j.close();
    }
    expect(older).toMatch(/^20261121T100000Z-[0-9a-f]{4}$/);
    expect(Journal.latest(dir)).toBe(newer);
  });
});
