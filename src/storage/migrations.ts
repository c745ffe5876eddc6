/**
 * Versioned schema migrations, one list for both databases, applied in order at start inside one
 * transaction that holds the migration lock (several processes may start at once), and recorded
 * in `schema_migrations`. Released migrations never change: a schema change is a new entry. The
 * dialects differ only in the column types below. Times are integer milliseconds; nothing is
 * floating point.
 */
import { LEDGER_MIGRATION } from './ledger-migrations.js';
import { RELEASE_MIGRATION } from './release-migrations.js';
import type { SqlSession } from './sql.js';

export interface ColumnTypes {
  /** A 64-bit integer. */
  bigint: string;
  /** A 64-bit primary key the database assigns in increasing order. */
  serialKey: string;
}

export const COLUMN_TYPES: Record<'sqlite' | 'postgres', ColumnTypes> = {
  sqlite: { bigint: 'INTEGER', serialKey: 'INTEGER PRIMARY KEY AUTOINCREMENT' },
  postgres: { bigint: 'BIGINT', serialKey: 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY' },
};

export interface Migration {
  version: number;
  name: string;
  sql(types: ColumnTypes): string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'configuration layer: objects, idempotency records, tokens',
    sql: (t) => `
      CREATE TABLE objects (
        seq ${t.serialKey},
        kind TEXT NOT NULL,
        id TEXT NOT NULL,
        parent TEXT,
        natural_key TEXT,
        def_hash TEXT NOT NULL,
        body TEXT NOT NULL,
        created_at ${t.bigint} NOT NULL,
        UNIQUE (kind, id)
      );
      CREATE UNIQUE INDEX objects_natural_key ON objects (kind, natural_key) WHERE natural_key IS NOT NULL;
      CREATE INDEX objects_kind_seq ON objects (kind, seq);
      CREATE INDEX objects_parent_seq ON objects (kind, parent, seq);
      CREATE TABLE idempotency (
        request_id TEXT PRIMARY KEY,
        body_hash TEXT NOT NULL,
        status INTEGER NOT NULL,
        response TEXT NOT NULL,
        created_at ${t.bigint} NOT NULL
      );
      CREATE TABLE tokens (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        hash TEXT NOT NULL UNIQUE,
        scopes TEXT NOT NULL,
        created_at ${t.bigint} NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'events outbox: append-only events, gap-free sequence counter',
    // The counter row is locked by the transaction that takes sequences, until it commits: the
    // next transaction to take sequences waits, so sequences follow commit order without gaps.
    sql: (t) => `
      CREATE TABLE events (
        seq ${t.bigint} PRIMARY KEY,
        topic TEXT NOT NULL,
        key TEXT NOT NULL,
        timestamp_ms ${t.bigint} NOT NULL,
        payload TEXT NOT NULL
      );
      CREATE INDEX events_topic_seq ON events (topic, seq);
      CREATE TABLE event_sequence (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        last_seq ${t.bigint} NOT NULL
      );
      INSERT INTO event_sequence (id, last_seq) VALUES (1, 0);
    `,
  },
  LEDGER_MIGRATION,
  RELEASE_MIGRATION,
];

/** A connection the runner can migrate through. */
export interface MigrationTarget extends SqlSession {
  /** Runs several statements. */
  exec(sql: string): Promise<void>;
  /** Runs `fn` in one transaction holding the database's migration lock. */
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
}

/** Applies the pending migrations; resolves with the schema version. */
export async function migrate(
  target: MigrationTarget,
  dialect: keyof typeof COLUMN_TYPES,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<number> {
  const types = COLUMN_TYPES[dialect];
  return target.exclusive(async () => {
    await target.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at ${types.bigint} NOT NULL)`);
    const rows = await target.all<{ version: number }>('SELECT version FROM schema_migrations');
    const done = new Set(rows.map((r) => Number(r.version)));
    for (const m of migrations) {
      if (done.has(m.version)) continue;
      await target.exec(m.sql(types));
      await target.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [
        m.version,
        m.name,
        Date.now(),
      ]);
    }
    const v = await target.all<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations');
    return Number(v[0]?.v ?? 0);
  });
}
