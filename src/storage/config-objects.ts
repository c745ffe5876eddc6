/**
 * The `config` part: configuration-layer objects, canonical-JSON documents under `(kind, id)`
 * and an optional natural key, in the `objects` table. Business rules live in the services.
 */
import { idProblem } from '../util/id.js';
import { toStoredObject, type ObjectRow } from './rows.js';
import { runUnique, type Dialect, type SqlSession } from './sql.js';
import {
  UnstorableValue,
  type ConfigWrites,
  type ListQuery,
  type NewObject,
  type ObjectKind,
  type StoredObject,
} from './types.js';

/** Longest parent or natural key: well inside PostgreSQL's index entry limit at 4 bytes a character. */
export const MAX_KEY_LENGTH = 512;

/** The id grammar and key lengths, checked on insert by both storages alike. */
function refuseBadKeys(o: NewObject): void {
  const problem = idProblem(o.id);
  if (problem !== undefined) throw new UnstorableValue(`the id of the new ${o.kind} must be ${problem}`);
  for (const [what, key] of [
    ['parent', o.parent],
    ['natural key', o.naturalKey],
  ] as const) {
    if (key !== null && key.length > MAX_KEY_LENGTH) {
      throw new UnstorableValue(
        `the ${what} of the new ${o.kind} is longer than ${MAX_KEY_LENGTH} characters`,
      );
    }
  }
}

const SELECT = 'SELECT seq, kind, id, parent, natural_key, def_hash, body, created_at FROM objects';

export class ConfigObjects implements ConfigWrites {
  constructor(
    private readonly session: SqlSession,
    private readonly dialect: Dialect,
  ) {}

  async #one(sql: string, params: readonly unknown[]): Promise<StoredObject | undefined> {
    const row = (await this.session.all<ObjectRow>(sql, params))[0];
    return row && toStoredObject(row);
  }

  async #many(sql: string, params: readonly unknown[]): Promise<StoredObject[]> {
    return (await this.session.all<ObjectRow>(sql, params)).map(toStoredObject);
  }

  getObject(kind: ObjectKind, id: string): Promise<StoredObject | undefined> {
    return this.#one(`${SELECT} WHERE kind = ? AND id = ?`, [kind, id]);
  }

  async getObjects(kind: ObjectKind, ids: readonly string[]): Promise<StoredObject[]> {
    if (ids.length === 0) return [];
    const among = this.dialect.anyOf('id', [...new Set(ids)]);
    return this.#many(`${SELECT} WHERE kind = ? AND ${among.sql}`, [kind, ...among.params]);
  }

  getByNaturalKey(kind: ObjectKind, naturalKey: string): Promise<StoredObject | undefined> {
    return this.#one(`${SELECT} WHERE kind = ? AND natural_key = ?`, [kind, naturalKey]);
  }

  async listObjects(q: ListQuery): Promise<StoredObject[]> {
    if (q.parents === undefined) {
      return this.#many(`${SELECT} WHERE kind = ? AND seq > ? ORDER BY seq LIMIT ?`, [
        q.kind,
        q.afterSeq,
        q.limit,
      ]);
    }
    if (q.parents.length === 0) return [];
    const among = this.dialect.anyOf('parent', q.parents);
    return this.#many(`${SELECT} WHERE kind = ? AND ${among.sql} AND seq > ? ORDER BY seq LIMIT ?`, [
      q.kind,
      ...among.params,
      q.afterSeq,
      q.limit,
    ]);
  }

  lockObject(kind: ObjectKind, id: string): Promise<StoredObject | undefined> {
    return this.#one(`${SELECT} WHERE kind = ? AND id = ?${this.dialect.forUpdate}`, [kind, id]);
  }

  async insertObject(o: NewObject): Promise<void> {
    refuseBadKeys(o);
    await runUnique(
      this.session,
      this.dialect,
      `${o.kind} ${o.id}`,
      `INSERT INTO objects (kind, id, parent, natural_key, def_hash, body, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
      [o.kind, o.id, o.parent, o.naturalKey, o.defHash, o.body, o.createdAt],
    );
  }

  async insertObjectIfAbsent(o: NewObject): Promise<StoredObject | undefined> {
    refuseBadKeys(o);
    const inserted = await runUnique(
      this.session,
      this.dialect,
      `${o.kind} ${o.id}`,
      `INSERT INTO objects (kind, id, parent, natural_key, def_hash, body, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (kind, id) DO NOTHING`,
      [o.kind, o.id, o.parent, o.naturalKey, o.defHash, o.body, o.createdAt],
    );
    if (inserted === 1) return undefined;
    // The clash waited for the other transaction's end (PostgreSQL): the row is readable now.
    const existing = await this.getObject(o.kind, o.id);
    if (!existing) throw new Error(`bug: ${o.kind} ${o.id} is taken but cannot be read`);
    return existing;
  }

  async updateObject(
    kind: ObjectKind,
    id: string,
    change: { body: string; defHash?: string },
  ): Promise<void> {
    if (change.defHash === undefined) {
      await this.session.run('UPDATE objects SET body = ? WHERE kind = ? AND id = ?', [
        change.body,
        kind,
        id,
      ]);
    } else {
      await this.session.run('UPDATE objects SET body = ?, def_hash = ? WHERE kind = ? AND id = ?', [
        change.body,
        change.defHash,
        kind,
        id,
      ]);
    }
  }
}
