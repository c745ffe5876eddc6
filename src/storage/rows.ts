/**
 * Rows as both databases return them, and the one place that maps them to records. PostgreSQL
 * returns BIGINT as a string (pg does not guess at precision) and SQLite returns INTEGER as a
 * number (or a BigInt with safe integers on): `toNumber` and `toBigInt` accept all three, so a
 * mapper never cares which database the row came from.
 */
import type { IdempotencyRecord, StoredEvent, StoredObject, TokenRecord } from './types.js';

type DbInteger = number | string | bigint;

/** An integer column as a JS number; refuses values a number cannot hold exactly. */
export function toNumber(value: DbInteger): number {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isSafeInteger(n)) throw new Error(`bug: ${String(value)} is not a safe integer`);
  return n;
}

/** An integer column as a BigInt (integer money: exact at any size). */
export function toBigInt(value: DbInteger): bigint {
  return typeof value === 'bigint' ? value : BigInt(value);
}

export interface ObjectRow {
  seq: DbInteger;
  kind: string;
  id: string;
  parent: string | null;
  natural_key: string | null;
  def_hash: string;
  body: string;
  created_at: DbInteger;
}

export function toStoredObject(r: ObjectRow): StoredObject {
  return {
    kind: r.kind,
    id: r.id,
    seq: toNumber(r.seq),
    parent: r.parent,
    naturalKey: r.natural_key,
    defHash: r.def_hash,
    body: r.body,
    createdAt: toNumber(r.created_at),
  };
}

export interface IdempotencyRow {
  request_id: string;
  body_hash: string;
  status: DbInteger;
  response: string;
  created_at: DbInteger;
}

export function toIdempotencyRecord(r: IdempotencyRow): IdempotencyRecord {
  return {
    requestId: r.request_id,
    bodyHash: r.body_hash,
    status: toNumber(r.status),
    response: r.response,
    createdAt: toNumber(r.created_at),
  };
}

export interface TokenRow {
  id: string;
  name: string;
  hash: string;
  scopes: string;
  created_at: DbInteger;
}

export function toTokenRecord(r: TokenRow): TokenRecord {
  return {
    id: r.id,
    name: r.name,
    hash: r.hash,
    scopes: JSON.parse(r.scopes) as string[],
    createdAt: toNumber(r.created_at),
  };
}

export interface EventRow {
  seq: DbInteger;
  topic: string;
  key: string;
  timestamp_ms: DbInteger;
  payload: string;
}

export function toStoredEvent(r: EventRow): StoredEvent {
  return {
    sequence: toNumber(r.seq),
    topic: r.topic,
    key: r.key,
    timestampMs: toNumber(r.timestamp_ms),
    payload: r.payload,
  };
}
