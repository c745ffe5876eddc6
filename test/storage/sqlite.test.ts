/** What only the SQLite storage does: its file, its durability settings, other processes' locks. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../src/storage/migrations.js';
import { parseDatabase } from '../../src/storage/open.js';
import { SQLITE_PENDING_COMMITS, SqliteStorage } from '../../src/storage/sqlite.js';
import { StorageUnavailable } from '../../src/storage/types.js';
import { obj, sleep } from './helpers.js';

describe('SQLite storage', () => {
  let dir: string;
  let path: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'strata-sqlite-'));
    path = join(dir, 'strata.db');
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs in WAL with synchronous=NORMAL, set explicitly (durability comes from the WAL sync)', async () => {
    const s = await SqliteStorage.open(path);
    expect(s.pragmas()).toEqual({ journalMode: 'wal', synchronous: 1 });
    await s.close();
  });

  it('acknowledges a write, and answers a read that saw it, only once the WAL sync is done', async () => {
    let release: () => void = () => undefined;
    let syncs = 0;
    const s = await SqliteStorage.open(path, {
      syncData: () => {
        syncs += 1;
        return new Promise((resolve) => (release = resolve));
      },
    });
    let acked = false;
    const write = s.write((tx) => tx.config.insertObject(obj('held'))).then(() => (acked = true));
    while (syncs === 0) await sleep(1);
    let read = false;
    const reading = s.read((tx) => tx.config.getObject('THING', 'held')).then((o) => ((read = true), o));
    await sleep(30);
    expect({ acked, read }).toEqual({ acked: false, read: false });
    release();
    await write;
    expect(await reading).toMatchObject({ id: 'held' });
    await s.close();
  });

  it(`commits the next groups while earlier WAL syncs run, ${SQLITE_PENDING_COMMITS} at most; each acknowledged after its own`, async () => {
    const held: Array<() => void> = [];
    const s = await SqliteStorage.open(path, {
      syncData: () => new Promise<void>((resolve) => held.push(resolve)),
    });
    const acked: string[] = [];
    const write = (id: string) => s.write((tx) => tx.config.insertObject(obj(id))).then(() => acked.push(id));
    const writes: Array<Promise<unknown>> = [];
    for (let i = 0; i < SQLITE_PENDING_COMMITS; i++) {
      writes.push(write(`g${i}`));
      while (held.length === i) await sleep(1);
    }
    // Every group so far is committed, its sync running; the next ones wait for a sync and
    // then commit as one group.
    writes.push(write('late1'), write('late2'));
    await sleep(30);
    expect(held).toHaveLength(SQLITE_PENDING_COMMITS);
    expect(acked).toEqual([]);
    held[1]?.();
    while (held.length === SQLITE_PENDING_COMMITS) await sleep(1);
    expect(held).toHaveLength(SQLITE_PENDING_COMMITS + 1);
    // A sync covers the commits made before it started: g0 and g1 are durable, g2 and g3 not yet.
    await sleep(10);
    expect(acked.sort()).toEqual(['g0', 'g1']);
    for (const release of held) release();
    await Promise.all(writes);
    expect(acked.sort()).toEqual(['g0', 'g1', 'g2', 'g3', 'late1', 'late2']);
    await s.close();
  });

  it('fails writes with StorageUnavailable once a WAL sync has failed', async () => {
    const s = await SqliteStorage.open(path, { syncData: () => Promise.reject(new Error('EIO')) });
    await expect(s.write((tx) => tx.config.insertObject(obj('lost')))).rejects.toBeInstanceOf(
      StorageUnavailable,
    );
    await expect(s.write((tx) => tx.config.insertObject(obj('next')))).rejects.toBeInstanceOf(
      StorageUnavailable,
    );
    await expect(s.read((tx) => tx.config.getObject('THING', 'lost'))).rejects.toThrow('EIO');
  });

  it('waits, off the event loop, for another process that holds the write lock', async () => {
    const server = await SqliteStorage.open(path);
    const other = await SqliteStorage.open(path);
    let runs = 0;
    let ticks = 0;
    const ticking = setInterval(() => (ticks += 1), 1);
    const holding = other.write(async (tx) => {
      await tx.config.insertObject(obj('first'));
      await sleep(20);
    });
    await sleep(5);
    await server.write(async (tx) => {
      runs += 1;
      await tx.config.insertObject(obj('second'));
    });
    await holding;
    clearInterval(ticking);
    expect(runs).toBe(1);
    expect(ticks).toBeGreaterThan(5);
    const ids = await server.read((tx) => tx.config.listObjects({ kind: 'THING', afterSeq: 0, limit: 9 }));
    expect(ids.map((o) => o.id)).toEqual(['first', 'second']);
    await other.close();
    await server.close();
  });

  it('applies migrations once, records them, and upgrades a database made before the events outbox', async () => {
    await (await SqliteStorage.open(path)).close();
    await (await SqliteStorage.open(path)).close();
    const db = new Database(path);
    expect(db.prepare('SELECT version FROM schema_migrations ORDER BY version').all()).toEqual(
      MIGRATIONS.map((m) => ({ version: m.version })),
    );
    db.exec('DROP TABLE events; DROP TABLE event_sequence; DELETE FROM schema_migrations WHERE version = 2');
    db.close();
    const upgraded = await SqliteStorage.open(path);
    await upgraded.write(async (tx) =>
      tx.events.append({ topic: 't', key: 'k', timestampMs: 1, payload: '{}' }),
    );
    expect(await upgraded.read((tx) => tx.events.lastSequence())).toBe(1);
    expect(await upgraded.health()).toMatchObject({ schemaVersion: MIGRATIONS.at(-1)?.version });
    await upgraded.close();
  });

  it('finishes queued writes before closing', async () => {
    const s = await SqliteStorage.open(path);
    const pending = s.write((tx) => tx.config.insertObject(obj('late')));
    await s.close();
    await pending;
    const again = await SqliteStorage.open(path);
    expect(await again.read((tx) => tx.config.getObject('THING', 'late'))).toBeDefined();
    await again.close();
  });

  it('works in memory', async () => {
    const s = await SqliteStorage.open(':memory:');
    await s.write((tx) => tx.config.insertObject(obj('m')));
    expect(await s.read((tx) => tx.config.getObject('THING', 'm'))).toMatchObject({ id: 'm' });
    await s.close();
  });

  it('parses --database values', () => {
    expect(parseDatabase(undefined, '/d')).toEqual({ kind: 'sqlite', path: '/d/strata.db' });
    expect(parseDatabase('sqlite:/x/y.db', '/d')).toEqual({ kind: 'sqlite', path: '/x/y.db' });
    expect(parseDatabase('postgres://u@h/db', '/d')).toEqual({ kind: 'postgres', url: 'postgres://u@h/db' });
    expect(parseDatabase('mysql://x', '/d')).toBeUndefined();
  });
});
