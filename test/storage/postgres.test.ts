/**
 * What only PostgreSQL storage meets: several server processes on one database (two storages on
 * one schema stand for two processes), each with its own group-commit writer.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isConnectionError } from '../../src/storage/postgres.js';
import { StorageUnavailable, type CommitStats, type Storage, type WriteTx } from '../../src/storage/types.js';
import { postgresFactory, type CreatedStorage } from './factories.js';
import { event, obj, sleep } from './helpers.js';

/** A promise and the function that settles it. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

describe.skipIf(postgresFactory.skip)('PostgreSQL shared by several processes', () => {
  let created: CreatedStorage;
  let a: Storage;
  let b: Storage;
  let commits: CommitStats[];
  beforeEach(async () => {
    created = await postgresFactory.create();
    a = created.storage;
    b = await created.openAnother();
    commits = [];
    a.onCommit((c) => commits.push(c));
  });
  afterEach(async () => {
    await created.cleanup();
  });

  it('re-runs the write that lost a unique-key race to another process; it then sees the winner', async () => {
    const readDone = gate();
    const winnerCommitted = gate();
    let runs = 0;
    const loser = a.write(async (tx) => {
      runs += 1;
      const existing = await tx.config.getObject('THING', 'same');
      if (existing) return `found ${existing.body}`;
      readDone.open();
      await winnerCommitted.opened;
      await tx.config.insertObject(obj('same', { body: '{"by":"a"}' }));
      return 'inserted';
    });
    await readDone.opened;
    await b.write((tx) => tx.config.insertObject(obj('same', { body: '{"by":"b"}' })));
    winnerCommitted.open();
    expect(await loser).toBe('found {"by":"b"}');
    expect(runs).toBe(2);
    expect(commits.map((c) => c.reruns)).toEqual([1]);
  });

  it('makes a second process with the same request id wait, then replay the first answer', async () => {
    const claimed = gate();
    const finish = gate();
    const answer = async (tx: WriteTx, response: string, hold: boolean) => {
      const seen = await tx.idempotency.claim('shared', 1);
      if (seen) return `replay ${seen.response}`;
      if (hold) {
        claimed.open();
        await finish.opened;
      }
      await tx.idempotency.put({ requestId: 'shared', bodyHash: 'h', status: 200, response, createdAt: 1 });
      return response;
    };
    const first = a.write((tx) => answer(tx, 'from a', true));
    await claimed.opened;
    const second = b.write((tx) => answer(tx, 'from b', false));
    await sleep(50);
    finish.open();
    expect(await Promise.all([first, second])).toEqual(['from a', 'replay from a']);
  });

  it('runs the whole group again when a deadlock with another process aborts its transaction', async () => {
    await a.write(async (tx) => {
      await tx.config.insertObject(obj('x'));
      await tx.config.insertObject(obj('y'));
    });
    const bothLocked = gate();
    let locked = 0;
    const lockBoth = (tx: WriteTx, first: string, second: string) => async () => {
      await tx.config.lockObject('THING', first);
      locked += 1;
      if (locked === 2) bothLocked.open();
      await bothLocked.opened;
      await tx.config.lockObject('THING', second);
      await tx.config.updateObject('THING', second, { body: `{"last":"${first}"}` });
    };
    let bystanderRuns = 0;
    const bystander = a.write(async (tx) => {
      bystanderRuns += 1;
      await tx.config.insertObject(obj(`bystander-${bystanderRuns}`));
    });
    const commitsOfB: CommitStats[] = [];
    b.onCommit((c) => commitsOfB.push(c));
    const xy = a.write((tx) => lockBoth(tx, 'x', 'y')());
    const yx = b.write((tx) => lockBoth(tx, 'y', 'x')());
    await Promise.all([bystander, xy, yx]);
    const all = await a.read((tx) => tx.config.listObjects({ kind: 'THING', afterSeq: 0, limit: 9 }));
    // One of the two was aborted and ran again: when a's, its bystander ran again with it.
    const aborted = commits.some((c) => c.reruns > 0) ? 'a' : 'b';
    expect([...commits, ...commitsOfB].filter((c) => c.reruns > 0)).toHaveLength(1);
    expect(all.filter((o) => o.id.startsWith('bystander'))).toHaveLength(1);
    if (aborted === 'a') expect(bystanderRuns).toBe(2);
    expect(all.map((o) => o.body).filter((body) => body.includes('last'))).toHaveLength(2);
  });

  it('fails only the group whose COMMIT failed, with StorageUnavailable; later writes go on', async () => {
    // A deferred constraint that fails at COMMIT stands for a COMMIT the database never confirms.
    await created.exec?.(`
      CREATE FUNCTION refuse_doomed() RETURNS trigger LANGUAGE plpgsql AS
        $$ BEGIN RAISE EXCEPTION 'doomed at commit'; END $$;
      CREATE CONSTRAINT TRIGGER doomed AFTER INSERT ON objects DEFERRABLE INITIALLY DEFERRED
        FOR EACH ROW WHEN (NEW.id LIKE 'doomed%') EXECUTE FUNCTION refuse_doomed();`);
    let runs = 0;
    const doomed = a.write(async (tx) => {
      runs += 1;
      await tx.config.insertObject(obj('doomed'));
    });
    const sameGroup = a.write((tx) => tx.config.insertObject(obj('with-doomed')));
    await expect(doomed).rejects.toBeInstanceOf(StorageUnavailable);
    await expect(sameGroup).rejects.toBeInstanceOf(StorageUnavailable);
    expect(runs).toBe(1);
    await a.write((tx) => tx.config.insertObject(obj('after')));
    const all = await a.read((tx) => tx.config.listObjects({ kind: 'THING', afterSeq: 0, limit: 9 }));
    expect(all.map((o) => o.id)).toEqual(['after']);
    expect(commits.map((c) => c.writes)).toEqual([1]);
  });

  it('numbers events gap-free in commit order across processes, and tells each process', async () => {
    const seenByA: number[] = [];
    a.watchEvents((n) => seenByA.push(n));
    await sleep(100); // a's LISTEN is in place
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        (i % 2 === 0 ? a : b).write(async (tx) => {
          tx.events.append(event(`e${i}`));
          tx.events.append(event(`e${i}-2`));
        }),
      ),
    );
    const events = await a.read((tx) => tx.events.read({ afterSeq: 0, limit: 100 }));
    expect(events.map((e) => e.sequence)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    // A write's events are consecutive: one transaction takes its sequences at once.
    for (let i = 0; i < 60; i += 2) expect(events[i + 1]?.key).toBe(`${events[i]?.key ?? ''}-2`);
    for (let i = 0; i < 50 && seenByA[seenByA.length - 1] !== 60; i++) await sleep(20);
    expect(seenByA[seenByA.length - 1]).toBe(60);
    expect([...seenByA].sort((x, y) => x - y)).toEqual(seenByA);
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
