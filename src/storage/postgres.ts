/**
 * PostgreSQL storage (`pg` Pool). Every write is one READ COMMITTED transaction; concurrency is
 * settled by the database, not by the process:
 * - unique constraints (`(kind, id)`, `(kind, natural_key)`, idempotency `request_id`) make the
 *   loser of any create race fail with 23505; the whole transaction is then re-run, sees the
 *   winner's committed rows and answers as a replay or an existing object;
 * - read-modify-write of one object (a product's current version) takes `SELECT ... FOR UPDATE`;
 * - serialization failures and deadlocks (40001, 40P01) are re-run the same way.
 * So several server processes may share one database.
 */
import pg from 'pg';
import { performance } from 'node:perf_hooks';
import { POSTGRES_MIGRATIONS } from './migrations.js';
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

interface ObjectRow {
  seq: string;
  kind: string;
  id: string;
  parent: string | null;
  natural_key: string | null;
  def_hash: string;
  body: string;
  created_at: string;
}

type Queryable = Pick<pg.ClientBase, 'query'>;

const MAX_ATTEMPTS = 8;
const RETRYABLE = new Set(['40001', '40P01', '23505']);
/** Arbitrary constant key of the advisory lock that serialises migrations across processes. */
const MIGRATION_LOCK = 7_301_455_001;

function toObject(r: ObjectRow): StoredObject {
  return {
    kind: r.kind,
    id: r.id,
    seq: Number(r.seq),
    parent: r.parent,
    naturalKey: r.natural_key,
    defHash: r.def_hash,
    body: r.body,
    createdAt: Number(r.created_at),
  };
}

/**
 * Errors that mean the database is unreachable rather than that the request is wrong: no
 * SQLSTATE at all (socket errors, pool timeouts), connection exceptions (class 08), operator
 * intervention such as a shutdown (57P0x), too many connections (53300).
 */
export function isConnectionError(e: unknown): boolean {
  if (e instanceof StorageConflict || e instanceof StorageUnavailable) return false;
  const code = pgCode(e);
  if (code === undefined || !/^[0-9A-Z]{5}$/.test(code)) {
    const sys = (e as { code?: unknown; message?: unknown } | null)?.message;
    return typeof sys === 'string' && /connect|terminat|timeout|ECONNREFUSED|ECONNRESET|EPIPE/i.test(sys);
  }
  return code.startsWith('08') || code.startsWith('57P0') || code === '53300';
}

function unavailable(e: unknown): unknown {
  return isConnectionError(e) ? new StorageUnavailable(`PostgreSQL is unreachable: ${String(e)}`, e) : e;
}

function pgCode(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

class PgTx implements WriteTx {
  constructor(readonly q: Queryable) {}

  async #one(sql: string, params: unknown[]): Promise<StoredObject | undefined> {
    const r = await this.q.query<ObjectRow>(sql, params);
    const row = r.rows[0];
    return row && toObject(row);
  }

  getObject(kind: string, id: string): Promise<StoredObject | undefined> {
    return this.#one('SELECT * FROM objects WHERE kind = $1 AND id = $2', [kind, id]);
  }

  async getObjects(kind: string, ids: readonly string[]): Promise<StoredObject[]> {
    if (ids.length === 0) return [];
    const r = await this.q.query<ObjectRow>(
      'SELECT * FROM objects WHERE kind = $1 AND id = ANY($2::text[])',
      [kind, [...new Set(ids)]],
    );
    return r.rows.map(toObject);
  }

  getByNaturalKey(kind: string, naturalKey: string): Promise<StoredObject | undefined> {
    return this.#one('SELECT * FROM objects WHERE kind = $1 AND natural_key = $2', [kind, naturalKey]);
  }

  async listObjects(q: ListQuery): Promise<StoredObject[]> {
    if (q.parents !== undefined && q.parents.length === 0) return [];
    const r =
      q.parents === undefined
        ? await this.q.query<ObjectRow>(
            'SELECT * FROM objects WHERE kind = $1 AND seq > $2 ORDER BY seq LIMIT $3',
            [q.kind, q.afterSeq, q.limit],
          )
        : await this.q.query<ObjectRow>(
            `SELECT * FROM objects WHERE kind = $1 AND parent = ANY($2::text[]) AND seq > $3
             ORDER BY seq LIMIT $4`,
            [q.kind, [...q.parents], q.afterSeq, q.limit],
          );
    return r.rows.map(toObject);
  }

  async getIdempotency(requestId: string): Promise<IdempotencyRecord | undefined> {
    const r = await this.q.query<{
      request_id: string;
      body_hash: string;
      status: number;
      response: string;
      created_at: string;
    }>('SELECT * FROM idempotency WHERE request_id = $1', [requestId]);
    const row = r.rows[0];
    return (
      row && {
        requestId: row.request_id,
        bodyHash: row.body_hash,
        status: row.status,
        response: row.response,
        createdAt: Number(row.created_at),
      }
    );
  }

  async findTokenByHash(hash: string): Promise<TokenRecord | undefined> {
    const r = await this.q.query<{
      id: string;
      name: string;
      hash: string;
      scopes: string;
      created_at: string;
    }>('SELECT * FROM tokens WHERE hash = $1', [hash]);
    const row = r.rows[0];
    return (
      row && {
        id: row.id,
        name: row.name,
        hash: row.hash,
        scopes: JSON.parse(row.scopes) as string[],
        createdAt: Number(row.created_at),
      }
    );
  }

  async countTokens(): Promise<number> {
    const r = await this.q.query<{ n: string }>('SELECT count(*) AS n FROM tokens');
    return Number(r.rows[0]?.n ?? 0);
  }

  lockObject(kind: string, id: string): Promise<StoredObject | undefined> {
    return this.#one('SELECT * FROM objects WHERE kind = $1 AND id = $2 FOR UPDATE', [kind, id]);
  }

  async insertObject(o: NewObject): Promise<StoredObject> {
    const r = await this.q.query<{ seq: string }>(
      `INSERT INTO objects (kind, id, parent, natural_key, def_hash, body, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING seq`,
      [o.kind, o.id, o.parent, o.naturalKey, o.defHash, o.body, o.createdAt],
    );
    return { ...o, seq: Number(r.rows[0]?.seq) };
  }

  async updateObject(kind: string, id: string, change: { body: string; defHash?: string }): Promise<void> {
    if (change.defHash === undefined)
      await this.q.query('UPDATE objects SET body = $1 WHERE kind = $2 AND id = $3', [change.body, kind, id]);
    else
      await this.q.query('UPDATE objects SET body = $1, def_hash = $2 WHERE kind = $3 AND id = $4', [
        change.body,
        change.defHash,
        kind,
        id,
      ]);
  }

  async putIdempotency(r: IdempotencyRecord): Promise<void> {
    await this.q.query(
      'INSERT INTO idempotency (request_id, body_hash, status, response, created_at) VALUES ($1, $2, $3, $4, $5)',
      [r.requestId, r.bodyHash, r.status, r.response, r.createdAt],
    );
  }

  async insertToken(t: TokenRecord): Promise<void> {
    await this.q.query(
      'INSERT INTO tokens (id, name, hash, scopes, created_at) VALUES ($1, $2, $3, $4, $5)',
      [t.id, t.name, t.hash, JSON.stringify(t.scopes), t.createdAt],
    );
  }
}

