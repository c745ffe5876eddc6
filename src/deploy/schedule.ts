/**
 * Runs a dependency graph with bounded concurrency: a node starts as soon as every node it depends
 * on has succeeded (not type-by-type waves), at most `concurrency` run at once. When more nodes are
 * ready than there are free slots, the one heading the longest chain of dependents goes first
 * (critical path first; ties in the given import order), so a deep chain is not stuck behind a
 * crowd of leaves. A failure blocks its dependents transitively; each blocked node names the
 * failed ancestors that blocked it. An aborted signal starts nothing new and lets what is in
 * flight finish.
 */
import pLimit from 'p-limit';
import { Heap } from '../util/heap.js';

export type NodeState =
  | { state: 'succeeded' }
  | { state: 'failed'; error: unknown }
  | { state: 'blocked'; blockedBy: string[] }
  | { state: 'not_started' };

export interface ScheduleOptions {
  concurrency: number;
  signal?: AbortSignal;
  onStart?: (id: string) => void;
}

export async function runGraph(
  order: readonly string[],
  dependencies: ReadonlyMap<string, readonly string[]>,
  run: (id: string) => Promise<void>,
  options: ScheduleOptions,
): Promise<Map<string, NodeState>> {
  const concurrency = Math.max(1, options.concurrency);
  const limit = pLimit(concurrency);
  const rank = new Map(order.map((id, i) => [id, i]));
  const states = new Map<string, NodeState>(order.map((id) => [id, { state: 'not_started' }]));
  const waiting = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const id of order) {
    const deps = (dependencies.get(id) ?? []).filter((d) => rank.has(d));
    waiting.set(id, deps.length);
    for (const d of deps) {
      const list = dependents.get(d);
      if (list) list.push(id);
      else dependents.set(d, [id]);
    }
  }
  // Length of the longest chain of dependents below each node. `order` puts dependencies first,
  // so walking it backwards sees every dependent before the node it depends on.
  const height = new Map<string, number>();
  for (let i = order.length - 1; i >= 0; i--) {
    const id = order[i] as string;
    let h = 0;
    for (const dep of dependents.get(id) ?? []) h = Math.max(h, (height.get(dep) ?? 0) + 1);
    height.set(id, h);
  }
  const before = (a: string, b: string) =>
    (height.get(b) ?? 0) - (height.get(a) ?? 0) || (rank.get(a) ?? 0) - (rank.get(b) ?? 0);
  // The order is fixed before the run: sorted once, then ready nodes wait in a heap by position
  // (sorting the ready list at every start cost a quadratic amount of CPU on large packs).
  const position = new Map([...order].sort(before).map((id, i) => [id, i]));

  /** Failed ancestors of a node, through failed or blocked dependencies. */
  const rootCauses = (id: string): string[] => {
    const causes = new Set<string>();
    for (const d of dependencies.get(id) ?? []) {
      const s = states.get(d);
      if (s?.state === 'failed') causes.add(d);
      else if (s?.state === 'blocked') for (const c of s.blockedBy) causes.add(c);
    }
    return [...causes].sort((a, b) => (rank.get(a) ?? 0) - (rank.get(b) ?? 0));
  };
  const block = (id: string): void => {
    for (const dep of dependents.get(id) ?? []) {
      const s = states.get(dep);
      if (s?.state !== 'not_started') continue;
      states.set(dep, { state: 'blocked', blockedBy: rootCauses(dep) });
      block(dep);
    }
  };

  const ready = new Heap<string>((a, b) => (position.get(a) ?? 0) - (position.get(b) ?? 0));
  const inFlight = new Set<Promise<void>>();
  // Hand ready nodes to the limiter only while it has a free slot, best first.
  const pump = (): void => {
    while (ready.size > 0 && limit.activeCount + limit.pendingCount < concurrency && !options.signal?.aborted)
      start(ready.pop() as string);
  };
  const start = (id: string): void => {
    const task = limit(async () => {
      options.onStart?.(id);
      try {
        await run(id);
        states.set(id, { state: 'succeeded' });
      } catch (error) {
        states.set(id, { state: 'failed', error });
        block(id);
        return;
      }
      for (const dep of dependents.get(id) ?? []) {
        const left = (waiting.get(dep) ?? 0) - 1;
        waiting.set(dep, left);
        if (left === 0 && states.get(dep)?.state === 'not_started') ready.push(dep);
      }
    });
    inFlight.add(task);
    void task.finally(() => {
      inFlight.delete(task);
      pump();
    });
  };
  for (const id of order) if (waiting.get(id) === 0) ready.push(id);
  pump();
  while (inFlight.size > 0) await Promise.all([...inFlight]);
  return states;
}
