/** The storage contract (src/storage/types.ts), run against both implementations. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isConnectionError } from '../../src/storage/postgres.js';
import { SqliteStorage } from '../../src/storage/sqlite.js';
import { parseDatabase } from '../../src/storage/open.js';
import type { NewObject, Storage } from '../../src/storage/types.js';
import { STORAGE_FACTORIES } from './factories.js';

function obj(id: string, more: Partial<NewObject> = {}): NewObject {
  return {
    kind: 'THING',
    id,
    parent: null,
    naturalKey: null,
    defHash: 'h',
    body: `{"id":"${id}"}`,
    createdAt: 1,
    ...more,
  };
}

describe.each(STORAGE_FACTORIES)('storage contract on $name', (factory) => {
  describe.skipIf(factory.skip)('', () => {
    let storage: Storage;
    let cleanup: () => Promise<void>;
    beforeEach(async () => {
      ({ storage, cleanup } = await factory.create());
    });
    afterEach(async () => {
      await cleanup();
    });

    it('stores objects under (kind, id) and lists them in creation order by parent', async () => {
      await storage.write(async (tx) => {
        await tx.insertObject(obj('b', { parent: 'p1' }));
        await tx.insertObject(obj('a', { parent: 'p2' }));
        await tx.insertObject(obj('c', { parent: 'p1', kind: 'OTHER' }));
      });
      await storage.write(async (tx) => void (await tx.insertObject(obj('d', { parent: 'p1' }))));
      const all = await storage.read((tx) => tx.listObjects({ kind: 'THING', afterSeq: 0, limit: 10 }));
      expect(all.map((o) => o.id)).toEqual(['b', 'a', 'd']);
      const p1 = await storage.read((tx) =>
        tx.listObjects({ kind: 'THING', parents: ['p1'], afterSeq: 0, limit: 10 }),
      );
      expect(p1.map((o) => o.id)).toEqual(['b', 'd']);
      const after = await storage.read((tx) =>
        tx.listObjects({ kind: 'THING', afterSeq: all[0]?.seq ?? 0, limit: 1 }),
      );
      expect(after.map((o) => o.id)).toEqual(['a']);
      const some = await storage.read((tx) => tx.getObjects('THING', ['a', 'zz', 'b', 'a']));
      expect(some.map((o) => o.id).sort()).toEqual(['a', 'b']);
      expect(Number.isInteger(all[0]?.createdAt)).toBe(true);
    });

    it('rolls back a failed write completely and leaves other writes alone', async () => {
      const failing = storage.write(async (tx) => {
        await tx.insertObject(obj('x'));
        throw new Error('no');
      });
      const fine = storage.write(async (tx) => tx.insertObject(obj('y')));
      await expect(failing).rejects.toThrow('no');
      await fine;
      const ids = (await storage.read((tx) => tx.listObjects({ kind: 'THING', afterSeq: 0, limit: 10 }))).map(
        (o) => o.id,
      );
      expect(ids).toEqual(['y']);
    });

    it('re-runs a write that loses a unique-key race, which then sees the winner', async () => {
      const attempts: number[] = [];
      const racer = (n: number) =>
        storage.write(async (tx) => {
          attempts.push(n);
          const existing = await tx.getObject('THING', 'same');
          if (existing) return 'found';
          await new Promise((r) => setTimeout(r, 20));
          await tx.insertObject(obj('same', { body: `{"n":${n}}` }));
          return 'inserted';
        });
      const results = await Promise.all([racer(1), racer(2)]);
      expect(results.sort()).toEqual(['found', 'inserted']);
      const naturalClash = storage.write(async (tx) => {
        await tx.insertObject(obj('n1', { naturalKey: 'k' }));
        await tx.insertObject(obj('n2', { naturalKey: 'k' }));
      });
      await expect(naturalClash).rejects.toThrow();
      expect(await storage.read((tx) => tx.getObject('THING', 'n1'))).toBeUndefined();
    });

    it('keeps idempotency records and token hashes', async () => {
      await storage.write(async (tx) => {
        await tx.putIdempotency({
          requestId: 'r',
          bodyHash: 'bh',
          status: 200,
          response: '{}',
          createdAt: 5,
        });
        await tx.insertToken({ id: 't', name: 'n', hash: 'abc', scopes: ['read'], createdAt: 5 });
      });
      expect(await storage.read((tx) => tx.getIdempotency('r'))).toEqual({
        requestId: 'r',
        bodyHash: 'bh',
        status: 200,
        response: '{}',
        createdAt: 5,
      });
      expect(await storage.read((tx) => tx.findTokenByHash('abc'))).toMatchObject({
        id: 't',
        scopes: ['read'],
      });
      expect(await storage.read((tx) => tx.countTokens())).toBe(1);
      expect(await storage.read((tx) => tx.getIdempotency('other'))).toBeUndefined();
    });

    it('reports health, schema version and commit latencies', async () => {
      const seen: number[] = [];
      storage.onCommit((s) => seen.push(s));
      await storage.write(async (tx) => tx.insertObject(obj('h')));
      expect(seen.length).toBeGreaterThan(0);
      expect(await storage.health()).toMatchObject({ ok: true, kind: factory.name, schemaVersion: 1 });
    });
  });
});

describe('SQLite specifics', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'strata-sqlite-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs in WAL with synchronous=FULL, set explicitly', async () => {
    const s = SqliteStorage.open(join(dir, 'db'));
    expect(s.pragmas()).toEqual({ journalMode: 'wal', synchronous: 2 });
    await s.close();
  });

  it('applies migrations once and records them', async () => {
    const path = join(dir, 'db');
    await SqliteStorage.open(path).close();
    await SqliteStorage.open(path).close();
    const db = new Database(path, { readonly: true });
    const rows = db.prepare('SELECT version FROM schema_migrations').all();
    db.close();
    expect(rows).toEqual([{ version: 1 }]);
  });

  it('commits concurrent writes in groups, each acknowledged only after its commit', async () => {
    const s = SqliteStorage.open(join(dir, 'db'));
    let commits = 0;
    s.onCommit(() => (commits += 1));
    await Promise.all(
      Array.from({ length: 200 }, (_, i) => s.write(async (tx) => tx.insertObject(obj(`g${i}`)))),
    );
    expect(commits).toBeLessThan(200);
    await s.close();
    const again = SqliteStorage.open(join(dir, 'db'));
    expect(
      await again.read((tx) => tx.listObjects({ kind: 'THING', afterSeq: 0, limit: 1000 })),
    ).toHaveLength(200);
    await again.close();
  });

  it('finishes queued writes before closing', async () => {
    const s = SqliteStorage.open(join(dir, 'db'));
    const pending = s.write(async (tx) => tx.insertObject(obj('late')));
    await s.close();
    await pending;
    const again = SqliteStorage.open(join(dir, 'db'));
    expect(await again.read((tx) => tx.getObject('THING', 'late'))).toBeDefined();
    await again.close();
  });

  it('parses --database values', () => {
    expect(parseDatabase(undefined, '/d')).toEqual({ kind: 'sqlite', path: '/d/strata.db' });
    expect(parseDatabase('sqlite:/x/y.db', '/d')).toEqual({ kind: 'sqlite', path: '/x/y.db' });
    expect(parseDatabase('postgres://u@h/db', '/d')).toEqual({ kind: 'postgres', url: 'postgres://u@h/db' });
    expect(parseDatabase('mysql://x', '/d')).toBeUndefined();
  });
});

describe('PostgreSQL error classification', () => {
  it('treats connection failures as unavailable and request errors as errors', () => {
    expect(
      isConnectionError(
        Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
      ),
    ).toBe(true);
    expect(isConnectionError(Object.assign(new Error('terminating connection'), { code: '57P01' }))).toBe(
      true,
    );
    expect(isConnectionError(Object.assign(new Error('x'), { code: '08006' }))).toBe(true);
    expect(isConnectionError(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe(false);
    expect(isConnectionError(Object.assign(new Error('syntax error'), { code: '42601' }))).toBe(false);
  });
});
