/**
 * Group commit: the write path of both storages. Writes queue up; the writer takes every queued
 * write (up to MAX_GROUP) into one transaction and commits once, so one durable commit
 * acknowledges the whole group. Within a process, write functions therefore run one at a time,
 * in queue order. Each write is undone alone when it fails: the group runs its writes directly
 * while none fails, and inside one savepoint each once one has (see `Mode`).
 *
 * Pipelining: making a commit durable is the slow part (an fsync: several milliseconds), and the
 * next group does not wait for it unless `maxPendingCommits` groups are already on their way to
 * durability; then it waits, and gathers every write that queued meanwhile. A group's writes are
 * acknowledged once its own commit is durable. Only the commit overlaps, never the execution of
 * two groups, so a group may wait for a lock of the one committing before it, never the reverse:
 * no deadlock between a process's own groups. (SQLite: the COMMIT is instant and its WAL sync runs
 * on the thread pool; PostgreSQL: COMMIT returns once flushed, so the next group runs on another
 * pooled connection meanwhile.)
 *
 * Failures, and what happens to the group:
 * - a write function throws: what it did is rolled back (its savepoint; or, without savepoints,
 *   the whole transaction, and the group runs again with them), it rejects, the others go on;
 * - it loses a unique-key race (`StorageConflict`): what it did is rolled back the same way and it
 *   runs again at once, on fresh data (the winner is committed: that is how the key was taken), up
 *   to RETRY_POLICY.maxRuns runs that lost, then it fails with StorageUnavailable;
 * - the database aborts the whole transaction (a PostgreSQL deadlock or serialization failure
 *   against another process, a SQLite file locked by another process): everything is rolled back
 *   and the whole group runs again after a jittered wait, up to RETRY_POLICY.maxRuns attempts.
 *   Write functions touch nothing but the transaction, so running them again is safe, and their
 *   promises settle only after the commit;
 * - the database is unreachable: every write of the group fails with StorageUnavailable.
 *
 * Events appended by the group's writes get their sequences last, right before COMMIT
 * (events.ts says why); the request-id records the writes completed are written just before
 * (idempotency-records.ts).
 */
import { performance } from 'node:perf_hooks';
import { storeEvents } from './events.js';
import { GroupRecords } from './idempotency-records.js';
import type { Dialect, SqlSession } from './sql.js';
import { writeRun } from './transaction.js';
import {
  RETRY_POLICY,
  StorageConflict,
  StorageUnavailable,
  type CommitStats,
  type NewEvent,
  type WriteTx,
} from './types.js';

/**
 * Most writes in one transaction. Each write is a savepoint, a subtransaction to PostgreSQL,
 * which keeps up to 64 subtransaction ids per backend in shared memory; past that every other
 * session's visibility checks get slower.
 */
export const MAX_GROUP = 64;

/** What the driver makes of an error: a transaction worth trying again, or an ordinary failure. */
export type ErrorClass = 'retry-transaction' | 'statement';

/** One writer connection of a database, as group commit drives it. */
export interface WriterConnection {
  readonly dialect: Dialect;
  /** Statements inside the transaction begun last. */
  readonly session: SqlSession;
  begin(): Promise<void>;
  /** Makes sure the transaction begun last is open (a write without a savepoint is next). */
  transaction(): Promise<void>;
  /** Opens a savepoint for the next write (releasing the previous write's). */
  savepoint(): Promise<void>;
  rollbackToSavepoint(): Promise<void>;
  /** Commits: visible now, durable once `durable()` resolves. */
  commit(): Promise<void>;
  rollback(): Promise<void>;
  /**
   * Called right after `commit()`: resolves once that commit is durable; rejects when it was lost
   * (the group's writes then fail with StorageUnavailable).
   */
  durable(): Promise<void>;
  /** Groups committed and not yet durable when the next group may begin (at least 1). */
  readonly maxPendingCommits: number;
  /**
   * True when a lost commit leaves later ones untrustworthy (a failed SQLite WAL sync), so every
   * later write fails; false when it took only its own transaction (a failed PostgreSQL COMMIT).
   */
  readonly lostCommitIsFatal: boolean;
  /** Runs in the transaction after events up to `lastSequence` were stored (PostgreSQL: NOTIFY). */
  announceEvents(lastSequence: number): Promise<void>;
  classify(error: unknown): ErrorClass;
}

