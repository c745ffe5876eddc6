/**
 * SQLite storage (better-sqlite3). One writer connection, one reader connection, WAL.
 *
 * Durability: `synchronous=FULL` is set explicitly, because the bundled SQLite build defaults WAL
 * databases to NORMAL, which can lose acknowledged commits on power loss.
 *
 * Group commit: writes queue up; the writer takes every queued write into one transaction, runs
 * each inside its own savepoint (a failing write rolls back only itself) and commits once, so one
 * fsync acknowledges the whole batch. A write's promise settles only after that commit. Reads go
 * to the second connection, which sees committed data only (never a batch in progress).
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import { SQLITE_MIGRATIONS } from './migrations.js';
import {
  StorageConflict,
  StorageUnavailable,
  type IdempotencyRecord,
  type ListQuery,
  type NewObject,
  type ReadTx,
  type Storage,
  type StorageHealth,
  type StoredObject,
  type TokenRecord,
  type WriteTx,
} from './types.js';

type Db = Database.Database;

interface ObjectRow {
  seq: number;
  kind: string;
  id: string;
  parent: string | null;
  natural_key: string | null;
  def_hash: string;
  body: string;
  created_at: number;
}

interface Job {
  fn: (tx: WriteTx) => Promise<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

/** Most writes committed together. */
const MAX_BATCH = 256;
/** Re-runs of a write that lost a unique-key race (only another process can cause one). */
const MAX_CONFLICT_RETRIES = 3;

function toObject(r: ObjectRow): StoredObject {
  return {
    kind: r.kind,
    id: r.id,
    seq: r.seq,
    parent: r.parent,
    naturalKey: r.natural_key,
    defHash: r.def_hash,
    body: r.body,
    createdAt: r.created_at,
  };
}

function isBusy(e: unknown): boolean {
  const code = (e as { code?: unknown }).code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED';
}

function isUniqueViolation(e: unknown): boolean {
  const code = (e as { code?: unknown }).code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** Statements over one connection; the same code serves the reader and the writer. */
class Statements {
  readonly getObject;
  readonly getByNaturalKey;
  readonly listAll;
  readonly getIdempotency;
  readonly findToken;
  readonly countTokens;
  readonly insertObject;
  readonly updateBody;
  readonly updateBodyHash;
  readonly putIdempotency;
  readonly insertToken;
  readonly #db: Db;
  readonly #byIds = new Map<number, Database.Statement>();
  readonly #byParents = new Map<number, Database.Statement>();

  constructor(db: Db) {
    this.#db = db;
    this.getObject = db.prepare('SELECT * FROM objects WHERE kind = ? AND id = ?');
    this.getByNaturalKey = db.prepare('SELECT * FROM objects WHERE kind = ? AND natural_key = ?');
    this.listAll = db.prepare('SELECT * FROM objects WHERE kind = ? AND seq > ? ORDER BY seq LIMIT ?');
    this.getIdempotency = db.prepare('SELECT * FROM idempotency WHERE request_id = ?');
    this.findToken = db.prepare('SELECT * FROM tokens WHERE hash = ?');
    this.countTokens = db.prepare('SELECT count(*) AS n FROM tokens');
    this.insertObject = db.prepare(
      `INSERT INTO objects (kind, id, parent, natural_key, def_hash, body, created_at)
       VALUES (@kind, @id, @parent, @naturalKey, @defHash, @body, @createdAt)`,
    );
    this.updateBody = db.prepare('UPDATE objects SET body = ? WHERE kind = ? AND id = ?');
    this.updateBodyHash = db.prepare('UPDATE objects SET body = ?, def_hash = ? WHERE kind = ? AND id = ?');
    this.putIdempotency = db.prepare(
      'INSERT INTO idempotency (request_id, body_hash, status, response, created_at) VALUES (?, ?, ?, ?, ?)',
    );
    this.insertToken = db.prepare(
      'INSERT INTO tokens (id, name, hash, scopes, created_at) VALUES (?, ?, ?, ?, ?)',
    );
  }

  byIds(n: number): Database.Statement {
    let s = this.#byIds.get(n);
    if (!s) {
      s = this.#db.prepare(
        `SELECT * FROM objects WHERE kind = ? AND id IN (${Array(n).fill('?').join(',')})`,
      );
      this.#byIds.set(n, s);
    }
    return s;
  }

  byParents(n: number): Database.Statement {
    let s = this.#byParents.get(n);
    if (!s) {
      s = this.#db.prepare(
        `SELECT * FROM objects WHERE kind = ? AND parent IN (${Array(n).fill('?').join(',')})
         AND seq > ? ORDER BY seq LIMIT ?`,
      );
      this.#byParents.set(n, s);
    }
    return s;
  }
}

