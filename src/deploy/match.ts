/**
 * The one matcher under plan and import: a resource, resolved, is looked up among the objects the
 * environment holds (by natural key), compared field by field, and given what should happen to it.
 * Plan reports the match; import carries it out. Nothing here writes.
 */
import { fillPath, resourceSpec, type ApiRequest, type ResourceType } from '../resource/index.js';
import { updateMasks } from '../resource/update.js';
import type { ResourceAnalysis } from '../pack/load.js';
import { diffFields, type FieldChange, type ServerObject } from './environment.js';
import { knownFrom, type Known, type ResolvedResource } from './known.js';
import { requestIdFor } from './requests.js';
import type { WalkItem, DeployContext } from './walk.js';

export type Match =
  /** No object exists: create it. */
  | { kind: 'absent' }
  /** The object exists as the resource describes it. */
  | { kind: 'same'; existing: Known; changes: [] }
  /** It differs, and the resource says to use it as it is (`on_conflict: SKIP`). */
  | { kind: 'skip'; existing: Known; changes: FieldChange[] }
  /** It differs and may not be changed: `on_conflict: IGNORE` (CONFLICT), or the type or fields cannot be updated. */
  | {
      kind: 'refuse';
      existing: Known;
      changes: FieldChange[];
      code: 'CONFLICT' | 'NOT_UPDATABLE';
      message: string;
    }
  /** It differs and these requests make it match (`on_conflict: UPDATE`). */
  | { kind: 'update'; existing: Known; changes: FieldChange[]; requests: ApiRequest[] };

/** The resource resolved against what the run knows, and what should happen to it. */
export async function matchResource(
  ctx: DeployContext,
  item: WalkItem,
): Promise<{ resolved: ResolvedResource; match: Match }> {
  const resolved = ctx.known.resolve(item.pack, item.resource);
  const existing = resolved.pending
    ? undefined
    : await ctx.environment.find(item.type, {
        object: resolved.object,
        codeVersion: item.resource.codeVersion,
      });
  const match: Match = existing
    ? decide(item.resource, item.type, resolved.object, existing)
    : { kind: 'absent' };
  return { resolved, match };
}

/** What to do about an existing object, by the fields that differ and the resource's on_conflict. */
export function decide(
  resource: Pick<ResourceAnalysis, 'onConflict'>,
  type: ResourceType,
  object: Record<string, unknown>,
  existing: ServerObject,
): Match {
  const changes = diffFields(object, existing);
  const known = knownFrom(existing);
  if (changes.length === 0) return { kind: 'same', existing: known, changes: [] };
  if (resource.onConflict === 'SKIP') return { kind: 'skip', existing: known, changes };
  if (resource.onConflict === 'IGNORE') {
    const fields = changes.map((c) => c.field).join(', ');
    return {
      kind: 'refuse',
      existing: known,
      changes,
      code: 'CONFLICT',
      message: `${type} ${known.vaultId} exists with a different definition (${fields}); set on_conflict: UPDATE or SKIP, or change the id`,
    };
  }
  const requests = updateRequests(type, known.vaultId, object, changes);
  if ('refused' in requests) {
    return { kind: 'refuse', existing: known, changes, code: 'NOT_UPDATABLE', message: requests.refused };
  }
  return { kind: 'update', existing: known, changes, requests: requests.requests };
}

/** The update requests that make `changes`, one per update group touched. */
function updateRequests(
  type: ResourceType,
  id: string,
  object: Record<string, unknown>,
  changes: readonly FieldChange[],
): { requests: ApiRequest[] } | { refused: string } {
  const spec = resourceSpec(type);
  const masks = updateMasks(
    spec,
    changes.map((c) => c.field),
  );
  if ('refused' in masks) return masks;
  const path = fillPath(spec.update?.path ?? '', id);
  // Each update has a request id of its own content: a retry replays it, a different change does not.
  const requests = masks.masks.map((paths): ApiRequest => {
    const values = Object.fromEntries(paths.map((p) => [p, object[p] ?? null]));
    return {
      method: 'PUT',
      path,
      body: {
        request_id: requestIdFor(`UPDATE_${type}`, id, values),
        [spec.payloadKey]: values,
        update_mask: { paths },
      },
    };
  });
  return { requests };
}
