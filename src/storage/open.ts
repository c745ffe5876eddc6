/**
 * Chooses and opens the storage from `--database` / `--data-dir`: `sqlite:PATH` (or nothing: the
 * SQLite file under the data dir) or a `postgres://` / `postgresql://` URL.
 */
import { join, resolve } from 'node:path';
import { PostgresStorage } from './postgres.js';
import { SqliteStorage } from './sqlite.js';
import type { Storage } from './types.js';

export const SQLITE_FILE = 'strata.db';

export type DatabaseSpec = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };

/** Parses a `--database` value; undefined when it is neither form. */
export function parseDatabase(database: string | undefined, dataDir: string): DatabaseSpec | undefined {
  if (database === undefined || database === '')
    return { kind: 'sqlite', path: resolve(join(dataDir, SQLITE_FILE)) };
  if (database.startsWith('sqlite:')) {
    const path = database.slice('sqlite:'.length);
    return path === '' ? undefined : { kind: 'sqlite', path: path === ':memory:' ? path : resolve(path) };
  }
  if (/^postgres(ql)?:\/\//.test(database)) return { kind: 'postgres', url: database };
  return undefined;
}

export async function openStorage(spec: DatabaseSpec): Promise<Storage> {
  return spec.kind === 'sqlite' ? SqliteStorage.open(spec.path) : PostgresStorage.open({ url: spec.url });
}

/** The spec with any password in a URL replaced, for messages and logs. */
export function describeDatabase(spec: DatabaseSpec): string {
  if (spec.kind === 'sqlite') return `sqlite:${spec.path}`;
  try {
    const u = new URL(spec.url);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparseable URL)';
  }
}
