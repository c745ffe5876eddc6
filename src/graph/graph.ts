/**
 * The reference graph: an edge from A to B when A's payload (or a file it inlines) references B,
 * so B must exist on the server before A is created. Cycles are reported as chains; the import
 * order is a topological order whose ties are broken by type priority, then id, so the same pack
 * always gives the same order.
 */
import { Heap } from '../util/heap.js';

export interface GraphNode {
  id: string;
  type: string;
  /** Tie-break rank (lower first). */
  priority: number;
}

export interface EdgeSite {
  file: string;
  line: number;
  column: number;
}

/** An edge; `site` says where the reference is written (its type is the caller's). */
export interface GraphEdge<S = EdgeSite> {
  from: string;
  to: string;
  field: string | null;
  site: S;
}

export interface Graph<S = EdgeSite> {
  nodes: Map<string, GraphNode>;
  /** Outgoing edges by node, one per distinct target (the first reference site is kept). */
  edges: Map<string, GraphEdge<S>[]>;
}

export function buildGraph<S>(nodes: Iterable<GraphNode>, edges: Iterable<GraphEdge<S>>): Graph<S> {
  const graph: Graph<S> = { nodes: new Map(), edges: new Map() };
  for (const n of nodes) {
    graph.nodes.set(n.id, n);
    graph.edges.set(n.id, []);
  }
  const seen = new Set<string>();
  for (const e of edges) {
    if (!graph.nodes.has(e.from) || !graph.nodes.has(e.to)) continue;
    const key = `${e.from}\u0000${e.to}`;
    if (seen.has(key)) continue;
    seen.add(key);
    graph.edges.get(e.from)?.push(e);
  }
  for (const list of graph.edges.values()) list.sort((a, b) => (a.to < b.to ? -1 : a.to > b.to ? 1 : 0));
  return graph;
}

function compareNodes(a: GraphNode, b: GraphNode): number {
  return a.priority - b.priority || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * Dependencies first; among resources whose dependencies are all placed, the lowest type
 * priority, then the smallest id. Nodes on cycles (reported separately) are appended in
 * (priority, id) order so the result still names every node.
 */
export function importOrder<S>(graph: Graph<S>): string[] {
  const waiting = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const [id, out] of graph.edges) {
    waiting.set(id, out.length);
    for (const e of out) {
      const list = dependents.get(e.to);
      if (list) list.push(id);
      else dependents.set(e.to, [id]);
    }
  }
  const ready = new Heap<GraphNode>(compareNodes);
  for (const [id, n] of waiting) if (n === 0) ready.push(graph.nodes.get(id) as GraphNode);
  const order: string[] = [];
  const placed = new Set<string>();
  while (ready.size > 0) {
    const node = ready.pop() as GraphNode;
    order.push(node.id);
    placed.add(node.id);
    for (const dep of dependents.get(node.id) ?? []) {
      const left = (waiting.get(dep) as number) - 1;
      waiting.set(dep, left);
      if (left === 0) ready.push(graph.nodes.get(dep) as GraphNode);
    }
  }
  if (order.length < graph.nodes.size) {
    const rest = [...graph.nodes.values()].filter((n) => !placed.has(n.id)).sort(compareNodes);
    for (const n of rest) order.push(n.id);
  }
  return order;
}

/**
 * One cycle per strongly connected component that has one (Tarjan's algorithm, iterative so deep
 * graphs do not overflow the stack). Each cycle is the list of edges a -> b -> ... -> a, starting
 * at the component's smallest id.
 */
export function findCycles<S>(graph: Graph<S>): GraphEdge<S>[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let counter = 0;
  const ids = [...graph.nodes.keys()].sort();
  for (const start of ids) {
    if (index.has(start)) continue;
    const work: Array<{ id: string; next: number }> = [{ id: start, next: 0 }];
    index.set(start, counter);
    low.set(start, counter++);
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const frame = work[work.length - 1] as { id: string; next: number };
      const out = graph.edges.get(frame.id) ?? [];
      if (frame.next < out.length) {
        const to = (out[frame.next++] as GraphEdge<S>).to;
        if (!index.has(to)) {
          index.set(to, counter);
          low.set(to, counter++);
          stack.push(to);
          onStack.add(to);
          work.push({ id: to, next: 0 });
        } else if (onStack.has(to)) {
          low.set(frame.id, Math.min(low.get(frame.id) as number, index.get(to) as number));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.id, Math.min(low.get(parent.id) as number, low.get(frame.id) as number));
      if (low.get(frame.id) === index.get(frame.id)) {
        const comp: string[] = [];
        let x: string;
        do {
          x = stack.pop() as string;
          onStack.delete(x);
          comp.push(x);
        } while (x !== frame.id);
        const selfLoop =
          comp.length === 1 && (graph.edges.get(frame.id) ?? []).some((e) => e.to === frame.id);
        if (comp.length > 1 || selfLoop) components.push(comp);
      }
    }
  }
  return components
    .map((comp) => cycleThrough(graph, new Set(comp)))
    .sort((a, b) => (a[0]!.from < b[0]!.from ? -1 : 1));
}

/** A shortest cycle inside one component, from its smallest id back to it (breadth-first). */
function cycleThrough<S>(graph: Graph<S>, comp: Set<string>): GraphEdge<S>[] {
  const start = [...comp].sort()[0] as string;
  const via = new Map<string, GraphEdge<S>>();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const id = queue[i] as string;
    for (const e of graph.edges.get(id) ?? []) {
      if (!comp.has(e.to)) continue;
      if (e.to === start) {
        const path = [e];
        for (let cur = id; cur !== start;) {
          const prev = via.get(cur) as GraphEdge<S>;
          path.unshift(prev);
          cur = prev.from;
        }
        return path;
      }
      if (!via.has(e.to)) {
        via.set(e.to, e);
        queue.push(e.to);
      }
    }
  }
  return [];
}
