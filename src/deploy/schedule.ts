/**
 * Runs a dependency graph with bounded concurrency: a node starts as soon as every node it depends
 * on has succeeded (not type-by-type waves), at most `concurrency` run at once, ready nodes start
 * in the given order (the import order) so runs are reproducible. A failure blocks its dependents
 * transitively; each blocked node names the failed ancestors that blocked it. An aborted signal
 * starts nothing new and lets what is in flight finish.
 */
import pLimit from 'p-limit';

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
  const limit = pLimit(Math.max(1, options.concurrency));
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

  const inFlight = new Set<Promise<void>>();
  const start = (id: string): void => {
    const task = limit(async () => {
      if (options.signal?.aborted) return;
      options.onStart?.(id);
      try {
        await run(id);
        states.set(id, { state: 'succeeded' });
      } catch (error) {
        states.set(id, { state: 'failed', error });
        block(id);
        return;
      }
      // Newly ready dependents start in import order.
      const ready = (dependents.get(id) ?? [])
        .filter((dep) => {
          const left = (waiting.get(dep) ?? 0) - 1;
          waiting.set(dep, left);
          return left === 0 && states.get(dep)?.state === 'not_started';
        })
        .sort((a, b) => (rank.get(a) ?? 0) - (rank.get(b) ?? 0));
      for (const dep of ready) start(dep);
    });
    inFlight.add(task);
    void task.finally(() => inFlight.delete(task));
  };
  for (const id of order) if (waiting.get(id) === 0) start(id);
  while (inFlight.size > 0) await Promise.all([...inFlight]);
  return states;
}
