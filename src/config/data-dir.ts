/**
 * Where the bundled server keeps its SQLite database, apart from where the CLI keeps its run
 * journals (`.strata/runs`, `--journal-dir`): one word per concept, `--data-dir` is the server's.
 * A database from before the split (`.strata/strata.db`) is still found, with a note.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Flags } from '@oclif/core';
import { SQLITE_FILE } from '../storage/open.js';

export const DEFAULT_SERVER_DATA_DIR = join('.strata', 'server');
const LEGACY_SERVER_DATA_DIR = '.strata';

/** `--data-dir` of the server commands (start, token create, verify). */
export const serverDataDirFlag = {
  'data-dir': Flags.string({
    description: `Directory of the server's SQLite database (default ${DEFAULT_SERVER_DATA_DIR}; a database from before, .strata/strata.db, is still used).`,
  }),
};

/** The server's data directory, and a note when the old default location was used. */
export function serverDataDir(
  flag: string | undefined,
  cwd: string,
  exists: (path: string) => boolean = existsSync,
): { dir: string; note?: string } {
  if (flag !== undefined) return { dir: flag };
  const legacy = join(LEGACY_SERVER_DATA_DIR, SQLITE_FILE);
  if (!exists(join(cwd, DEFAULT_SERVER_DATA_DIR, SQLITE_FILE)) && exists(join(cwd, legacy)))
    return {
      dir: LEGACY_SERVER_DATA_DIR,
      note: `note: using the database at ${legacy}, where strata kept it before; the default is now ${DEFAULT_SERVER_DATA_DIR}/ (beside the CLI's run journals in .strata/runs): move it there, or pass --data-dir ${LEGACY_SERVER_DATA_DIR}`,
    };
  return { dir: DEFAULT_SERVER_DATA_DIR };
}
