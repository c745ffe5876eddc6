/**
 * Update masks (`UpdateRule` in `./spec.ts`): which requests carry a set of changed fields (the
 * client), and whether a request's mask is allowed (the server).
 */
import type { ResourceTypeSpec, UpdateGroup, UpdateRule } from './spec.js';

/**
 * The masks of the update requests that change `changed`, one per group touched, in group order;
 * or why they cannot be made.
 */
export function updateMasks(
  spec: ResourceTypeSpec,
  changed: readonly string[],
): { masks: string[][] } | { refused: string } {
  const rule = spec.update;
  if (rule === null) {
    return {
      refused: `${spec.type} objects cannot be updated; publish a new version, or use on_conflict: SKIP`,
    };
  }
  const updatable = new Set(rule.groups.flatMap((g) => g.fields));
  const fixed = changed.filter((f) => !updatable.has(f));
  if (fixed.length > 0) {
    return {
      refused: `${spec.type} fields ${fixed.join(', ')} cannot be updated (only ${[...updatable].join(', ')}); use on_conflict: SKIP or change the id`,
    };
  }
  const masks: string[][] = [];
  for (const group of rule.groups) {
    const touched = changed.filter((f) => group.fields.includes(f));
    if (touched.length > 0) masks.push(group.together ? [...group.fields] : touched);
  }
  return { masks };
}

function allows(group: UpdateGroup, paths: readonly string[]): boolean {
  if (!paths.every((p) => group.fields.includes(p))) return false;
  return !group.together || group.fields.every((f) => paths.includes(f));
}

function describe(group: UpdateGroup): string {
  if (!group.together) return `any of ${group.fields.join(', ')}`;
  return group.fields.length === 1
    ? `${group.fields[0]} alone`
    : `exactly ${group.fields.join(', ')} together`;
}

/** Why an `update_mask.paths` is not allowed, or null when it is. */
export function maskProblem(rule: UpdateRule, paths: readonly string[]): string | null {
  if (rule.groups.some((g) => allows(g, paths))) return null;
  return `update_mask.paths must name ${rule.groups.map(describe).join(', or ')}`;
}
