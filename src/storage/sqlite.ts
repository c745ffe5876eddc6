/**
 * SQLite storage (better-sqlite3). One writer connection (group commit, group-commit.ts), one
 * reader connection, WAL.
 *
 * Durability without stalling the server: better-sqlite3 is synchronous, so with
 * `synchronous=FULL` every COMMIT would fsync on the event loop (about 3 ms here, during which no
 * request is parsed or answered). Instead the writer runs with `synchronous=NORMAL`, which keeps
 * the database consistent but does not sync at COMMIT, and after each commit the WAL file is
 * fdatasync'ed on the libuv thread pool; a group's writes are acknowledged only once that sync
 * has completed, which is what FULL guarantees, and the next groups run meanwhile (up to
 * SQLITE_PENDING_COMMITS syncs at once). A read waits
 * until every commit it may have seen is durable, so no response ever shows data a power loss
 * could take back. (Checkpoints, which copy the WAL into the database file, sync both files
 * themselves under NORMAL.)
 */
import Database from 'better-sqlite3';
import { closeSync, fdatasync, fsync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { EventWatch } from './events.js';
import { GroupCommit, type ErrorClass, type WriterConnection } from './group-commit.js';
import { migrate, type MigrationTarget } from './migrations.js';
import { placeholders, refuseUnstorable, type Dialect, type SqlSession } from './sql.js';
import { readTx } from './transaction.js';
import type { CommitStats, ReadTx, Storage, StorageHealth, WriteTx } from './types.js';

type Db = Database.Database;

function sqliteCode(e: unknown): unknown {
  return (e as { code?: unknown } | null)?.code;
}

const valuesTables = new Map<string, string>();

/** `SELECT column1 AS a, ... FROM (VALUES (?, ...), ...)` for `count` rows (the text is kept per shape). */
function valuesTable(columns: ReadonlyArray<readonly [string, string]>, count: number): string {
  const names = columns.map(([name]) => name);
  const shape = `${names.join(',')}/${count}`;
  let sql = valuesTables.get(shape);
  if (sql === undefined) {
    const row = `(${placeholders(names.length)})`;
    sql = `SELECT ${names.map((name, i) => `column${i + 1} AS ${name}`).join(', ')} FROM (VALUES ${Array(count).fill(row).join(', ')})`;
    valuesTables.set(shape, sql);
  }
  return sql;
}

export const SQLITE: Dialect = {
  name: 'sqlite',
  // The writer holds the whole database for the transaction: rows need no locks of their own.
  forUpdate: '',
  anyOf: (column, values) => ({ sql: `${column} IN (${placeholders(values.length)})`, params: [...values] }),
  isUniqueViolation: (e) => {
    const code = sqliteCode(e);
    return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
  },
  rowsOf: (columns, rows) => ({ sql: valuesTable(columns, rows.length), params: rows.flat() }),
};

/** Statements over one connection, prepared once each. */
class SqliteSession implements SqlSession, MigrationTarget {
  readonly #statements = new Map<string, Database.Statement>();

  constructor(readonly db: Db) {}

  prepare(sql: string): Database.Statement {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  async all<R>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
    refuseUnstorable(params);
    return this.prepare(sql).all(...params) as R[];
  }

  async run(sql: string, params: readonly unknown[] = []): Promise<number> {
    refuseUnstorable(params);
    return this.prepare(sql).run(...params).changes;
  }

  async exec(sql: string): Promise<void> {
    this.db.exec(sql);
  }

  async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const value = await fn();
      this.db.exec('COMMIT');
      return value;
    } catch (e) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw e;
    }
  }
}

/**
 * Groups committed while earlier WAL syncs run, at most (as many as the libuv thread pool runs
 * at once by default). Past that the next group waits for a sync and gathers more writes.
 */
export const SQLITE_PENDING_COMMITS = 4;

/** Makes a file's written data durable; injected by tests to hold or fail a sync. */
export type SyncData = (fd: number) => Promise<void>;

