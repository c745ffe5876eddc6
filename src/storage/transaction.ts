/** Assembles transactions from the parts, over one SQL session. */
import { ConfigObjects } from './config-objects.js';
import { EventLog, EventOutbox } from './events.js';
import { IdempotencyRecords, type GroupRecords } from './idempotency-records.js';
import { LedgerRecords } from './ledger-records.js';
import { ReleaseRecords } from './release-records.js';
import type { Dialect, SqlSession } from './sql.js';
import { TokenRecords } from './token-records.js';
import type { NewEvent, ReadTx, WriteTx } from './types.js';

export function readTx(session: SqlSession, dialect: Dialect): ReadTx {
  return {
    config: new ConfigObjects(session, dialect),
    idempotency: new IdempotencyRecords(session, dialect),
    tokens: new TokenRecords(session, dialect),
    events: new EventLog(session, dialect),
    ledger: new LedgerRecords(session, dialect),
    releases: new ReleaseRecords(session, dialect),
  };
}

/** One run of a write function: the transaction it sees, and what it left to do at commit. */
export interface WriteRun {
  tx: WriteTx;
  /** Checks the run's invariants (claimed request ids completed); returns the events it appended. */
  finish(): NewEvent[];
}

/** A run of a write function inside a group: request-id records go to the group's `records`. */
export function writeRun(session: SqlSession, dialect: Dialect, records?: GroupRecords): WriteRun {
  const idempotency = new IdempotencyRecords(session, dialect, records);
  const events = new EventOutbox();
  return {
    tx: {
      config: new ConfigObjects(session, dialect),
      idempotency,
      tokens: new TokenRecords(session, dialect),
      events,
      ledger: new LedgerRecords(session, dialect),
      releases: new ReleaseRecords(session, dialect),
    },
    finish: () => {
      idempotency.finish();
      return events.appended;
    },
  };
}