export interface GroupCommitHooks {
  onCommit(stats: CommitStats): void;
  onEvents(lastSequence: number): void;
  /** Waits `ms` before a transaction is tried again (tests inject one that does not wait). */
  delay?: (ms: number) => Promise<void>;
  random?: () => number;
}

interface Job {
  fn: (tx: WriteTx) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  /** Runs of `fn` that lost a unique-key race, over every attempt of its group. */
  lostRaces: number;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

type Attempt =
  | { kind: 'committed'; outcomes: Outcome[]; lastSequence: number | undefined }
  /** A write failed in a group run without savepoints: run the group again with them. */
  | { kind: 'redo' }
  | { kind: 'retry'; error: unknown }
  | { kind: 'failed'; error: unknown };

/**
 * How a group runs its writes. `direct`: one after another without savepoints (a savepoint costs
 * a round trip to PostgreSQL per write); the first write that fails rolls the whole transaction
 * back and the group runs again `isolated`, each write in its own savepoint, so that the failure
 * stays its own. A group runs isolated from the start when the previous group had a failed write
 * (failures come in streaks: a bad import, a rejected batch after another).
 */
type Mode = 'direct' | 'isolated';

/** Thrown inside a direct attempt when a write fails: only a rollback of everything undoes it. */
class RedoIsolated extends Error {}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class GroupCommit {
  #queue: Job[] = [];
  #scheduled = false;
  #running: Promise<void> | undefined;
  readonly #settling = new Set<Promise<void>>();
  /** Set when a commit could not be made durable: nothing written after it can be trusted. */
  #failure: unknown;
  /** Runs of write functions in the current group, re-runs included. */
  #runs = 0;
  /** How the next group starts (see Mode). */
  #mode: Mode = 'direct';

  constructor(
    private readonly conn: WriterConnection,
    private readonly hooks: GroupCommitHooks,
  ) {}