const fdatasyncAsync: SyncData = promisify(fdatasync);
const fsyncAsync = promisify(fsync);

/**
 * How far commits are durable. Each commit gets a mark; a WAL sync started after a commit covers
 * it (and everything before it), whatever order the syncs finish in.
 */
class WalDurability {
  #committed = 0;
  #durable = 0;
  #wal: number | undefined;
  #waiters: Array<{ mark: number; resolve: () => void; reject: (e: unknown) => void }> = [];
  #failure: unknown;

  constructor(
    private readonly path: string,
    private readonly syncData: SyncData,
  ) {}

  committed(): void {
    this.#committed += 1;
  }

  /** Syncs the WAL; resolves once every commit so far is durable. */
  sync(): Promise<void> {
    const mark = this.#committed;
    const done = this.settled(mark);
    this.#syncWal().then(
      () => this.#advance(mark),
      (e: unknown) => this.#fail(e),
    );
    return done;
  }

  /** Resolves once every commit up to `mark` (default: all so far) is durable. */
  settled(mark = this.#committed): Promise<void> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    if (mark <= this.#durable) return Promise.resolve();
    return new Promise((resolve, reject) => this.#waiters.push({ mark, resolve, reject }));
  }

  close(): void {
    if (this.#wal !== undefined) closeSync(this.#wal);
    this.#wal = undefined;
  }

  async #syncWal(): Promise<void> {
    if (this.#wal === undefined) {
      // The WAL exists once anything was committed. Its directory entry is synced once, too.
      this.#wal = openSync(`${this.path}-wal`, 'r');
      const dir = openSync(dirname(this.path), 'r');
      try {
        await fsyncAsync(dir);
      } finally {
        closeSync(dir);
      }
    }
    await this.syncData(this.#wal);
  }

  #advance(mark: number): void {
    if (mark <= this.#durable) return;
    this.#durable = mark;
    const ready = this.#waiters.filter((w) => w.mark <= mark);
    this.#waiters = this.#waiters.filter((w) => w.mark > mark);
    for (const w of ready) w.resolve();
  }

  #fail(e: unknown): void {
    this.#failure = e;
    for (const w of this.#waiters) w.reject(e);
    this.#waiters = [];
  }
}

class SqliteWriter implements WriterConnection {
  readonly dialect = SQLITE;
  readonly maxPendingCommits = SQLITE_PENDING_COMMITS;
  /** A failed WAL sync leaves the file's fate unknown, for that commit and every later one. */
  readonly lostCommitIsFatal = true;
  #savepoint = false;

  constructor(
    readonly session: SqliteSession,
    private readonly durability: WalDurability | undefined,
  ) {}

  #exec(sql: string): void {
    this.session.prepare(sql).run();
  }

  async begin(): Promise<void> {
    this.#exec('BEGIN IMMEDIATE');
    this.#savepoint = false;
  }

  async transaction(): Promise<void> {
    // BEGIN IMMEDIATE ran in begin(): the write lock is held already.
  }

  async savepoint(): Promise<void> {
    if (this.#savepoint) this.#exec('RELEASE write');
    this.#exec('SAVEPOINT write');
    this.#savepoint = true;
  }

  async rollbackToSavepoint(): Promise<void> {
    this.#exec('ROLLBACK TO write');
  }

  async commit(): Promise<void> {
    this.#exec('COMMIT');
    this.#savepoint = false;
    this.durability?.committed();
  }

  async rollback(): Promise<void> {
    this.#savepoint = false;
    if (this.session.db.inTransaction) this.#exec('ROLLBACK');
  }

  durable(): Promise<void> {
    return this.durability?.sync() ?? Promise.resolve();
  }

  async announceEvents(): Promise<void> {
    // Only this process writes events to the file: the storage tells its own watchers.
  }

  classify(error: unknown): ErrorClass {
    // Another process (`strata server token create`) holds the write lock: try again shortly.
    const code = sqliteCode(error);
    return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED' ? 'retry-transaction' : 'statement';
  }
}

function openConnection(path: string): Db {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  // Durability comes from the WAL sync after each commit (see the top of this file).
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  // After a checkpoint the WAL file is cut back to this size instead of keeping its peak.
  db.pragma('journal_size_limit = 67108864');
  db.pragma('foreign_keys = ON');
  return db;
}

export interface SqliteOptions {
  /** Makes the WAL's written data durable (default: fdatasync on the libuv thread pool). */
  syncData?: SyncData;
}

export class SqliteStorage implements Storage {
  readonly kind = 'sqlite' as const;
  readonly #writer: Db;
  readonly #reader: Db;
  readonly #readTx: ReadTx;
  readonly #durability: WalDurability | undefined;
  readonly #group: GroupCommit;
  readonly #listeners: Array<(commit: CommitStats) => void> = [];
  readonly #events = new EventWatch();
  #schemaVersion = 0;
  #closed = false;

  private constructor(
    readonly path: string,
    options: SqliteOptions,
  ) {
    const memory = path === ':memory:';
    if (!memory) mkdirSync(dirname(path), { recursive: true });
    this.#writer = openConnection(path);
    // An in-memory database is private to its connection: read through the writer then.
    this.#reader = memory ? this.#writer : openConnection(path);
    const writerSession = new SqliteSession(this.#writer);
    this.#readTx = readTx(memory ? writerSession : new SqliteSession(this.#reader), SQLITE);
    this.#durability = memory ? undefined : new WalDurability(path, options.syncData ?? fdatasyncAsync);
    this.#group = new GroupCommit(new SqliteWriter(writerSession, this.#durability), {
      onCommit: (stats) => this.#listeners.forEach((l) => l(stats)),
      onEvents: (sequence) => this.#events.committed(sequence),
    });
  }

  /** Opens (creating if needed) the database file and runs pending migrations. */
  static async open(path: string, options: SqliteOptions = {}): Promise<SqliteStorage> {
    const storage = new SqliteStorage(path, options);
    try {
      storage.#schemaVersion = await migrate(new SqliteSession(storage.#writer), 'sqlite');
      // From now on a busy database is retried by group commit, off the event loop.
      storage.#writer.pragma('busy_timeout = 0');
    } catch (e) {
      storage.#closeConnections();
      throw e;
    }
    return storage;
  }

  /** The durability settings actually in force (tests assert them). */
  pragmas(): { journalMode: string; synchronous: number } {
    return {
      journalMode: String(this.#writer.pragma('journal_mode', { simple: true })),
      synchronous: Number(this.#writer.pragma('synchronous', { simple: true })),
    };
  }

  async read<T>(fn: (tx: ReadTx) => Promise<T>): Promise<T> {
    if (this.#closed) throw new Error('storage is closed');
    const value = await fn(this.#readTx);
    await this.#durability?.settled();
    return value;
  }

  write<T>(fn: (tx: WriteTx) => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new Error('storage is closed'));
    return this.#group.write(fn);
  }

  async health(): Promise<StorageHealth> {
    try {
      this.#reader.prepare('SELECT 1').get();
      return { ok: true, kind: 'sqlite', schemaVersion: this.#schemaVersion };
    } catch (e) {
      return { ok: false, kind: 'sqlite', schemaVersion: this.#schemaVersion, detail: String(e) };
    }
  }

  onCommit(listener: (commit: CommitStats) => void): void {
    this.#listeners.push(listener);
  }

  watchEvents(listener: (sequence: number) => void): () => void {
    return this.#events.watch(listener);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    // Writes already accepted are committed (and durable) before the connections close.
    await this.#group.idle();
    this.#closed = true;
    this.#closeConnections();
  }

  #closeConnections(): void {
    this.#durability?.close();
    if (this.#reader !== this.#writer) this.#reader.close();
    this.#writer.close();
  }
}
