/**
 * The `events` part: the outbox every domain appends to in the transaction of its change.
 *
 * Sequence design: sequences are not taken when an event is appended but once per transaction,
 * just before COMMIT, from the single `event_sequence` row (`UPDATE ... RETURNING`). That row
 * stays locked until the transaction ends, so the next transaction to take sequences waits for
 * this one's commit (or rollback, which also rolls the counter back): sequences are gap-free and
 * follow commit order, even with several processes writing to one PostgreSQL database (an
 * identity column or a sequence would give numbers in start order, with gaps on rollback). The
 * lock is held only from the end of the transaction to its commit.
 *
 * Consequence readers rely on: when a commit with last sequence N is reported, every event up
 * to N is committed.
 */
import { toNumber, toStoredEvent, type EventRow } from './rows.js';
import type { Dialect, SqlSession } from './sql.js';
import type { EventQuery, EventReads, EventWrites, NewEvent, StoredEvent } from './types.js';

/** Rows per INSERT when events are written (well under both databases' parameter limits). */
const ROWS_PER_INSERT = 200;

export class EventLog implements EventReads {
  constructor(
    private readonly session: SqlSession,
    private readonly dialect: Dialect,
  ) {}

  async read(q: EventQuery): Promise<StoredEvent[]> {
    const select = 'SELECT seq, topic, key, timestamp_ms, payload FROM events WHERE seq > ?';
    if (q.topics === undefined) {
      const rows = await this.session.all<EventRow>(`${select} ORDER BY seq LIMIT ?`, [q.afterSeq, q.limit]);
      return rows.map(toStoredEvent);
    }
    if (q.topics.length === 0) return [];
    const among = this.dialect.anyOf('topic', q.topics);
    const rows = await this.session.all<EventRow>(`${select} AND ${among.sql} ORDER BY seq LIMIT ?`, [
      q.afterSeq,
      ...among.params,
      q.limit,
    ]);
    return rows.map(toStoredEvent);
  }

  async lastSequence(): Promise<number> {
    const rows = await this.session.all<{ last_seq: number | string }>(
      'SELECT last_seq FROM event_sequence WHERE id = 1',
    );
    return toNumber(rows[0]?.last_seq ?? 0);
  }
}

/** Appended events of one write, held until its transaction takes their sequences. */
export class EventOutbox implements EventWrites {
  readonly appended: NewEvent[] = [];

  append(event: NewEvent): void {
    if (event.topic === '' || !Number.isSafeInteger(event.timestampMs)) {
      throw new Error(`bug: an event needs a topic and an integer timestamp (${event.topic})`);
    }
    this.appended.push({ ...event });
  }
}

/**
 * Takes sequences for `events` and stores them; returns the last sequence. Runs last in the
 * transaction, right before COMMIT (see the sequence design above).
 */
export async function storeEvents(session: SqlSession, events: readonly NewEvent[]): Promise<number> {
  const taken = await session.all<{ last_seq: number | string }>(
    'UPDATE event_sequence SET last_seq = last_seq + ? WHERE id = 1 RETURNING last_seq',
    [events.length],
  );
  const last = toNumber(taken[0]?.last_seq ?? Number.NaN);
  let seq = last - events.length;
  for (let i = 0; i < events.length; i += ROWS_PER_INSERT) {
    const chunk = events.slice(i, i + ROWS_PER_INSERT);
    const params: unknown[] = [];
    for (const e of chunk) params.push((seq += 1), e.topic, e.key, e.timestampMs, e.payload);
    await session.run(
      `INSERT INTO events (seq, topic, key, timestamp_ms, payload) VALUES ${chunk.map(() => '(?, ?, ?, ?, ?)').join(', ')}`,
      params,
    );
  }
  return last;
}

/** Tells listeners how far events are known to be committed; never goes backwards. */
export class EventWatch {
  readonly #listeners = new Set<(sequence: number) => void>();
  #committed = 0;

  watch(listener: (sequence: number) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get watching(): boolean {
    return this.#listeners.size > 0;
  }

  committed(sequence: number): void {
    if (sequence <= this.#committed) return;
    this.#committed = sequence;
    for (const l of this.#listeners) l(sequence);
  }
}
