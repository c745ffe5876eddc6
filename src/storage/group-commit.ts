/**
 * Group commit: the write path of both storages. Writes queue up; one writer connection takes
 * every queued write (up to MAX_GROUP) into one transaction, runs each inside its own savepoint
 * and commits once, so one durable commit acknowledges the whole group. Within a process, writes
 * therefore run one at a time, in queue order.
 *
 * Failures, and what happens to the group:
 * - a write function throws: its savepoint is rolled back, it rejects, the others go on;
 * - it loses a unique-key race (`StorageConflict`): its savepoint is rolled back and it runs
 *   again at once, on fresh data (the winner is committed: that is how the key was taken), up to
 *   RETRY_POLICY.maxRuns runs, then it fails with StorageUnavailable;
 * - the database aborts the whole transaction (a PostgreSQL deadlock or serialization failure
 *   against another process, a SQLite file locked by another process): everything is rolled back
 *   and the whole group runs again after a jittered wait, up to RETRY_POLICY.maxRuns attempts.
 *   Write functions touch nothing but the transaction, so running them again is safe, and their
 *   promises settle only after the commit;
 * - the database is unreachable: every write of the group fails with StorageUnavailable.
 *
 * Events appended by the group's writes get their sequences last, right before COMMIT
 * (events.ts says why).
 */
import { performance } from 'node:perf_hooks';
import { storeEvents } from './events.js';
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
  /** Opens a savepoint for the next write (releasing the previous write's). */
  savepoint(): Promise<void>;
  rollbackToSavepoint(): Promise<void>;
  /** Commits: visible now, durable once `durable()` resolves. */
  commit(): Promise<void>;
  rollback(): Promise<void>;
  /** Resolves once everything committed so far is durable. */
  durable(): Promise<void>;
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
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

type Attempt =
  | { kind: 'committed'; outcomes: Outcome[]; lastSequence: number | undefined }
  | { kind: 'retry'; error: unknown }
  | { kind: 'failed'; error: unknown };

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
      this.#queue.push({ fn, resolve: resolve as (value: unknown) => void, reject });
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
    while (this.#queue.length > 0) await this.#commitGroup(this.#queue.splice(0, MAX_GROUP));
  }

  async #commitGroup(jobs: Job[]): Promise<void> {
    this.#runs = 0;
    for (let attempt = 1; ; attempt++) {
      const started = performance.now();
      const result = await this.#attempt(jobs);
      if (result.kind === 'committed') {
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
    }
  }

  async #attempt(jobs: Job[]): Promise<Attempt> {
    const outcomes: Outcome[] = [];
    const events: NewEvent[] = [];
    try {
      await this.conn.begin();
      for (const job of jobs) outcomes.push(await this.#runJob(job, events));
      let lastSequence: number | undefined;
      if (events.length > 0) {
        lastSequence = await storeEvents(this.conn.session, events);
        await this.conn.announceEvents(lastSequence);
      }
      await this.conn.commit();
      return { kind: 'committed', outcomes, lastSequence };
    } catch (error) {
      await this.conn.rollback().catch(() => undefined);
      if (!(error instanceof StorageUnavailable) && this.conn.classify(error) === 'retry-transaction') {
        return { kind: 'retry', error };
      }
      return { kind: 'failed', error };
    }
  }

  /** Runs one write in its savepoint; throws only what aborts the whole transaction. */
  async #runJob(job: Job, events: NewEvent[]): Promise<Outcome> {
    for (let run = 1; ; run++) {
      this.#runs += 1;
      await this.conn.savepoint();
      const { tx, finish } = writeRun(this.conn.session, this.conn.dialect);
      try {
        const value = await job.fn(tx);
        events.push(...finish());
        return { ok: true, value };
      } catch (error) {
        if (error instanceof StorageUnavailable || this.conn.classify(error) === 'retry-transaction')
          throw error;
        await this.conn.rollbackToSavepoint();
        if (!(error instanceof StorageConflict)) return { ok: false, error };
        if (run >= RETRY_POLICY.maxRuns) {
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
        this.#failure = error;
        const unavailable = new StorageUnavailable('the storage could not make a commit durable', error);
        for (const job of jobs) job.reject(unavailable);
      },
    );
    this.#settling.add(settled);
    void settled.finally(() => this.#settling.delete(settled));
  }
}
