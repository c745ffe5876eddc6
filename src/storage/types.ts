/**
 * The storage contract of the bundled server: one contract, two implementations (SQLite for the
 * embedded default, PostgreSQL for scale), proven by one test suite (test/storage/contract.test.ts)
 * that runs on both.
 *
 * A transaction is made of typed parts, one per domain: `config` (the configuration layer's
 * objects, canonical-JSON documents under natural keys), `idempotency` (request_id records),
 * `tokens`, `events` (the outbox every domain appends to). A new domain (the ledger) adds its
 * own part with its own tables beside these, not more JSON documents.
 *
 * Invariants both implementations keep:
 * - Writes behave as if run one at a time, in the order they commit.
 * - `write` runs its function atomically and resolves only once the transaction is durable
 *   (fsync'ed), so an acknowledged response is never lost; a read never returns data that is not
 *   yet durable.
 * - A write whose function loses a unique-key race (`StorageConflict`) is re-run from the start
 *   on fresh data, so callers write check-then-insert logic and races resolve to one winner. After
 *   `RETRY_POLICY.maxRuns` runs the write fails with `StorageUnavailable` (HTTP 503, retryable).
 * - Idempotency records are written in the same transaction as the change they describe; a
 *   claimed request id is held until that transaction ends, so racing requests with one id
 *   answer as one.
 * - Events get a gap-free sequence in commit order: once a commit with sequence N is reported,
 *   every event up to N is committed and readable.
 * - `(kind, id)` is unique, and `(kind, natural_key)` is unique when the natural key is set;
 *   object `seq` grows with creation, so lists in `seq` order are creation order.
 * - No floating point: times are integer milliseconds; amounts (ledger) integer minor units.
 */

import type { LedgerReads, LedgerWrites } from './ledger-types.js';

/** What an object is: a resource type name, or one of the server's own kinds. */
export type ObjectKind = string;

export interface StoredObject {
  kind: ObjectKind;
  id: string;
  /** Creation sequence, unique across kinds. */
  seq: number;
  /** The object this one belongs to (product of a version, calendar of an event...), for filters. */
  parent: string | null;
  /** A second unique key within the kind (a product version's `product_id` + version number). */
  naturalKey: string | null;
  /** Hash of the definition the object was created from: equal hashes are identical definitions. */
  defHash: string;
  /** The object as the API returns it, canonical JSON text. */
  body: string;
  /** Creation time, integer milliseconds since the epoch. */
  createdAt: number;
}

export type NewObject = Omit<StoredObject, 'seq'>;

export interface ListQuery {
  kind: ObjectKind;
  /** Only objects whose parent is one of these (absent: all). */
  parents?: readonly string[] | undefined;
  /** Only objects created after this sequence number (0: from the start). */
  afterSeq: number;
  limit: number;
}

export interface IdempotencyRecord {
  requestId: string;
  /** Hash of method, path and canonical body (request id left out). */
  bodyHash: string;
  status: number;
  /** The response body as sent. */
  response: string;
  createdAt: number;
}

export interface TokenRecord {
  id: string;
  name: string;
  /** SHA-256 (hex) of the token; the token itself is never stored. */
  hash: string;
  scopes: string[];
  createdAt: number;
}

export interface NewEvent {
  /** Such as `vault.core_api.v1.products.product_version.events`. */
  topic: string;
  /** What the event is about (a product id, an account id...). */
  key: string;
  timestampMs: number;
  /** The event body, JSON text. */
  payload: string;
}

export interface StoredEvent extends NewEvent {
  /** Gap-free, increasing in commit order, from 1. */
  sequence: number;
}

export interface EventQuery {
  /** Events after this sequence (0: from the first). */
  afterSeq: number;
  /** Only these topics (absent: all). */
  topics?: readonly string[] | undefined;
  limit: number;
}

/** Configuration-layer objects: reads. */
export interface ConfigReads {
  getObject(kind: ObjectKind, id: string): Promise<StoredObject | undefined>;
  /** The objects that exist among `ids` (any order). */
  getObjects(kind: ObjectKind, ids: readonly string[]): Promise<StoredObject[]>;
  getByNaturalKey(kind: ObjectKind, naturalKey: string): Promise<StoredObject | undefined>;
  listObjects(query: ListQuery): Promise<StoredObject[]>;
}

/** Configuration-layer objects: reads and changes inside a write. */
export interface ConfigWrites extends ConfigReads {
  /** Like getObject, and holds the row until commit (read-modify-write without lost updates). */
  lockObject(kind: ObjectKind, id: string): Promise<StoredObject | undefined>;
  /** Inserts; a unique-key clash raises `StorageConflict`, which re-runs the write. */
  insertObject(object: NewObject): Promise<void>;
  /**
   * Inserts unless an object of that kind and id exists (committed, or written by this
   * transaction), and then returns that object instead; a clash on another unique key raises
   * `StorageConflict` as `insertObject` does. One statement where a read and an insert were two.
   */
  insertObjectIfAbsent(object: NewObject): Promise<StoredObject | undefined>;
  updateObject(kind: ObjectKind, id: string, change: { body: string; defHash?: string }): Promise<void>;
}

export interface IdempotencyReads {
  get(requestId: string): Promise<IdempotencyRecord | undefined>;
}

