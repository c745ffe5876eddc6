/**
 * What a run knows about the objects its resources stand for, and how references resolve from it:
 * `&{X}` is X's server id and `&{X:field}` that field of X's object, once X was found or made;
 * before that, what the pack itself says (client-chosen ids, payload fields); otherwise X does not
 * exist yet and the reference is pending.
 */
import { isResourceType, payloadObject, resourceSpec, type Fields } from '../resource/index.js';
import type { LoadedPack } from '../validate/packs.js';
import type { ResourceAnalysis } from '../pack/load.js';
import type { ServerObject } from './environment.js';
import { offlineValue, requestIdFor, resolveReferences } from './requests.js';

/** An object's server id and its string fields (what `&{X:field}` reads). */
export interface Known {
  vaultId: string;
  fields: Record<string, string>;
}

export function knownFrom(o: ServerObject): Known {
  const fields: Record<string, string> = {};
  for (const [k, v] of Object.entries(o)) if (typeof v === 'string') fields[k] = v;
  return { vaultId: String(o.id ?? ''), fields };
}

/** The value a reference stands for before its object exists (plan: it will be created). */
const PENDING = '\u0000pending';

/** A resource with its references resolved, ready to be matched and sent. */
export interface ResolvedResource {
  /** The whole payload (payload key and siblings), as a create request carries it. */
  payload: Record<string, unknown>;
  /** The object under the payload key. */
  object: Fields;
  requestId: string;
  /** It references an object that does not exist yet, so it cannot exist either. */
  pending: boolean;
}

/** Objects found or made by this run, by pack root and resource id (packs on one root share them). */
export class KnownObjects {
  readonly #objects = new Map<string, Known>();

  get(pack: LoadedPack, id: string): Known | undefined {
    return this.#objects.get(`${pack.source.root}\u0000${id}`);
  }

  set(pack: LoadedPack, id: string, known: Known): void {
    this.#objects.set(`${pack.source.root}\u0000${id}`, known);
  }

  /** The resource's payload with every reference resolved as far as this run knows. */
  resolve(pack: LoadedPack, resource: ResourceAnalysis): ResolvedResource {
    let pending = false;
    const payload = resolveReferences(resource.payload, (ref, field) => {
      const known = this.get(pack, ref);
      if (known && field === null) return known.vaultId;
      const value = field === null ? undefined : known?.fields[field];
      if (value !== undefined) return value;
      const target = pack.resources.get(ref);
      const offline = target ? offlineValue(target, field) : undefined;
      // A known object without the field keeps the reference as written (the server says why).
      if (offline !== undefined || known) return offline;
      pending = true;
      return PENDING;
    }) as Record<string, unknown>;
    const type = resource.type;
    const object = isResourceType(type) ? payloadObject(resourceSpec(type), payload) : {};
    return { payload, object, requestId: requestIdFor(type, resource.id, payload), pending };
  }
}
