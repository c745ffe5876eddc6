import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runGraph } from '../../src/deploy/schedule.js';

const tick = () => new Promise((r) => setTimeout(r, 1));

describe('runGraph', () => {
  it('starts a node as soon as its own dependencies are done, not in waves', async () => {
    // a <- b (slow chain), c independent, d <- c: d must not wait for b.
    const deps = new Map([
      ['b', ['a']],
      ['d', ['c']],
    ]);
    const log: string[] = [];
    const states = await runGraph(
      ['a', 'c', 'b', 'd'],
      deps,
      async (id) => {
        log.push(`start ${id}`);
        for (let i = 0; i < (id === 'b' ? 20 : 1); i++) await tick();
        log.push(`end ${id}`);
      },
      { concurrency: 4 },
    );
    expect([...states.values()].every((s) => s.state === 'succeeded')).toBe(true);
    expect(log.indexOf('end d')).toBeLessThan(log.indexOf('end b'));
    expect(log.indexOf('start b')).toBeGreaterThan(log.indexOf('end a'));
  });

  it('never runs more than the concurrency at once', async () => {
    const order = Array.from({ length: 30 }, (_, i) => `n${i}`);
    let running = 0;
    let peak = 0;
    await runGraph(
      order,
      new Map(),
      async () => {
        running++;
        peak = Math.max(peak, running);
        await tick();
        running--;
      },
      { concurrency: 3 },
    );
    expect(peak).toBe(3);
  });

  it('blocks every dependent of a failure, transitively, naming the root cause; the rest continues', async () => {
    const deps = new Map([
      ['acc', ['internal']],
      ['wallet', ['acc', 'flag']],
      ['other', ['flag']],
    ]);
    const states = await runGraph(
      ['flag', 'internal', 'acc', 'wallet', 'other', 'lone'],
      deps,
      async (id) => {
        if (id === 'internal') throw new Error('400 INVALID_ARGUMENT');
      },
      { concurrency: 2 },
    );
    expect(states.get('internal')).toMatchObject({ state: 'failed' });
    expect(states.get('acc')).toEqual({ state: 'blocked', blockedBy: ['internal'] });
    expect(states.get('wallet')).toEqual({ state: 'blocked', blockedBy: ['internal'] });
    expect(states.get('other')).toEqual({ state: 'succeeded' });
    expect(states.get('lone')).toEqual({ state: 'succeeded' });
  });

  it('starts nothing new once aborted, and lets what is in flight finish', async () => {
    const controller = new AbortController();
    const finished: string[] = [];
    const states = await runGraph(
      ['a', 'b', 'c', 'd'],
      new Map([['d', ['a']]]),
      async (id) => {
        if (id === 'a') controller.abort();
        await tick();
        finished.push(id);
      },
      { concurrency: 1, signal: controller.signal },
    );
    expect(finished).toEqual(['a']);
    expect(states.get('a')).toEqual({ state: 'succeeded' });
    expect(states.get('b')).toEqual({ state: 'not_started' });
    expect(states.get('d')).toEqual({ state: 'not_started' });
  });

  it('prefers import order among ready nodes', async () => {
    const started: string[] = [];
    await runGraph(
      ['z', 'y', 'x'],
      new Map(),
      async (id) => {
        started.push(id);
      },
      { concurrency: 1 },
    );
    expect(started).toEqual(['z', 'y', 'x']);
  });
});

describe('runGraph priorities', () => {
  it('starts the head of the longest chain before a crowd of leaves', async () => {
    // leaf0..leaf9 come first in import order; chain: root <- mid <- tip.
    const leaves = Array.from({ length: 10 }, (_, i) => `leaf${i}`);
    const started: string[] = [];
    await runGraph(
      [...leaves, 'root', 'mid', 'tip'],
      new Map([
        ['mid', ['root']],
        ['tip', ['mid']],
      ]),
      async (id) => {
        started.push(id);
        await tick();
      },
      { concurrency: 2 },
    );
    expect(started.slice(0, 1)).toEqual(['root']);
    expect(started.indexOf('mid')).toBeLessThan(started.indexOf('leaf5'));
  });
});

/** The order runGraph starts nodes in at concurrency 1, computed the slow, obvious way. */
function expectedOrder(order: string[], deps: Map<string, string[]>): string[] {
  const dependents = new Map<string, string[]>();
  for (const [id, ds] of deps) for (const d of ds) dependents.set(d, [...(dependents.get(d) ?? []), id]);
  const height = new Map<string, number>();
  const h = (id: string): number =>
    height.get(id) ??
    (height.set(id, Math.max(0, ...(dependents.get(id) ?? []).map((d) => h(d) + 1))),
    height.get(id) as number);
  const done = new Set<string>();
  const out: string[] = [];
  while (out.length < order.length) {
    const ready = order.filter((id) => !done.has(id) && (deps.get(id) ?? []).every((d) => done.has(d)));
    ready.sort((a, b) => h(b) - h(a) || order.indexOf(a) - order.indexOf(b));
    const next = ready[0] as string;
    done.add(next);
    out.push(next);
  }
  return out;
}

describe('runGraph order on random graphs', () => {
  it('starts the ready node heading the longest chain first, ties in import order (concurrency 1)', async () => {
    // A random DAG: each node may depend on nodes before it in import order.
    const graph = fc
      .integer({ min: 1, max: 40 })
      .chain((n) =>
        fc.tuple(fc.constant(n), fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { maxLength: n * 2 })),
      );
    await fc.assert(
      fc.asyncProperty(graph, async ([n, edges]) => {
        const order = Array.from({ length: n }, (_, i) => `n${i}`);
        const deps = new Map<string, string[]>();
        for (const [a, b] of edges) {
          if (a === b) continue;
          const [from, to] = a > b ? [a, b] : [b, a];
          const list = deps.get(`n${from}`) ?? [];
          if (!list.includes(`n${to}`)) deps.set(`n${from}`, [...list, `n${to}`]);
        }
        const started: string[] = [];
        await runGraph(order, deps, async (id) => void started.push(id), { concurrency: 1 });
        expect(started).toEqual(expectedOrder(order, deps));
      }),
      { numRuns: 200 },
    );
  });
});