export interface PostgresOptions {
  url: string;
  /** Use (and create if needed) this schema instead of the connection's default search path. */
  schema?: string;
  /** Pool size (default 32). */
  maxConnections?: number;
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export class PostgresStorage implements Storage {
  readonly kind = 'postgres' as const;
  readonly #pool: pg.Pool;
  readonly #readTx: PgTx;
  readonly #listeners: Array<(seconds: number) => void> = [];
  #schemaVersion = 0;

  private constructor(pool: pg.Pool) {
    this.#pool = pool;
    this.#readTx = new PgTx(pool);
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
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.maxConnections ?? 32,
      // A database that does not answer fails requests (503) instead of queueing them forever.
      connectionTimeoutMillis: 5000,
      ...(options.schema !== undefined ? { options: `-c search_path=${quoteIdent(options.schema)}` } : {}),
    });
    // An idle client's error (server restart) must not crash the process; the next query reconnects.
    pool.on('error', () => undefined);
    const storage = new PostgresStorage(pool);
    try {
      await storage.#migrate();
    } catch (e) {
      await pool.end();
      throw e;
    }
    return storage;
  }

  async #migrate(): Promise<void> {
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`);
      const done = new Set(
        (await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map(
          (r) => r.version,
        ),
      );
      for (const m of POSTGRES_MIGRATIONS) {
        if (done.has(m.version)) continue;
        await client.query(m.sql);
        await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
          m.version,
          m.name,
          Date.now(),
        ]);
      }
      const v = await client.query<{ v: number }>('SELECT max(version) AS v FROM schema_migrations');
      await client.query('COMMIT');
      this.#schemaVersion = v.rows[0]?.v ?? 0;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
  }

  async read<T>(fn: (tx: ReadTx) => Promise<T>): Promise<T> {
    try {
      return await fn(this.#readTx);
    } catch (e) {
      throw unavailable(e);
    }
  }

  async write<T>(fn: (tx: WriteTx) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      let client: pg.PoolClient;
      try {
        client = await this.#pool.connect();
      } catch (e) {
        throw unavailable(e);
      }
      let broken = false;
      try {
        await client.query('BEGIN');
        const value = await fn(new PgTx(client));
        const started = performance.now();
        await client.query('COMMIT');
        const seconds = (performance.now() - started) / 1000;
        for (const l of this.#listeners) l(seconds);
        return value;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => {
          broken = true;
        });
        const code = pgCode(e);
        const retryable = e instanceof StorageConflict || (code !== undefined && RETRYABLE.has(code));
        if (!retryable) throw unavailable(e);
        if (attempt >= MAX_ATTEMPTS) throw new StorageUnavailable('the write kept conflicting; retry it', e);
        // Jittered backoff so the racers do not collide again in lockstep.
        await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 5 * attempt)));
      } finally {
        client.release(broken);
      }
    }
  }

  async health(): Promise<StorageHealth> {
    try {
      await this.#pool.query('SELECT 1');
      return { ok: true, kind: 'postgres', schemaVersion: this.#schemaVersion };
    } catch (e) {
      return { ok: false, kind: 'postgres', schemaVersion: this.#schemaVersion, detail: String(e) };
    }
  }

  onCommit(listener: (seconds: number) => void): void {
    this.#listeners.push(listener);
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}