class SqliteTx implements WriteTx {
  constructor(readonly s: Statements) {}

  async getObject(kind: string, id: string): Promise<StoredObject | undefined> {
    const r = this.s.getObject.get(kind, id) as ObjectRow | undefined;
    return r && toObject(r);
  }

  async getObjects(kind: string, ids: readonly string[]): Promise<StoredObject[]> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return [];
    return (this.s.byIds(unique.length).all(kind, ...unique) as ObjectRow[]).map(toObject);
  }

  async getByNaturalKey(kind: string, naturalKey: string): Promise<StoredObject | undefined> {
    const r = this.s.getByNaturalKey.get(kind, naturalKey) as ObjectRow | undefined;
    return r && toObject(r);
  }

  async listObjects(q: ListQuery): Promise<StoredObject[]> {
    const rows =
      q.parents === undefined
        ? this.s.listAll.all(q.kind, q.afterSeq, q.limit)
        : q.parents.length === 0
          ? []
          : this.s.byParents(q.parents.length).all(q.kind, ...q.parents, q.afterSeq, q.limit);
    return (rows as ObjectRow[]).map(toObject);
  }

  async getIdempotency(requestId: string): Promise<IdempotencyRecord | undefined> {
    const r = this.s.getIdempotency.get(requestId) as
      | { request_id: string; body_hash: string; status: number; response: string; created_at: number }
      | undefined;
    return (
      r && {
        requestId: r.request_id,
        bodyHash: r.body_hash,
        status: r.status,
        response: r.response,
        createdAt: r.created_at,
      }
    );
  }

  async findTokenByHash(hash: string): Promise<TokenRecord | undefined> {
    const r = this.s.findToken.get(hash) as
      { id: string; name: string; hash: string; scopes: string; created_at: number } | undefined;
    return (
      r && {
        id: r.id,
        name: r.name,
        hash: r.hash,
        scopes: JSON.parse(r.scopes) as string[],
        createdAt: r.created_at,
      }
    );
  }

  async countTokens(): Promise<number> {
    return (this.s.countTokens.get() as { n: number }).n;
  }

  async lockObject(kind: string, id: string): Promise<StoredObject | undefined> {
    // One writer: the whole transaction already holds the database.
    return this.getObject(kind, id);
  }

  async insertObject(o: NewObject): Promise<StoredObject> {
    try {
      const info = this.s.insertObject.run(o);
      return { ...o, seq: Number(info.lastInsertRowid) };
    } catch (e) {
      if (isUniqueViolation(e)) throw new StorageConflict(`${o.kind} ${o.id} already exists`, e);
      throw e;
    }
  }

  async updateObject(kind: string, id: string, change: { body: string; defHash?: string }): Promise<void> {
    if (change.defHash === undefined) this.s.updateBody.run(change.body, kind, id);
    else this.s.updateBodyHash.run(change.body, change.defHash, kind, id);
  }

  async putIdempotency(r: IdempotencyRecord): Promise<void> {
    try {
      this.s.putIdempotency.run(r.requestId, r.bodyHash, r.status, r.response, r.createdAt);
    } catch (e) {
      if (isUniqueViolation(e)) throw new StorageConflict(`request ${r.requestId} already recorded`, e);
      throw e;
    }
  }

  async insertToken(t: TokenRecord): Promise<void> {
    try {
      this.s.insertToken.run(t.id, t.name, t.hash, JSON.stringify(t.scopes), t.createdAt);
    } catch (e) {
      if (isUniqueViolation(e)) throw new StorageConflict('token already exists', e);
      throw e;
    }
  }
}

function openConnection(path: string): Db {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  // After a checkpoint the WAL file is cut back to this size instead of keeping its peak.
  db.pragma('journal_size_limit = 67108864');
  db.pragma('foreign_keys = ON');
  return db;
}

