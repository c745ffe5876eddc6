/** The `graph` service: loads packs and renders their reference graph; it never prints. */
import { loadPacks } from '../validate/packs.js';
import type { Finding } from '../findings.js';
import type { ReadLimits } from '../pack/limits.js';
import { renderGraph, type GraphFormat } from './render.js';

export interface GraphResult {
  /** No pack has an error (the graph is rendered either way). */
  valid: boolean;
  format: GraphFormat;
  /** The graph in `format`. */
  rendered: string;
  findings: Finding[];
}

export async function graphPaths(
  paths: readonly string[],
  options: { cwd: string; format: GraphFormat; limits?: ReadLimits },
): Promise<GraphResult> {
  const loaded = await loadPacks(paths, {
    cwd: options.cwd,
    ...(options.limits ? { limits: options.limits } : {}),
  });
  try {
    return {
      valid: loaded.packs.length > 0 && !loaded.findings.some((f) => f.severity === 'error'),
      format: options.format,
      rendered: renderGraph(loaded.packs, options.format),
      findings: loaded.findings,
    };
  } finally {
    await loaded.cleanup();
  }
}
