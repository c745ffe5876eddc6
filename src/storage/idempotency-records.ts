/**
 * The `idempotency` part: one record per request_id, written in the transaction of the change it
 * describes. `claim` inserts a placeholder row first, so that a concurrent write with the same id
 * (another PostgreSQL transaction) waits on the unique key until this one ends and then finds the
 * real record; `put` completes the placeholder. A placeholder never commits: `finish` refuses a
 * write that claimed an id and did not complete it.
 */
import { toIdempotencyRecord, type IdempotencyRow } from './rows.js';
import { runUnique, type Dialect, type SqlSession } from './sql.js';
import type { IdempotencyRecord, IdempotencyWrites } from './types.js';

export class IdempotencyRecords implements IdempotencyWrites {
  readonly #claimed = new Set<string>();

  constructor(
    private readonly session: SqlSession,
    private readonly dialect: Dialect,
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
    const record = await this.get(requestId);
    if (!record) throw new Error(`bug: request ${requestId} is taken but has no committed record`);
    return record;
  }

  async put(r: IdempotencyRecord): Promise<void> {
    if (this.#claimed.delete(r.requestId)) {
      await this.session.run(
        'UPDATE idempotency SET body_hash = ?, status = ?, response = ?, created_at = ? WHERE request_id = ?',
        [r.bodyHash, r.status, r.response, r.createdAt, r.requestId],
      );
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

  /** Throws when a claimed request id was not completed (its placeholder must not commit). */
  finish(): void {
    if (this.#claimed.size > 0) {
      throw new Error(`bug: request ids claimed and never completed: ${[...this.#claimed].join(', ')}`);
    }
  }
}
