import { describe, expect, it } from 'vitest';
import { buildGraph, findCycles, importOrder, type GraphEdge } from '../../src/graph/graph.js';

const site = { file: 'f.yaml', line: 1, column: 1 };
const edge = (from: string, to: string, line = 1): GraphEdge => ({
  from,
  to,
  field: null,
  site: { ...site, line },
});

describe('importOrder', () => {
  it('puts dependencies first and breaks ties by priority, then id', () => {
    const g = buildGraph(
      [
        { id: 'wallet', type: 'SMART_CONTRACT_VERSION', priority: 8 },
        { id: 'ACC', type: 'INTERNAL_ACCOUNT', priority: 7 },
        { id: 'internal', type: 'SMART_CONTRACT_VERSION', priority: 6 },
        { id: 'b_flag', type: 'FLAG_DEFINITION', priority: 1 },
        { id: 'a_flag', type: 'FLAG_DEFINITION', priority: 1 },
        { id: 'cal', type: 'CALENDAR', priority: 0 },
      ],
      [edge('wallet', 'ACC'), edge('ACC', 'internal'), edge('wallet', 'a_flag')],
    );
    expect(importOrder(g)).toEqual(['cal', 'a_flag', 'b_flag', 'internal', 'ACC', 'wallet']);
  });

  it('lets a dependency override priority', () => {
    const g = buildGraph(
      [
        { id: 'cal', type: 'CALENDAR', priority: 0 },
        { id: 'flag', type: 'FLAG_DEFINITION', priority: 1 },
      ],
      [edge('cal', 'flag')],
    );
    expect(importOrder(g)).toEqual(['flag', 'cal']);
  });

  it('is deterministic whatever the input order', () => {
    const nodes = ['e', 'd', 'c', 'b', 'a'].map((id) => ({ id, type: 'T', priority: 1 }));
    const one = importOrder(buildGraph(nodes, [edge('a', 'e')]));
    const two = importOrder(buildGraph([...nodes].reverse(), [edge('a', 'e')]));
    expect(one).toEqual(two);
    expect(one).toEqual(['b', 'c', 'd', 'e', 'a']);
  });
});

describe('findCycles', () => {
  it('reports a cycle of three as a chain from its smallest id, with sites', () => {
    const g = buildGraph(
      ['a', 'b', 'c', 'd'].map((id) => ({ id, type: 'T', priority: 1 })),
      [edge('b', 'c', 2), edge('c', 'a', 3), edge('a', 'b', 1), edge('d', 'a', 4)],
    );
    const cycles = findCycles(g);
    expect(cycles).toHaveLength(1);
    expect(cycles[0]!.map((e) => `${e.from}->${e.to}@${e.site.line}`)).toEqual([
      'a->b@1',
      'b->c@2',
      'c->a@3',
    ]);
    expect(importOrder(g)).toHaveLength(4);
  });

  it('finds self references and separate cycles', () => {
    const g = buildGraph(
      ['a', 'b', 'x', 'y'].map((id) => ({ id, type: 'T', priority: 1 })),
      [edge('a', 'a'), edge('x', 'y'), edge('y', 'x')],
    );
    expect(findCycles(g).map((c) => c.map((e) => e.from).join(','))).toEqual(['a', 'x,y']);
  });

  it('handles deep chains without overflowing the stack', () => {
    const n = 50_000;
    const nodes = Array.from({ length: n }, (_, i) => ({ id: `n${i}`, type: 'T', priority: 1 }));
    const edges = Array.from({ length: n - 1 }, (_, i) => edge(`n${i}`, `n${i + 1}`));
    const g = buildGraph(nodes, edges);
    expect(findCycles(g)).toEqual([]);
    expect(importOrder(g)[0]).toBe(`n${n - 1}`);
  });
});
