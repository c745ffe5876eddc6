/**
 * `diff`: drift between a pack and an environment (changed fields, missing objects, orphans,
 * activation drift), or what promoting one environment to another would change.
 */
import type { PlanResult } from '../deploy/import.js';
import { differingFields, type Snapshot } from './snapshot.js';

export interface Difference {
  /**
   * changed: the object differs; missing: in the pack (or the first environment), not in the
   * environment (the second); orphan: in the environment (the second), defined by no given pack
   * (not in the first); activation: another version is active.
   */
  kind: 'changed' | 'missing' | 'orphan' | 'activation';
  resource_type: string;
  /** The resource id (pack) or the object's key (environments). */
  id: string;
  fields: Array<{ field: string; from: string | null; to: string | null }>;
}

/** Between two environments: what B lacks or has differently from A (promoting A to B). */
export function diffSnapshots(a: Snapshot, b: Snapshot): Difference[] {
  const out: Difference[] = [];
  for (const [k, o] of a.objects) {
    const other = b.objects.get(k);
    if (!other) out.push({ kind: 'missing', resource_type: o.type, id: o.key, fields: [] });
    else {
      const fields = differingFields(other.body, o.body);
      if (fields.length > 0) out.push({ kind: 'changed', resource_type: o.type, id: o.key, fields });
    }
  }
  for (const [k, o] of b.objects) {
    if (!a.objects.has(k)) out.push({ kind: 'orphan', resource_type: o.type, id: o.key, fields: [] });
  }
  for (const [target, version] of a.current) {
    const other = b.current.get(target) ?? null;
    if (other !== version) {
      const [kind, id] = target.split(' ') as [string, string];
      out.push({
        kind: 'activation',
        resource_type: kind === 'product' ? 'PRODUCT' : 'WORKFLOW_DEFINITION',
        id,
        fields: [
          { field: kind === 'product' ? 'current_version' : 'default_version', from: other, to: version },
        ],
      });
    }
  }
  return out;
}

/** Between a pack (its plan) and the environment's snapshot. */
export function diffPlan(plan: PlanResult, env: Snapshot): Difference[] {
  const out: Difference[] = [];
  const defined = new Set<string>();
  const targets = new Set<string>();
  for (const [id, r] of Object.entries(plan.plan)) {
    if (r.vault_id !== null) defined.add(`${r.resource_type} ${r.vault_id}`);
    if (r.action === 'create') out.push({ kind: 'missing', resource_type: r.resource_type, id, fields: [] });
    else if (r.changes.length > 0)
      out.push({
        kind: 'changed',
        resource_type: r.resource_type,
        id,
        fields: r.changes.map((c) => ({ field: c.field, from: c.from ?? null, to: c.to })),
      });
  }
  for (const [id, r] of Object.entries(plan.plan)) {
    // A version resource usually bears its product's id; a marked one names its target below.
    if (r.resource_type === 'SMART_CONTRACT_VERSION' || r.resource_type === 'WORKFLOW_DEFINITION_VERSION')
      targets.add(id);
  }
  for (const a of plan.activations) {
    targets.add(a.target);
    if (
      (a.action === 'drift' || a.action === 'activate') &&
      a.version_id !== null &&
      a.previous_version_id !== null
    )
      out.push({
        kind: 'activation',
        resource_type: a.resource_type,
        id: a.resource_id,
        fields: [{ field: a.target, from: a.previous_version_id, to: a.version_id }],
      });
  }
  const targetOf = (o: { body: Record<string, unknown> }): string =>
    String(o.body['product_id'] ?? o.body['workflow_definition_id'] ?? '');
  const isVersion = (type: string): boolean =>
    type === 'SMART_CONTRACT_VERSION' || type === 'WORKFLOW_DEFINITION_VERSION';
  for (const o of env.objects.values())
    if (isVersion(o.type) && defined.has(`${o.type} ${o.id}`)) targets.add(targetOf(o));
  for (const o of env.objects.values()) {
    if (defined.has(`${o.type} ${o.id}`)) continue;
    // Earlier versions of what the pack defines are its history, not orphans.
    if (isVersion(o.type) && targets.has(targetOf(o))) continue;
    out.push({ kind: 'orphan', resource_type: o.type, id: o.id, fields: [] });
  }
  return out;
}
