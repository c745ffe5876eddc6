/**
 * `--data-dir` is the server's database directory, with its own default (.strata/server), apart
 * from the CLI's run journals (.strata/runs); a database from before the split is still found.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_SERVER_DATA_DIR, serverDataDir } from '../../src/config/data-dir.js';
import { DEFAULT_JOURNAL_DIR } from '../../src/deploy/flags.js';

const bin = join(import.meta.dirname, '..', '..', 'bin', 'run.js');
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const temp = () => {
  const d = mkdtempSync(join(tmpdir(), 'strata-datadir-'));
  dirs.push(d);
  return d;
};

describe('serverDataDir', () => {
  it('defaults to .strata/server, distinct from the journals', () => {
    expect(serverDataDir(undefined, '/nowhere', () => false)).toEqual({ dir: join('.strata', 'server') });
    expect(DEFAULT_SERVER_DATA_DIR).not.toBe(DEFAULT_JOURNAL_DIR);
    expect(DEFAULT_JOURNAL_DIR.startsWith(DEFAULT_SERVER_DATA_DIR)).toBe(false);
  });

  it('takes the flag as given', () => {
    expect(serverDataDir('db', '/nowhere', () => true)).toEqual({ dir: 'db' });
  });

  it('uses a database from before the split, saying so; the new place wins when both exist', () => {
    const legacy = (p: string) => p === join('/w', '.strata', 'strata.db');
    const found = serverDataDir(undefined, '/w', legacy);
    expect(found.dir).toBe('.strata');
    expect(found.note).toMatch(/\.strata\/strata\.db.*--data-dir \.strata/);
    expect(serverDataDir(undefined, '/w', () => true)).toEqual({ dir: join('.strata', 'server') });
  });
});

describe('server token create without --data-dir', () => {
  it('creates the database under .strata/server', () => {
    const cwd = temp();
    const r = spawnSync(process.execPath, [bin, 'server', 'token', 'create', '--scope', 'read'], {
      cwd,
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(join(cwd, '.strata', 'server', 'strata.db'))).toBe(true);
    expect(existsSync(join(cwd, '.strata', 'strata.db'))).toBe(false);
  });

  it('keeps using .strata/strata.db when that is where the database is, with a note', () => {
    const cwd = temp();
    mkdirSync(join(cwd, '.strata'));
    const first = spawnSync(
      process.execPath,
      [bin, 'server', 'token', 'create', '--scope', 'read', '--data-dir', '.strata'],
      {
        cwd,
        encoding: 'utf8',
      },
    );
    expect(first.status, first.stderr).toBe(0);
    const r = spawnSync(process.execPath, [bin, 'server', 'token', 'create', '--scope', 'read'], {
      cwd,
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('note: using the database at .strata/strata.db');
    expect(existsSync(join(cwd, '.strata', 'server'))).toBe(false);
  });
});
