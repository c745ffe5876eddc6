/** The reference graph as Mermaid, Graphviz dot, or JSON. Deterministic: nodes in import order. */
import type { LoadedPack } from '../validate/packs.js';

export type GraphFormat = 'mermaid' | 'dot' | 'json';

export interface GraphJson {
  packs: Array<{
    pack_name: string | null;
    manifest: string;
    nodes: Array<{ id: string; resource_type: string }>;
    edges: Array<{
      from: string;
      to: string;
      field: string | null;
      file: string;
      line: number;
      column: number;
    }>;
    import_order: string[];
  }>;
}

export function graphJson(packs: readonly LoadedPack[]): GraphJson {
  return {
    packs: packs.map((p) => ({
      pack_name: p.name,
      manifest: p.manifestFile,
      nodes: p.order.map((id) => ({ id, resource_type: p.graph.nodes.get(id)?.type ?? '' })),
      edges: p.order.flatMap((id) =>
        (p.graph.edges.get(id) ?? []).map((e) => ({
          from: e.from,
          to: e.to,
          field: e.field,
          ...p.locate(e.site),
        })),
      ),
      import_order: p.order,
    })),
  };
}

const quoteDot = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
const quoteMermaid = (s: string) => s.replace(/"/g, '#quot;');

export function renderGraph(packs: readonly LoadedPack[], format: GraphFormat): string {
  const g = graphJson(packs);
  if (format === 'json') return JSON.stringify(g, null, 2);
  if (format === 'dot') {
    const lines = ['digraph strata {', '  rankdir=LR;', '  node [shape=box, fontname="Helvetica"];'];
    g.packs.forEach((p, i) => {
      lines.push(`  subgraph cluster_${i} {`, `    label=${quoteDot(p.pack_name ?? p.manifest)};`);
      for (const n of p.nodes)
        lines.push(`    ${quoteDot(`${i}:${n.id}`)} [label=${quoteDot(`${n.id}\n${n.resource_type}`)}];`);
      lines.push('  }');
      for (const e of p.edges) {
        const label = e.field ? ` [label=${quoteDot(e.field)}]` : '';
        lines.push(`  ${quoteDot(`${i}:${e.from}`)} -> ${quoteDot(`${i}:${e.to}`)}${label};`);
      }
    });
    lines.push('}');
    return lines.join('\n');
  }
  const lines = ['flowchart LR'];
  g.packs.forEach((p, i) => {
    const ids = new Map(p.nodes.map((n, j) => [n.id, `p${i}n${j}`]));
    lines.push(`  subgraph p${i}["${quoteMermaid(p.pack_name ?? p.manifest)}"]`);
    for (const n of p.nodes)
      lines.push(`    ${ids.get(n.id)}["${quoteMermaid(n.id)}<br/><small>${n.resource_type}</small>"]`);
    for (const e of p.edges) {
      const label = e.field ? `|${quoteMermaid(e.field)}|` : '';
      lines.push(`    ${ids.get(e.from)} -->${label} ${ids.get(e.to)}`);
    }
    lines.push('  end');
  });
  return lines.join('\n');
}