  write<T>(fn: (tx: WriteTx) => Promise<T>): Promise<T> {
    if (this.#failure !== undefined) {
      return Promise.reject(
        new StorageUnavailable('the storage could not make a commit durable', this.#failure),
      );
    }
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ fn, resolve: resolve as (value: unknown) => void, reject, lostRaces: 0 });
      this.#kick();
    });
  }

  /** Resolves once every accepted write has settled. */
  async idle(): Promise<void> {
    while (
      this.#running !== undefined ||
      this.#scheduled ||
      this.#queue.length > 0 ||
      this.#settling.size > 0
    ) {
      if (this.#running !== undefined) await this.#running;
      else if (this.#settling.size > 0) await Promise.all(this.#settling);
      else await new Promise((resolve) => setImmediate(resolve));
    }
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
      // Enough commits on their way to durability: wait for one, and take a bigger group then.
      while (this.#settling.size >= this.conn.maxPendingCommits) await Promise.race(this.#settling);
      await this.#commitGroup(this.#queue.splice(0, MAX_GROUP));
    }
  }

  async #commitGroup(jobs: Job[]): Promise<void> {
    this.#runs = 0;
    let mode = this.#mode;
    for (let attempt = 1; ;) {
      const started = performance.now();
      const result = await this.#attempt(jobs, mode);
      if (result.kind === 'redo') {
        mode = 'isolated';
        continue;
      }
      if (result.kind === 'committed') {
        this.#mode = result.outcomes.every((o) => o.ok) ? 'direct' : 'isolated';
        this.#settle(jobs, result.outcomes, result.lastSequence, started);
        return;
      }
      if (result.kind === 'failed' || attempt >= RETRY_POLICY.maxRuns) {
        const error =
          result.kind === 'failed'
            ? result.error
            : new StorageUnavailable(
                'the write kept being aborted by concurrent writes; retry it',
                result.error,
              );
        for (const job of jobs) job.reject(error);
        return;
      }
      const random = this.hooks.random ?? Math.random;
      await (this.hooks.delay ?? sleep)(random() * RETRY_POLICY.baseDelayMs * 2 ** (attempt - 1));
      attempt += 1;
    }
  }

  async #attempt(jobs: Job[], mode: Mode): Promise<Attempt> {
    const outcomes: Outcome[] = [];
    const events: NewEvent[] = [];
    const records = new GroupRecords();
    try {
      await this.conn.begin();
      for (const job of jobs) {
        outcomes.push(
          mode === 'direct'
            ? await this.#runDirect(job, events, records)
            : await this.#runIsolated(job, events, records),
        );
      }
      await records.write(this.conn.session, this.conn.dialect);
      let lastSequence: number | undefined;
      if (events.length > 0) {
        lastSequence = await storeEvents(this.conn.session, events);
        await this.conn.announceEvents(lastSequence);
      }
      await this.conn.commit();
      return { kind: 'committed', outcomes, lastSequence };
    } catch (error) {
      await this.conn.rollback().catch(() => undefined);
      if (error instanceof RedoIsolated) return { kind: 'redo' };
      if (!(error instanceof StorageUnavailable) && this.conn.classify(error) === 'retry-transaction') {
        return { kind: 'retry', error };
      }
      return { kind: 'failed', error };
    }
  }

  /** Runs one write without a savepoint; any failure of its own rolls the whole group back. */
  async #runDirect(job: Job, events: NewEvent[], records: GroupRecords): Promise<Outcome> {
    this.#runs += 1;
    await this.conn.transaction();
    const { tx, finish } = writeRun(this.conn.session, this.conn.dialect, records);
    try {
      const value = await job.fn(tx);
      events.push(...finish());
      return { ok: true, value };
    } catch (error) {
      if (error instanceof StorageUnavailable || this.conn.classify(error) === 'retry-transaction')
        throw error;
      if (error instanceof StorageConflict) job.lostRaces += 1;
      throw new RedoIsolated();
    }
  }

  /** Runs one write in its savepoint; throws only what aborts the whole transaction. */
  async #runIsolated(job: Job, events: NewEvent[], records: GroupRecords): Promise<Outcome> {
    for (;;) {
      this.#runs += 1;
      await this.conn.savepoint();
      const { tx, finish } = writeRun(this.conn.session, this.conn.dialect, records);
      try {
        const value = await job.fn(tx);
        events.push(...finish());
        return { ok: true, value };
      } catch (error) {
        if (error instanceof StorageUnavailable || this.conn.classify(error) === 'retry-transaction')
          throw error;
        await this.conn.rollbackToSavepoint();
        if (!(error instanceof StorageConflict)) return { ok: false, error };
        job.lostRaces += 1;
        if (job.lostRaces >= RETRY_POLICY.maxRuns) {
          return {
            ok: false,
            error: new StorageUnavailable('the write kept losing races on a unique key; retry it', error),
          };
        }
      }
    }
  }

  /** Settles the group's writes once their commit is durable; the next group may run meanwhile. */
  #settle(jobs: Job[], outcomes: Outcome[], lastSequence: number | undefined, started: number): void {
    const reruns = this.#runs - jobs.length;
    const settled = this.conn.durable().then(
      () => {
        this.hooks.onCommit({ seconds: (performance.now() - started) / 1000, writes: jobs.length, reruns });
        if (lastSequence !== undefined) this.hooks.onEvents(lastSequence);
        jobs.forEach((job, i) => {
          const o = outcomes[i];
          if (o?.ok) job.resolve(o.value);
          else job.reject(o?.error);
        });
      },
      (error: unknown) => {
        if (this.conn.lostCommitIsFatal) this.#failure = error;
        const unavailable = new StorageUnavailable('the storage could not make a commit durable', error);
        for (const job of jobs) job.reject(unavailable);
      },
    );
    this.#settling.add(settled);
    void settled.finally(() => this.#settling.delete(settled));
  }
}
