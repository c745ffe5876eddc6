/**
 * PostgreSQL storage (`pg`). Reads go through a pool; writes through group commit
 * (group-commit.ts): one writer transaction running at a time per process, one savepoint per
 * write, so a COMMIT (and its WAL flush) acknowledges a whole group, as on SQLite; while a group's
 * COMMIT is being flushed, the next group runs on another pooled connection.
 *
 * Several server processes may share one database. Their transactions run side by side at READ
 * COMMITTED (set explicitly), where every statement sees what was committed before it started:
 * - unique constraints (`(kind, id)`, `(kind, natural_key)`, idempotency `request_id`) make the
 *   loser of a create race wait for the winner's commit and fail with 23505; group commit rolls
 *   that write back to its savepoint and runs it again, and it now sees the winner;
 * - a request id is claimed by inserting its record first, so a second process with the same id
 *   waits for the first one's transaction and replays its answer;
 * - read-modify-write of one object (a product's current version) takes `SELECT ... FOR UPDATE`;
 * - deadlocks and serialization failures (40P01, 40001) abort the whole transaction: group
 *   commit runs the whole group again;
 * - event sequences come from one counter row locked from the end of a transaction to its commit
 *   (events.ts), and every commit that appended events sends a NOTIFY, so each process learns how
 *   far events are committed, whoever wrote them.
 */
import pg from 'pg';
import { createHash } from 'node:crypto';
import { EventWatch } from './events.js';
import { GroupCommit, type ErrorClass, type WriterConnection } from './group-commit.js';
import { migrate, type MigrationTarget } from './migrations.js';
import { refuseUnstorable, type Dialect, type SqlSession } from './sql.js';
import { readTx } from './transaction.js';
import {
  StorageUnavailable,
  type CommitStats,
  type ReadTx,
  type Storage,
  type StorageHealth,
  type WriteTx,
} from './types.js';

/** Arbitrary constant key of the advisory lock that serialises migrations across processes. */
const MIGRATION_LOCK = 7_301_455_001;
/** Wait before listening for other processes' events again after the connection dropped. */
const RELISTEN_MS = 1000;

