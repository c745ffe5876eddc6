/**
 * Storage factories for the suites that run against both storages. SQLite: a file in a fresh
 * temporary directory. PostgreSQL (when STRATA_TEST_PG_URL is set): a fresh schema with a random
 * name, dropped afterwards. Without the variable the PostgreSQL runs are skipped, loudly.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { PostgresStorage } from '../../src/storage/postgres.js';
import { SqliteStorage } from '../../src/storage/sqlite.js';
import type { Storage } from '../../src/storage/types.js';

export const PG_URL = process.env['STRATA_TEST_PG_URL'];

export interface StorageFactory {
  name: 'sqlite' | 'postgres';
  skip: boolean;
  /** A fresh, empty, migrated storage and its cleanup. */
  create(): Promise<{ storage: Storage; cleanup: () => Promise<void> }>;
}

export const sqliteFactory: StorageFactory = {
  name: 'sqlite',
  skip: false,
  async create() {
    const dir = mkdtempSync(join(tmpdir(), 'strata-sqlite-'));
    const storage = SqliteStorage.open(join(dir, 'strata.db'));
    return {
      storage,
      cleanup: async () => {
        await storage.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

export const postgresFactory: StorageFactory = {
  name: 'postgres',
  skip: PG_URL === undefined || PG_URL === '',
  async create() {
    const url = PG_URL ?? '';
    const schema = `strata_test_${randomBytes(6).toString('hex')}`;
    const storage = await PostgresStorage.open({ url, schema });
    return {
      storage,
      cleanup: async () => {
        await storage.close();
        const admin = new pg.Client({ connectionString: url });
        await admin.connect();
        try {
          await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        } finally {
          await admin.end();
        }
      },
    };
  },
};

export const STORAGE_FACTORIES: StorageFactory[] = [sqliteFactory, postgresFactory];

if (postgresFactory.skip) {
  console.warn(
    '\n*** PostgreSQL tests SKIPPED: STRATA_TEST_PG_URL is not set (.ci/run sets it to postgres://postgres@127.0.0.1:5432/test) ***\n',
  );
}
