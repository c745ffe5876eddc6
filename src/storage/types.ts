/**
 * The storage interface of the bundled server: one contract, two implementations (SQLite for the
 * embedded default, PostgreSQL for scale). It stores opaque, canonical-JSON objects under natural
 * keys and leaves every business rule to the services above it, so both implementations stay
 * small and the one API test suite exercises both.
 *
 * Invariants both implementations keep:
 * - `(kind, id)` is unique, and `(kind, natural_key)` is unique when the natural key is set.
 * - `seq` grows with creation: lists in `seq` order are creation order and stable across pages.
 * - `write` runs its function atomically and, on success, resolves only once the transaction is
 *   durable (fsync'ed), so an acknowledged response is never lost.
 * - A `write` whose function loses a race on a unique constraint is re-run from the start (on a
 *   fresh snapshot), so callers write check-then-insert logic and races resolve to one winner.
 * - Idempotency records are written in the same transaction as the change they describe.
 * - No floating point: times are integer milliseconds; amounts (ledger, later) integer minor units.
 */

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

export interface NewObject {
  kind: ObjectKind;
  id: string;
  parent: string | null;
  naturalKey: string | null;
  defHash: string;
  body: string;
  createdAt: number;
}

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

export interface ReadTx {
  getObject(kind: ObjectKind, id: string): Promise<StoredObject | undefined>;
  /** The objects that exist among `ids` (any order). */
  getObjects(kind: ObjectKind, ids: readonly string[]): Promise<StoredObject[]>;
  getByNaturalKey(kind: ObjectKind, naturalKey: string): Promise<StoredObject | undefined>;
  listObjects(query: ListQuery): Promise<StoredObject[]>;
  getIdempotency(requestId: string): Promise<IdempotencyRecord | undefined>;
  findTokenByHash(hash: string): Promise<TokenRecord | undefined>;
  countTokens(): Promise<number>;
}

export interface WriteTx extends ReadTx {
  /** Like getObject, and holds the row until commit (read-modify-write without lost updates). */
  lockObject(kind: ObjectKind, id: string): Promise<StoredObject | undefined>;
  /** Inserts; a unique-key clash makes the whole `write` re-run (see the invariants above). */
  insertObject(object: NewObject): Promise<StoredObject>;
  updateObject(kind: ObjectKind, id: string, change: { body: string; defHash?: string }): Promise<void>;
  putIdempotency(record: IdempotencyRecord): Promise<void>;
  insertToken(token: TokenRecord): Promise<void>;
}

export interface StorageHealth {
  ok: boolean;
  kind: StorageKind;
  schemaVersion: number;
  detail?: string;
}

export type StorageKind = 'sqlite' | 'postgres';

export interface Storage {
  readonly kind: StorageKind;
  /** Reads committed data. */
  read<T>(fn: (tx: ReadTx) => Promise<T>): Promise<T>;
  /** Runs `fn` in one durable transaction (re-run on lost races); rejects with what `fn` threw. */
  write<T>(fn: (tx: WriteTx) => Promise<T>): Promise<T>;
  health(): Promise<StorageHealth>;
  /** Called with the duration (seconds) of every commit, for metrics. */
  onCommit(listener: (seconds: number) => void): void;
  close(): Promise<void>;
}

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
