/**
 * Storage factories for the suites that run against both storages. SQLite: a file in a fresh
 * temporary directory. PostgreSQL: a fresh schema with a random name, dropped afterwards, on
 * STRATA_TEST_PG_URL, or on the local default when it answers; when neither does, the PostgreSQL
 * runs are skipped, loudly.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { PostgresStorage } from '../../src/storage/postgres.js';
import { SqliteStorage } from '../../src/storage/sqlite.js';
import type { Storage } from '../../src/storage/types.js';

const DEFAULT_PG_URL = 'postgres://postgres@127.0.0.1:5432/test';

/** True when a PostgreSQL server answers at `url` within a second. */
async function reachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

const GIVEN_PG_URL = process.env['STRATA_TEST_PG_URL'];
export const PG_URL: string | undefined =
  GIVEN_PG_URL !== undefined && GIVEN_PG_URL !== ''
    ? GIVEN_PG_URL
    : (await reachable(DEFAULT_PG_URL))
      ? DEFAULT_PG_URL
      : undefined;

export interface CreatedStorage {
  storage: Storage;
  /** Another storage on the same database, as a second server process would open it. */
  openAnother(): Promise<Storage>;
  /** Closes every storage opened here and removes the database. */
  cleanup: () => Promise<void>;
  /** Runs SQL on the database directly, in its schema (PostgreSQL only; tests inject faults). */
  exec?: (sql: string) => Promise<void>;
}

export interface StorageFactory {
  name: 'sqlite' | 'postgres';
  skip: boolean;
  /** A fresh, empty, migrated storage and its cleanup. */
  create(): Promise<CreatedStorage>;
}

/** Opens storages on one database and closes them all at cleanup. */
async function created(open: () => Promise<Storage>, remove: () => Promise<void>): Promise<CreatedStorage> {
  const opened: Storage[] = [];
  const another = async () => {
    const s = await open();
    opened.push(s);
    return s;
  };
  const storage = await another();
  return {
    storage,
    openAnother: another,
    cleanup: async () => {
      for (const s of opened) await s.close();
      await remove();
    },
  };
}

export const sqliteFactory: StorageFactory = {
  name: 'sqlite',
  skip: false,
  create() {
    const dir = mkdtempSync(join(tmpdir(), 'strata-sqlite-'));
    return created(
      () => SqliteStorage.open(join(dir, 'strata.db')),
      async () => rmSync(dir, { recursive: true, force: true }),
    );
  },
};

export const postgresFactory: StorageFactory = {
  name: 'postgres',
  skip: PG_URL === undefined,
  async create() {
    const url = PG_URL ?? '';
    const schema = `strata_test_${randomBytes(6).toString('hex')}`;
    const exec = async (sql: string) => {
      const admin = new pg.Client({ connectionString: url, options: `-c search_path="${schema}"` });
      await admin.connect();
      try {
        await admin.query(sql);
      } finally {
        await admin.end();
      }
    };
    const made = await created(
      () => PostgresStorage.open({ url, schema }),
      () => exec(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`),
    );
    return { ...made, exec };
  },
};

export const STORAGE_FACTORIES: StorageFactory[] = [sqliteFactory, postgresFactory];

/** A storage that delegates to `inner` except for `overrides` (tests inject faults with it). */
export function delegating(inner: Storage, overrides: Partial<Storage>): Storage {
  return {
    kind: inner.kind,
    read: (fn) => inner.read(fn),
    write: (fn) => inner.write(fn),
    health: () => inner.health(),
    onCommit: (listener) => inner.onCommit(listener),
    watchEvents: (listener) => inner.watchEvents(listener),
    close: () => inner.close(),
    ...overrides,
  };
}

if (postgresFactory.skip) {
  console.warn(
    [
      '',
      '*'.repeat(100),
      `*** PostgreSQL tests SKIPPED: STRATA_TEST_PG_URL is not set and nothing answers at ${DEFAULT_PG_URL}`,
      '*** Start PostgreSQL or set STRATA_TEST_PG_URL; CI (.ci/run) always runs them.',
      '*'.repeat(100),
      '',
    ].join('\n'),
  );
}