export interface IdempotencyWrites extends IdempotencyReads {
  /**
   * Claims `requestId` for this write: returns the committed record when the id was already
   * used, else undefined, and then holds the id until this write ends (a concurrent write with
   * the same id waits, then finds this one's record). A claimed id must be completed with `put`
   * before the write function returns; the storage checks it.
   */
  claim(requestId: string, now: number): Promise<IdempotencyRecord | undefined>;
  put(record: IdempotencyRecord): Promise<void>;
}

export interface TokenReads {
  findByHash(hash: string): Promise<TokenRecord | undefined>;
  count(): Promise<number>;
}

export interface TokenWrites extends TokenReads {
  insert(token: TokenRecord): Promise<void>;
}

export interface EventReads {
  /** Committed events in sequence order. */
  read(query: EventQuery): Promise<StoredEvent[]>;
  /** The last committed sequence (0 when none). */
  lastSequence(): Promise<number>;
}

export interface EventWrites {
  /**
   * Appends an event to the outbox. Its sequence is assigned at commit (a gap-free, commit-ordered
   * sequence needs the commit order), so the write's own events are not readable inside it.
   */
  append(event: NewEvent): void;
}

/** A four-eyes activation request (release management), as the `releases` part stores it. */
export interface ActivationRequestRecord {
  id: string;
  /** Creation sequence: lists in `seq` order are creation order. */
  seq: number;
  /** `product:<id>` or `workflow:<id>`. */
  target: string;
  /** PENDING, APPROVED or REJECTED. */
  status: string;
  /** The request as the API returns it, canonical JSON text. */
  body: string;
  createdAt: number;
}

export type NewActivationRequest = Omit<ActivationRequestRecord, 'seq'>;

export interface ActivationRequestQuery {
  status?: string | undefined;
  /** Only requests for these targets (absent: all). */
  targets?: readonly string[] | undefined;
  afterSeq: number;
  limit: number;
}

export interface ReleaseReads {
  getRequest(id: string): Promise<ActivationRequestRecord | undefined>;
  listRequests(query: ActivationRequestQuery): Promise<ActivationRequestRecord[]>;
}

export interface ReleaseWrites extends ReleaseReads {
  /** Like getRequest, and holds the row until commit. */
  lockRequest(id: string): Promise<ActivationRequestRecord | undefined>;
  insertRequest(request: NewActivationRequest): Promise<void>;
  updateRequest(id: string, change: { status: string; body: string }): Promise<void>;
}

export interface ReadTx {
  readonly config: ConfigReads;
  readonly idempotency: IdempotencyReads;
  readonly tokens: TokenReads;
  readonly events: EventReads;
  readonly ledger: LedgerReads;
  readonly releases: ReleaseReads;
}

export interface WriteTx {
  readonly config: ConfigWrites;
  readonly idempotency: IdempotencyWrites;
  readonly tokens: TokenWrites;
  readonly events: EventWrites;
  readonly ledger: LedgerWrites;
  readonly releases: ReleaseWrites;
}

export interface StorageHealth {
  ok: boolean;
  kind: StorageKind;
  schemaVersion: number;
  detail?: string;
}

export type StorageKind = 'sqlite' | 'postgres';

/** One durable commit of a group of writes, for metrics. Measured the same way on both storages. */
export interface CommitStats {
  /** From BEGIN of the transaction that committed until it was durable. */
  seconds: number;
  /** Writes settled by this commit (those that failed inside it included). */
  writes: number;
  /** Re-runs of write functions on the way to this commit (lost races, aborted transactions). */
  reruns: number;
}

export interface Storage {
  readonly kind: StorageKind;
  /** Reads committed, durable data. */
  read<T>(fn: (tx: ReadTx) => Promise<T>): Promise<T>;
  /** Runs `fn` in one durable transaction (re-run on lost races); rejects with what `fn` threw. */
  write<T>(fn: (tx: WriteTx) => Promise<T>): Promise<T>;
  health(): Promise<StorageHealth>;
  /** Called after every commit. */
  onCommit(listener: (commit: CommitStats) => void): void;
  /**
   * Calls `listener` with N whenever events up to sequence N are known to be committed (by this
   * process, or by another one sharing the PostgreSQL database). Returns the unsubscribe function.
   */
  watchEvents(listener: (sequence: number) => void): () => void;
  close(): Promise<void>;
}

/**
 * How often a write is tried: `maxRuns` runs of its function at most (the first and its re-runs),
 * and before a whole transaction is tried again (an aborted PostgreSQL transaction, a SQLite file
 * locked by another process), a random wait of up to `baseDelayMs * 2^(attempt - 1)` so racing
 * writers do not collide again in lockstep. One policy for both storages.
 */
export const RETRY_POLICY = { maxRuns: 8, baseDelayMs: 4 } as const;

/** Raised inside a write when a unique key is already taken; `write` re-runs the function. */
export class StorageConflict extends Error {
  constructor(
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'StorageConflict';
  }
}

/** A write that kept losing races (or a storage that is down): the request may be retried. */
export class StorageUnavailable extends Error {
  constructor(
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'StorageUnavailable';
  }
}

/**
 * A value no storage accepts, refused the same way by both: text holding NUL (PostgreSQL cannot
 * store it), an object id outside the id grammar (src/util/id.ts), a key too long to index. The
 * request carried it, so it is the request's fault (400), never a 500.
 */
export class UnstorableValue extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnstorableValue';
  }
}
