/**
 * The storage contract (src/storage/types.ts), one suite run against both implementations: what
 * one storage does, the other does too, counted the same way.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../src/storage/migrations.js';
import {
  RETRY_POLICY,
  StorageUnavailable,
  UnstorableValue,
  type CommitStats,
  type Storage,
  type WriteTx,
} from '../../src/storage/types.js';
import { STORAGE_FACTORIES, type CreatedStorage } from './factories.js';
import { event, obj } from './helpers.js';

function ids(storage: Storage, kind = 'THING'): Promise<string[]> {
  return storage.read(async (tx) =>
    (await tx.config.listObjects({ kind, afterSeq: 0, limit: 1000 })).map((o) => o.id),
  );
}

describe.each(STORAGE_FACTORIES)('storage contract on $name', (factory) => {
  describe.skipIf(factory.skip)('', () => {
    let created: CreatedStorage;
    let storage: Storage;
    let commits: CommitStats[];
    beforeEach(async () => {
      created = await factory.create();
      storage = created.storage;
      commits = [];
      storage.onCommit((c) => commits.push(c));
    });
    afterEach(async () => {
      await created.cleanup();
    });
    const reruns = () => commits.reduce((n, c) => n + c.reruns, 0);

    it('stores objects under (kind, id) and lists them in creation order by parent', async () => {
      await storage.write(async (tx) => {
        await tx.config.insertObject(obj('b', { parent: 'p1' }));
        await tx.config.insertObject(obj('a', { parent: 'p2' }));
        await tx.config.insertObject(obj('c', { parent: 'p1', kind: 'OTHER' }));
      });
      await storage.write((tx) => tx.config.insertObject(obj('d', { parent: 'p1', naturalKey: 'nk' })));
      const all = await storage.read((tx) =>
        tx.config.listObjects({ kind: 'THING', afterSeq: 0, limit: 10 }),
      );
      expect(all.map((o) => o.id)).toEqual(['b', 'a', 'd']);
      expect(all[2]).toEqual({ ...obj('d', { parent: 'p1', naturalKey: 'nk' }), seq: expect.any(Number) });
      const p1 = await storage.read((tx) =>
        tx.config.listObjects({ kind: 'THING', parents: ['p1'], afterSeq: 0, limit: 10 }),
      );
      expect(p1.map((o) => o.id)).toEqual(['b', 'd']);
      const after = await storage.read((tx) =>
        tx.config.listObjects({ kind: 'THING', afterSeq: all[0]?.seq ?? 0, limit: 1 }),
      );
      expect(after.map((o) => o.id)).toEqual(['a']);
      const some = await storage.read((tx) => tx.config.getObjects('THING', ['a', 'zz', 'b', 'a']));
      expect(some.map((o) => o.id).sort()).toEqual(['a', 'b']);
      expect(await storage.read((tx) => tx.config.getByNaturalKey('THING', 'nk'))).toMatchObject({ id: 'd' });
      await storage.write((tx) => tx.config.updateObject('THING', 'd', { body: '{"v":2}', defHash: 'h2' }));
      expect(await storage.read((tx) => tx.config.getObject('THING', 'd'))).toMatchObject({
        body: '{"v":2}',
        defHash: 'h2',
      });
    });

    it('inserts an object unless its (kind, id) exists, and then returns the one that does', async () => {
      await storage.write((tx) => tx.config.insertObject(obj('old', { body: '{"v":"old"}' })));
      const results = await storage.write(async (tx) => [
        await tx.config.insertObjectIfAbsent(obj('new', { naturalKey: 'nk' })),
        await tx.config.insertObjectIfAbsent(obj('old', { body: '{"v":"again"}' })),
        await tx.config.insertObjectIfAbsent(obj('new', { body: '{"v":"twice"}' })),
        await tx.config.insertObjectIfAbsent(obj('old', { kind: 'OTHER' })),
      ]);
      expect(results.map((o) => o?.body)).toEqual([undefined, '{"v":"old"}', '{"id":"new"}', undefined]);
      expect(await ids(storage)).toEqual(['old', 'new']);
      // Another unique key (the natural key) still clashes: the write runs again, then fails alone.
      let runs = 0;
      const clash = storage.write(async (tx) => {
        runs += 1;
        return tx.config.insertObjectIfAbsent(obj('other', { naturalKey: 'nk' }));
      });
      await expect(clash).rejects.toBeInstanceOf(StorageUnavailable);
      expect(runs).toBe(RETRY_POLICY.maxRuns);
      await expect(storage.write((tx) => tx.config.insertObjectIfAbsent(obj('..')))).rejects.toBeInstanceOf(
        UnstorableValue,
      );
    });

    it('rolls back a failed write completely and leaves the other writes of its group alone', async () => {
      const failing = storage.write(async (tx) => {
        await tx.config.insertObject(obj('x'));
        tx.events.append(event('x'));
        throw new Error('no');
      });
      const fine = storage.write((tx) => tx.config.insertObject(obj('y')));
      await expect(failing).rejects.toThrow('no');
      await fine;
      expect(await ids(storage)).toEqual(['y']);
      expect(await storage.read((tx) => tx.events.lastSequence())).toBe(0);
    });

    it('re-runs a write that lost a unique-key race, once, on fresh data that shows the winner', async () => {
      await storage.write((tx) => tx.config.insertObject(obj('same', { body: '{"winner":true}' })));
      let runs = 0;
      // The first run decides as if it had read before the winner committed: that is a lost race.
      const result = await storage.write(async (tx) => {
        runs += 1;
        const existing = runs === 1 ? undefined : await tx.config.getObject('THING', 'same');
        if (existing) return existing.body;
        await tx.config.insertObject(obj('same', { body: '{"winner":false}' }));
        return 'inserted';
      });
      expect(result).toBe('{"winner":true}');
      expect(runs).toBe(2);
      expect(reruns()).toBe(1);
    });

    it(`fails a write that keeps losing races after ${RETRY_POLICY.maxRuns} runs with StorageUnavailable`, async () => {
      await storage.write((tx) => tx.config.insertObject(obj('taken')));
      let runs = 0;
      const hopeless = storage.write(async (tx) => {
        runs += 1;
        await tx.config.insertObject(obj('taken'));
      });
      const bystander = storage.write((tx) => tx.config.insertObject(obj('fine')));
      await expect(hopeless).rejects.toBeInstanceOf(StorageUnavailable);
      await bystander;
      expect(runs).toBe(RETRY_POLICY.maxRuns);
      expect(reruns()).toBe(RETRY_POLICY.maxRuns - 1);
      expect(await ids(storage)).toEqual(['taken', 'fine']);
    });

    it('undoes a failed write alone: its group runs again with a savepoint per write, counted as re-runs', async () => {
      const runs: Record<string, number> = {};
      const write = (id: string, fail = false) =>
        storage.write(async (tx) => {
          runs[id] = (runs[id] ?? 0) + 1;
          await tx.config.insertObject(obj(id));
          if (fail) throw new Error(`${id} fails`);
        });
      const statuses = async (writes: Array<Promise<unknown>>) =>
        (await Promise.allSettled(writes)).map((s) => s.status);
      // First group: written directly until 'bad' fails, then all again, each in a savepoint.
      expect(await statuses([write('a'), write('bad', true), write('c')])).toEqual([
        'fulfilled',
        'rejected',
        'fulfilled',
      ]);
      expect(runs).toEqual({ a: 2, bad: 2, c: 1 });
      expect(commits.map((c) => c.reruns)).toEqual([2]);
      // After a failure the next group starts with savepoints: nothing runs twice.
      expect(await statuses([write('d'), write('bad2', true), write('e')])).toEqual([
        'fulfilled',
        'rejected',
        'fulfilled',
      ]);
      expect(await statuses([write('f'), write('g')])).toEqual(['fulfilled', 'fulfilled']);
      expect(commits.map((c) => c.reruns)).toEqual([2, 0, 0]);
      // A clean group brings back direct writes: a failure costs a second run of the group again.
      expect(await statuses([write('h'), write('bad3', true)])).toEqual(['fulfilled', 'rejected']);
      expect({ h: runs['h'], bad3: runs['bad3'], d: runs['d'], f: runs['f'] }).toEqual({
        h: 2,
        bad3: 2,
        d: 1,
        f: 1,
      });
      expect(commits.map((c) => c.reruns)).toEqual([2, 0, 0, 2]);
      expect(await ids(storage)).toEqual(['a', 'c', 'd', 'e', 'f', 'g', 'h']);
    });

    it('commits concurrent writes in groups and acknowledges each only after its commit', async () => {
      const order: string[] = [];
      storage.onCommit(() => order.push('commit'));
      await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          storage.write((tx) => tx.config.insertObject(obj(`g${i}`))).then(() => order.push('ack')),
        ),
      );
      expect(commits.length).toBeLessThan(200);
      expect(commits.reduce((n, c) => n + c.writes, 0)).toBe(200);
      expect(order[0]).toBe('commit');
      for (const c of commits) {
        expect(c.seconds).toBeGreaterThan(0);
        expect(c.reruns).toBe(0);
      }
      const again = await created.openAnother();
      expect(await ids(again)).toHaveLength(200);
    });

    it('claims request ids: the first write records its answer, later ones find it', async () => {
      const answer = async (tx: WriteTx, response: string) => {
        const seen = await tx.idempotency.claim('r1', 5);
        if (seen) return `replay ${seen.response}`;
        await tx.idempotency.put({ requestId: 'r1', bodyHash: 'bh', status: 200, response, createdAt: 5 });
        return response;
      };
      const results = await Promise.all([
        storage.write((tx) => answer(tx, 'first')),
        storage.write((tx) => answer(tx, 'second')),
      ]);
      expect(results).toEqual(['first', 'replay first']);
      expect(await storage.read((tx) => tx.idempotency.get('r1'))).toEqual({
        requestId: 'r1',
        bodyHash: 'bh',
        status: 200,
        response: 'first',
        createdAt: 5,
      });
      expect(await storage.read((tx) => tx.idempotency.get('other'))).toBeUndefined();
    });

    it('keeps no request-id record of a write that failed after recording its answer', async () => {
      const record = { requestId: 'r3', bodyHash: 'b', status: 200, response: 'lost', createdAt: 7 };
      const failing = storage.write(async (tx) => {
        expect(await tx.idempotency.claim('r3', 7)).toBeUndefined();
        await tx.idempotency.put(record);
        throw new Error('after put');
      });
      const later = storage.write(async (tx) => {
        const seen = await tx.idempotency.claim('r3', 8);
        await tx.idempotency.put({ ...record, response: 'kept', createdAt: 8 });
        return seen;
      });
      await expect(failing).rejects.toThrow('after put');
      expect(await later).toBeUndefined();
      expect(await storage.read((tx) => tx.idempotency.get('r3'))).toEqual({
        ...record,
        response: 'kept',
        createdAt: 8,
      });
    });

    it('refuses a write that claimed a request id and never recorded its answer', async () => {
      await expect(storage.write((tx) => tx.idempotency.claim('r2', 5))).rejects.toThrow(/never completed/);
      expect(await storage.read((tx) => tx.idempotency.get('r2'))).toBeUndefined();
      const again = await storage.write(async (tx) => {
        const seen = await tx.idempotency.claim('r2', 6);
        await tx.idempotency.put({
          requestId: 'r2',
          bodyHash: 'b',
          status: 200,
          response: 'ok',
          createdAt: 6,
        });
        return seen;
      });
      expect(again).toBeUndefined();
    });

    it('keeps token hashes', async () => {
      await storage.write((tx) =>
        tx.tokens.insert({ id: 't', name: 'n', hash: 'abc', scopes: ['read'], createdAt: 5 }),
      );
      expect(await storage.read((tx) => tx.tokens.findByHash('abc'))).toEqual({
        id: 't',
        name: 'n',
        hash: 'abc',
        scopes: ['read'],
        createdAt: 5,
      });
      expect(await storage.read((tx) => tx.tokens.count())).toBe(1);
      expect(await storage.read((tx) => tx.tokens.findByHash('nope'))).toBeUndefined();
    });

    it('numbers events gap-free in commit order; failed writes leave no gap', async () => {
      const writes = Array.from({ length: 40 }, (_, i) =>
        storage.write(async (tx) => {
          for (let k = 0; k <= i % 3; k++)
            tx.events.append(event(`w${i}.${k}`, i % 2 ? 'topic.b' : 'topic.a'));
          if (i % 5 === 0) throw new Error(`write ${i} fails`);
        }),
      );
      const settled = await Promise.allSettled(writes);
      const kept = settled.flatMap((s, i) => (s.status === 'fulfilled' ? [i] : []));
      const expected = kept.flatMap((i) => Array.from({ length: (i % 3) + 1 }, (_, k) => `w${i}.${k}`));
      const events = await storage.read((tx) => tx.events.read({ afterSeq: 0, limit: 1000 }));
      expect(events.map((e) => e.key)).toEqual(expected);
      expect(events.map((e) => e.sequence)).toEqual(expected.map((_, n) => n + 1));
      expect(events[0]).toEqual({ sequence: 1, ...event('w1.0', 'topic.b') });
      expect(await storage.read((tx) => tx.events.lastSequence())).toBe(expected.length);
      const onlyB = await storage.read((tx) =>
        tx.events.read({ afterSeq: 2, topics: ['topic.b'], limit: 3 }),
      );
      expect(onlyB.map((e) => e.topic)).toEqual(['topic.b', 'topic.b', 'topic.b']);
      expect(onlyB.every((e) => e.sequence > 2)).toBe(true);
      expect(await storage.read((tx) => tx.events.read({ afterSeq: 0, topics: [], limit: 5 }))).toEqual([]);
    });

    it('tells watchers how far events are committed, once they are', async () => {
      const seen: number[] = [];
      const unwatch = storage.watchEvents((n) => seen.push(n));
      await storage.write(async (tx) => {
        tx.events.append(event('a'));
        tx.events.append(event('b'));
        expect(seen).toEqual([]);
      });
      expect(seen).toEqual([2]);
      await storage.write((tx) => tx.config.insertObject(obj('no-events')));
      expect(seen).toEqual([2]);
      unwatch();
      await storage.write(async (tx) => tx.events.append(event('c')));
      expect(seen).toEqual([2]);
      expect(await storage.read((tx) => tx.events.lastSequence())).toBe(3);
    });

    it('refuses, alike, text with NUL and object ids outside the id grammar', async () => {
      const refused: Array<(tx: WriteTx) => Promise<unknown>> = [
        (tx: WriteTx) => tx.config.insertObject(obj('nul', { body: '{"a":"\u0000"}' })),
        (tx: WriteTx) => tx.config.insertObject(obj('a\u0000b')),
        (tx: WriteTx) => tx.config.insertObject(obj('..')),
        (tx: WriteTx) => tx.config.insertObject(obj('x'.repeat(257))),
        (tx: WriteTx) => tx.config.insertObject(obj('p', { parent: 'x'.repeat(513) })),
        (tx: WriteTx) => tx.idempotency.claim('r\u0000', 1),
      ];
      for (const write of refused) await expect(storage.write(write)).rejects.toBeInstanceOf(UnstorableValue);
      await expect(storage.read((tx) => tx.config.getObject('THING', 'a\u0000b'))).rejects.toBeInstanceOf(
        UnstorableValue,
      );
      expect(await ids(storage)).toEqual([]);
    });

    it('reports health and schema version', async () => {
      expect(await storage.health()).toEqual({
        ok: true,
        kind: factory.name,
        schemaVersion: MIGRATIONS.at(-1)?.version,
      });
    });
  });
});
