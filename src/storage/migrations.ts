/**
 * Versioned schema migrations, one list per dialect, applied in order at start inside one
 * transaction each and recorded in `schema_migrations`. Released migrations never change: a
 * schema change is a new entry. Times are integer milliseconds; nothing is floating point.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'configuration layer: objects, idempotency records, tokens',
    sql: `
      CREATE TABLE objects (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL,
        id TEXT NOT NULL,
        parent TEXT,
        natural_key TEXT,
        def_hash TEXT NOT NULL,
        body TEXT NOT NULL,
        created_at INTEGER NOT NULL,
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
        created_at INTEGER NOT NULL
      );
      CREATE TABLE tokens (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        hash TEXT NOT NULL UNIQUE,
        scopes TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
    `,
  },
];

export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'configuration layer: objects, idempotency records, tokens',
    sql: `
      CREATE TABLE objects (
        seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        kind TEXT NOT NULL,
        id TEXT NOT NULL,
        parent TEXT,
        natural_key TEXT,
        def_hash TEXT NOT NULL,
        body TEXT NOT NULL,
        created_at BIGINT NOT NULL,
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
        created_at BIGINT NOT NULL
      );
      CREATE TABLE tokens (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        hash TEXT NOT NULL UNIQUE,
        scopes TEXT NOT NULL,
        created_at BIGINT NOT NULL
      );
    `,
  },
];
