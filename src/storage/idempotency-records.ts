/**
 * The `idempotency` part: one record per request_id, written in the transaction of the change it
 * describes. `claim` inserts a placeholder row first, so that a concurrent write with the same id
 * (another PostgreSQL transaction) waits on the unique key until this one ends and then finds the
 * real record; `put` completes the placeholder. A placeholder never commits: `finish` refuses a
 * write that claimed an id and did not complete it.
 *
 * Completing placeholders costs no statement per write: the records of a group's writes are kept
 * aside (`GroupRecords`) and written by one UPDATE right before the group commits; until then a
 * later write of the group that claims the same id finds the record there.
 */
import { toIdempotencyRecord, type IdempotencyRow } from './rows.js';
import { runUnique, type Dialect, type SqlSession } from './sql.js';
import type { IdempotencyRecord, IdempotencyWrites } from './types.js';

const COLUMNS = [
  ['request_id', 'text'],
  ['body_hash', 'text'],
  ['status', 'int'],
  ['response', 'text'],
  ['created_at', 'bigint'],
] as const;

/** Rows per UPDATE when records are written (well under SQLite's parameter limit). */
const ROWS_PER_UPDATE = 200;

/** The records completed by a group's writes, written together before COMMIT. */
export class GroupRecords {
  readonly #records = new Map<string, IdempotencyRecord>();

  get(requestId: string): IdempotencyRecord | undefined {
    return this.#records.get(requestId);
  }

  add(records: readonly IdempotencyRecord[]): void {
    for (const r of records) this.#records.set(r.requestId, r);
  }

  /** Completes the claimed placeholders with their records: one statement per 200 records. */
  async write(session: SqlSession, dialect: Dialect): Promise<void> {
    const all = [...this.#records.values()];
    for (let i = 0; i < all.length; i += ROWS_PER_UPDATE) {
      const rows = all
        .slice(i, i + ROWS_PER_UPDATE)
        .map((r) => [r.requestId, r.bodyHash, r.status, r.response, r.createdAt]);
      const v = dialect.rowsOf(COLUMNS, rows);
      await session.run(
        `UPDATE idempotency SET body_hash = v.body_hash, status = v.status, response = v.response,
           created_at = v.created_at
         FROM (${v.sql}) AS v WHERE idempotency.request_id = v.request_id`,
        v.params,
      );
    }
    this.#records.clear();
  }
}

export class IdempotencyRecords implements IdempotencyWrites {
  readonly #claimed = new Set<string>();
  /** Records of ids this write claimed, written with the group's (see GroupRecords). */
  readonly #completed: IdempotencyRecord[] = [];

  constructor(
    private readonly session: SqlSession,
    private readonly dialect: Dialect,
    private readonly group?: GroupRecords,
  ) {}

  async get(requestId: string): Promise<IdempotencyRecord | undefined> {
    const row = (
      await this.session.all<IdempotencyRow>(
        'SELECT request_id, body_hash, status, response, created_at FROM idempotency WHERE request_id = ?',
        [requestId],
      )
    )[0];
    return row && toIdempotencyRecord(row);
  }

  async claim(requestId: string, now: number): Promise<IdempotencyRecord | undefined> {
    const inserted = await this.session.run(
      `INSERT INTO idempotency (request_id, body_hash, status, response, created_at)
       VALUES (?, '', 0, '', ?) ON CONFLICT (request_id) DO NOTHING`,
      [requestId, now],
    );
    if (inserted === 1) {
      this.#claimed.add(requestId);
      return undefined;
    }
    const record = this.group?.get(requestId) ?? (await this.get(requestId));
    if (!record || record.status === 0) {
      throw new Error(`bug: request ${requestId} is taken but has no committed record`);
    }
    return record;
  }

  async put(r: IdempotencyRecord): Promise<void> {
    if (this.#claimed.delete(r.requestId)) {
      if (this.group) this.#completed.push({ ...r });
      else await this.#complete(r);
      return;
    }
    await runUnique(
      this.session,
      this.dialect,
      `request ${r.requestId}`,
      'INSERT INTO idempotency (request_id, body_hash, status, response, created_at) VALUES (?, ?, ?, ?, ?)',
      [r.requestId, r.bodyHash, r.status, r.response, r.createdAt],
    );
  }

  /**
   * Ends the write: throws when a claimed request id was not completed (its placeholder must not
   * commit); otherwise hands the records it completed to its group.
   */
  finish(): void {
    if (this.#claimed.size > 0) {
      throw new Error(`bug: request ids claimed and never completed: ${[...this.#claimed].join(', ')}`);
    }
    this.group?.add(this.#completed);
  }

  async #complete(r: IdempotencyRecord): Promise<void> {
    await this.session.run(
      'UPDATE idempotency SET body_hash = ?, status = ?, response = ?, created_at = ? WHERE request_id = ?',
      [r.bodyHash, r.status, r.response, r.createdAt, r.requestId],
    );
  }
}