function migrate(db: Db): number {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`);
  const apply = db.transaction(() => {
    const done = new Set(
      (db.prepare('SELECT version FROM schema_migrations').all() as Array<{ version: number }>).map(
        (r) => r.version,
      ),
    );
    for (const m of SQLITE_MIGRATIONS) {
      if (done.has(m.version)) continue;
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        m.version,
        m.name,
        Date.now(),
      );
    }
  });
  apply.immediate();
  return (db.prepare('SELECT max(version) AS v FROM schema_migrations').get() as { v: number }).v;
}

export class SqliteStorage implements Storage {
  readonly kind = 'sqlite' as const;
  readonly #writer: Db;
  readonly #reader: Db;
  readonly #writeTx: SqliteTx;
  readonly #readTx: SqliteTx;
  readonly #schemaVersion: number;
  #queue: Job[] = [];
  #scheduled = false;
  #running: Promise<void> | undefined;
  #closed = false;
  readonly #listeners: Array<(seconds: number) => void> = [];

  private constructor(readonly path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.#writer = openConnection(path);
    this.#schemaVersion = migrate(this.#writer);
    // An in-memory database is private to its connection: read through the writer then.
    this.#reader = path === ':memory:' ? this.#writer : openConnection(path);
    this.#writeTx = new SqliteTx(new Statements(this.#writer));
    this.#readTx = path === ':memory:' ? this.#writeTx : new SqliteTx(new Statements(this.#reader));
  }

  /** Opens (creating if needed) the database file and runs pending migrations. */
  static open(path: string): SqliteStorage {
    return new SqliteStorage(path);
  }

  /** Checks the durability settings actually in force (tests assert them). */
  pragmas(): { journalMode: string; synchronous: number } {
    return {
      journalMode: String(this.#writer.pragma('journal_mode', { simple: true })),
      synchronous: Number(this.#writer.pragma('synchronous', { simple: true })),
    };
  }

  async read<T>(fn: (tx: ReadTx) => Promise<T>): Promise<T> {
    if (this.#closed) throw new Error('storage is closed');
    return fn(this.#readTx);
  }

  write<T>(fn: (tx: WriteTx) => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new Error('storage is closed'));
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      this.#kick();
    });
  }

  /** Schedules a drain of the queue unless one is pending or running. */
  #kick(): void {
    if (this.#scheduled || this.#running !== undefined) return;
    this.#scheduled = true;
    // Let the requests that are already readable queue their writes first: one commit for all.
    setImmediate(() => {
      this.#scheduled = false;
      this.#running = this.#drain().finally(() => {
        this.#running = undefined;
        if (this.#queue.length > 0) this.#kick();
      });
    });
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, MAX_BATCH);
      const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
      const db = this.#writer;
      const started = performance.now();
      try {
        db.exec('BEGIN IMMEDIATE');
      } catch (e) {
        // Another process (a `token create`) held the write lock past busy_timeout: retryable.
        const error = isBusy(e) ? new StorageUnavailable('the database is locked by another process', e) : e;
        for (const job of batch) job.reject(error);
        continue;
      }
      for (const job of batch) {
        outcomes.push(await this.#runJob(job));
      }
      try {
        db.exec('COMMIT');
      } catch (e) {
        if (db.inTransaction) db.exec('ROLLBACK');
        for (const job of batch) job.reject(e);
        continue;
      }
      const seconds = (performance.now() - started) / 1000;
      for (const l of this.#listeners) l(seconds);
      batch.forEach((job, i) => {
        const o = outcomes[i];
        if (o?.ok) job.resolve(o.value);
        else job.reject(o?.error);
      });
    }
  }

  async #runJob(job: Job): Promise<{ ok: true; value: unknown } | { ok: false; error: unknown }> {
    const db = this.#writer;
    for (let attempt = 0; ; attempt++) {
      db.exec('SAVEPOINT job');
      try {
        const value = await job.fn(this.#writeTx);
        db.exec('RELEASE job');
        return { ok: true, value };
      } catch (error) {
        db.exec('ROLLBACK TO job');
        db.exec('RELEASE job');
        if (!(error instanceof StorageConflict) || attempt >= MAX_CONFLICT_RETRIES)
          return { ok: false, error };
      }
    }
  }

  async health(): Promise<StorageHealth> {
    try {
      this.#reader.prepare('SELECT 1').get();
      return { ok: true, kind: 'sqlite', schemaVersion: this.#schemaVersion };
    } catch (e) {
      return { ok: false, kind: 'sqlite', schemaVersion: this.#schemaVersion, detail: String(e) };
    }
  }

  onCommit(listener: (seconds: number) => void): void {
    this.#listeners.push(listener);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    // Writes already accepted are committed before the connections close.
    while (this.#running !== undefined || this.#scheduled || this.#queue.length > 0) {
      await (this.#running ?? new Promise((r) => setImmediate(r)));
    }
    this.#closed = true;
    if (this.#reader !== this.#writer) this.#reader.close();
    this.#writer.close();
  }
}