function pgCode(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export const POSTGRES: Dialect = {
  name: 'postgres',
  forUpdate: ' FOR UPDATE',
  // One placeholder for any number of values: one prepared statement serves every list.
  anyOf: (column, values) => ({ sql: `${column} = ANY(?::text[])`, params: [[...values]] }),
  isUniqueViolation: (e) => pgCode(e) === '23505',
  rowsOf: (columns, rows) => ({
    sql: `SELECT * FROM unnest(${columns.map(([, type]) => `?::${type}[]`).join(', ')}) AS v(${columns
      .map(([name]) => name)
      .join(', ')})`,
    params: columns.map((_, i) => rows.map((row) => row[i])),
  }),
};

/**
 * Errors that mean the database is unreachable rather than that the request is wrong: no
 * SQLSTATE at all (socket errors, pool timeouts), connection exceptions (class 08), operator
 * intervention such as a shutdown (57P0x), too many connections (53300).
 */
export function isConnectionError(e: unknown): boolean {
  if (e instanceof StorageUnavailable) return false;
  const code = pgCode(e);
  if (code === undefined || !/^[0-9A-Z]{5}$/.test(code)) {
    const message = (e as { message?: unknown } | null)?.message;
    return (
      typeof message === 'string' && /connect|terminat|timeout|ECONNREFUSED|ECONNRESET|EPIPE/i.test(message)
    );
  }
  return code.startsWith('08') || code.startsWith('57P0') || code === '53300';
}

function unavailable(e: unknown): unknown {
  return isConnectionError(e) ? new StorageUnavailable(`PostgreSQL is unreachable: ${String(e)}`, e) : e;
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * Statements as `pg` takes them: `?` numbered `$1, $2...`, and a name, so that each connection
 * parses and plans a statement once and then only binds values.
 */
class PreparedNames {
  readonly #byText = new Map<string, { name: string; text: string }>();

  get(sql: string): { name: string; text: string } {
    let prepared = this.#byText.get(sql);
    if (!prepared) {
      let n = 0;
      prepared = { name: `strata_${this.#byText.size}`, text: sql.replace(/\?/g, () => `$${(n += 1)}`) };
      this.#byText.set(sql, prepared);
    }
    return prepared;
  }
}

type Queryable = pg.Pool | pg.PoolClient;

class PgSession implements SqlSession {
  constructor(
    private readonly client: Queryable,
    private readonly names: PreparedNames,
  ) {}

  async #query<R extends pg.QueryResultRow>(
    sql: string,
    params: readonly unknown[],
  ): Promise<pg.QueryResult<R>> {
    refuseUnstorable(params);
    const { name, text } = this.names.get(sql);
    try {
      return await this.client.query<R>({ name, text, values: params as unknown[] });
    } catch (e) {
      throw unavailable(e);
    }
  }

  async all<R>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
    return (await this.#query<R & pg.QueryResultRow>(sql, params)).rows;
  }

  async run(sql: string, params: readonly unknown[] = []): Promise<number> {
    return (await this.#query(sql, params)).rowCount ?? 0;
  }

  /** Statements without parameters, several at once (the simple query protocol). */
  async simple(sql: string): Promise<void> {
    try {
      await this.client.query(sql);
    } catch (e) {
      throw unavailable(e);
    }
  }
}

/** Groups whose COMMIT may be in flight while the next group runs (each holds a pooled client). */
export const POSTGRES_PENDING_COMMITS = 4;

class PgWriter implements WriterConnection {
  readonly dialect = POSTGRES;
  readonly maxPendingCommits = POSTGRES_PENDING_COMMITS;
  /** A failed COMMIT rolled back its own transaction and nothing else. */
  readonly lostCommitIsFatal = false;
  #client: pg.PoolClient | undefined;
  #session: PgSession | undefined;
  /** BEGIN is sent with the first savepoint: one round trip fewer per group. */
  #beginPending = false;
  #savepoint = false;
  /** The COMMIT sent last, settled once PostgreSQL has flushed it. */
  #committing: Promise<void> = Promise.resolve();

  constructor(
    private readonly pool: pg.Pool,
    private readonly names: PreparedNames,
    private readonly channel: string,
  ) {}

  get session(): PgSession {
    if (!this.#session) throw new Error('bug: no writer transaction');
    return this.#session;
  }

  /** Takes a pooled client for the group (the previous group's may still be committing). */
  async begin(): Promise<void> {
    try {
      this.#client = await this.pool.connect();
    } catch (e) {
      throw new StorageUnavailable(`PostgreSQL is unreachable: ${String(e)}`, e);
    }
    this.#session = new PgSession(this.#client, this.names);
    this.#beginPending = true;
    this.#savepoint = false;
  }

  async transaction(): Promise<void> {
    if (!this.#beginPending) return;
    await this.session.simple('BEGIN ISOLATION LEVEL READ COMMITTED');
    this.#beginPending = false;
  }

  async savepoint(): Promise<void> {
    const start = this.#beginPending
      ? 'BEGIN ISOLATION LEVEL READ COMMITTED; '
      : this.#savepoint
        ? 'RELEASE SAVEPOINT write; '
        : '';
    await this.session.simple(`${start}SAVEPOINT write`);
    this.#beginPending = false;
    this.#savepoint = true;
  }

  async rollbackToSavepoint(): Promise<void> {
    await this.session.simple('ROLLBACK TO SAVEPOINT write');
  }

  /**
   * Sends COMMIT and returns at once: the next group runs on another client while PostgreSQL
   * flushes this one (`durable()` waits for it). The client goes back to the pool after COMMIT.
   */
  async commit(): Promise<void> {
    const client = this.#client;
    const session = this.session;
    this.#client = undefined;
    this.#session = undefined;
    if (this.#beginPending || !client) {
      client?.release();
      this.#committing = Promise.resolve();
      return;
    }
    this.#committing = session.simple('COMMIT').then(
      () => client.release(),
      (e: unknown) => {
        client.release(true);
        throw new StorageUnavailable(`PostgreSQL did not confirm a COMMIT: ${String(e)}`, e);
      },
    );
    // Observed through durable(), which group commit calls right after this.
    this.#committing.catch(() => undefined);
  }

  async rollback(): Promise<void> {
    if (!this.#client) return;
    try {
      if (!this.#beginPending) await this.session.simple('ROLLBACK');
      this.#release(false);
    } catch {
      this.#release(true);
    }
  }

  durable(): Promise<void> {
    // COMMIT answers once the commit record is flushed (synchronous_commit = on).
    return this.#committing;
  }

  async announceEvents(lastSequence: number): Promise<void> {
    await this.session.run('SELECT pg_notify(?, ?)', [this.channel, String(lastSequence)]);
  }

  classify(error: unknown): ErrorClass {
    const code = pgCode(error);
    return code === '40001' || code === '40P01' ? 'retry-transaction' : 'statement';
  }

  #release(broken: boolean): void {
    this.#client?.release(broken);
    this.#client = undefined;
    this.#session = undefined;
  }
}

/** Migrations through one pooled client, under an advisory lock (several processes may start). */
function migrationTarget(client: pg.PoolClient, names: PreparedNames): MigrationTarget {
  const session = new PgSession(client, names);
  return {
    all: (sql, params) => session.all(sql, params),
    run: (sql, params) => session.run(sql, params),
    exec: (sql) => session.simple(sql),
    exclusive: async (fn) => {
      await client.query('BEGIN');
      try {
        await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
        const value = await fn();
        await client.query('COMMIT');
        return value;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw e;
      }
    },
  };
}

export interface PostgresOptions {
  url: string;
  /** Use (and create if needed) this schema instead of the connection's default search path. */
  schema?: string;
  /** Pool size (default 32). */
  maxConnections?: number;
}

export class PostgresStorage implements Storage {
  readonly kind = 'postgres' as const;
  readonly #pool: pg.Pool;
  readonly #connection: pg.ClientConfig;
  readonly #readTx: ReadTx;
  readonly #group: GroupCommit;
  readonly #listeners: Array<(commit: CommitStats) => void> = [];
  readonly #events = new EventWatch();
  readonly #channel: string;
  #listener: pg.Client | undefined;
  #schemaVersion = 0;
  #closed = false;

  private constructor(pool: pg.Pool, connection: pg.ClientConfig, names: PreparedNames, channel: string) {
    this.#pool = pool;
    this.#connection = connection;
    this.#channel = channel;
    this.#readTx = readTx(new PgSession(pool, names), POSTGRES);
    this.#group = new GroupCommit(new PgWriter(pool, names, channel), {
      onCommit: (stats) => this.#listeners.forEach((l) => l(stats)),
      onEvents: (sequence) => this.#events.committed(sequence),
    });
  }

  /** Connects, creates the schema if asked, and runs pending migrations. */
  static async open(options: PostgresOptions): Promise<PostgresStorage> {
    if (options.schema !== undefined) {
      const admin = new pg.Client({ connectionString: options.url });
      await admin.connect();
      try {
        await admin.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(options.schema)}`);
      } finally {
        await admin.end();
      }
    }
    const connection: pg.ClientConfig = {
      connectionString: options.url,
      ...(options.schema !== undefined ? { options: `-c search_path=${quoteIdent(options.schema)}` } : {}),
    };
    const pool = new pg.Pool({
      ...connection,
      max: options.maxConnections ?? 32,
      // A database that does not answer fails requests (503) instead of queueing them forever.
      connectionTimeoutMillis: 5000,
    });
    // An idle client's error (server restart) must not crash the process; the next query reconnects.
    pool.on('error', () => undefined);
    try {
      const names = new PreparedNames();
      const client = await pool.connect();
      let schemaVersion: number;
      let schema: string;
      try {
        schemaVersion = await migrate(migrationTarget(client, names), 'postgres');
        schema = (await client.query<{ s: string }>('SELECT current_schema() AS s')).rows[0]?.s ?? '';
      } finally {
        client.release();
      }
      // One channel per database schema; channel names are short identifiers, hence the hash.
      const channel = `strata_events_${createHash('sha256').update(schema).digest('hex').slice(0, 16)}`;
      const storage = new PostgresStorage(pool, connection, names, channel);
      storage.#schemaVersion = schemaVersion;
      return storage;
    } catch (e) {
      await pool.end();
      throw e;
    }
  }

  read<T>(fn: (tx: ReadTx) => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new Error('storage is closed'));
    return fn(this.#readTx);
  }

  write<T>(fn: (tx: WriteTx) => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new Error('storage is closed'));
    return this.#group.write(fn);
  }

  async health(): Promise<StorageHealth> {
    try {
      await this.#pool.query('SELECT 1');
      return { ok: true, kind: 'postgres', schemaVersion: this.#schemaVersion };
    } catch (e) {
      return { ok: false, kind: 'postgres', schemaVersion: this.#schemaVersion, detail: String(e) };
    }
  }

  onCommit(listener: (commit: CommitStats) => void): void {
    this.#listeners.push(listener);
  }

  watchEvents(listener: (sequence: number) => void): () => void {
    const unwatch = this.#events.watch(listener);
    this.#listen();
    return () => {
      unwatch();
      if (!this.#events.watching) this.#unlisten();
    };
  }

  /** Listens for other processes' commits of events while anyone watches. */
  #listen(): void {
    if (this.#listener || this.#closed || !this.#events.watching) return;
    const client = new pg.Client(this.#connection);
    this.#listener = client;
    const lost = () => {
      if (this.#listener !== client) return;
      this.#unlisten();
      setTimeout(() => this.#listen(), RELISTEN_MS).unref();
    };
    client.on('notification', (message) => {
      const sequence = Number(message.payload);
      if (Number.isSafeInteger(sequence)) this.#events.committed(sequence);
    });
    client.on('error', lost);
    client.on('end', lost);
    client
      .connect()
      .then(() => client.query(`LISTEN ${quoteIdent(this.#channel)}`))
      // Commits made before LISTEN took effect sent nothing we heard: read how far they got.
      .then(() => this.#readTx.events.lastSequence())
      .then((sequence) => this.#events.committed(sequence))
      .catch(lost);
  }

  #unlisten(): void {
    const client = this.#listener;
    this.#listener = undefined;
    client?.removeAllListeners('end');
    void client?.end().catch(() => undefined);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    await this.#group.idle();
    this.#closed = true;
    this.#unlisten();
    await this.#pool.end();
  }
}
