/**
 * The API requests an import sends for a resource: endpoint from the resource-type registry,
 * body = the resolved payload plus a deterministic request_id. Shared by convert and import, so
 * what convert prints is what import sends.
 */
import { createHash } from 'node:crypto';
import { substituteReferences } from '../pack/references.js';
import {
  isResourceType,
  offlineId,
  payloadObject,
  resourceSpec,
  type ApiRequest,
  type ResourceType,
} from '../resource/index.js';
import type { ResourceAnalysis } from '../pack/load.js';
import { isRecord } from '../util/record.js';
import { canonicalJson } from '../util/canonical.js';

/**
 * A deterministic request_id: a name-based UUID (version 5 layout) of type, id and the canonical
 * resolved payload. A retry or re-run of an unchanged resource sends the same id; any change to
 * the payload gives a new one.
 */
export function requestIdFor(type: string, id: string, payload: unknown): string {
  const h = createHash('sha256')
    .update(`${type}\u0000${id}\u0000${canonicalJson(payload)}`)
    .digest();
  h[6] = ((h[6] as number) & 0x0f) | 0x50;
  h[8] = ((h[8] as number) & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Replaces references in every string and key of `value`; `resolve` returns undefined to keep one as written. */
export function resolveReferences(
  value: unknown,
  resolve: (id: string, field: string | null) => string | undefined,
  unresolved: Set<string> = new Set(),
): unknown {
  const sub = (s: string): string =>
    substituteReferences(s, (id, field) => {
      const v = resolve(id, field);
      if (v !== undefined) return v;
      unresolved.add(field === null ? id : `${id}:${field}`);
      return field === null ? `&{${id}}` : `&{${id}:${field}}`;
    });
  if (typeof value === 'string') return sub(value);
  if (Array.isArray(value)) return value.map((v) => resolveReferences(v, resolve, unresolved));
  if (isRecord(value)) {
    const entries = Object.entries(value).map(([k, v]) => [
      sub(k),
      resolveReferences(v, resolve, unresolved),
    ]);
    return Object.fromEntries(entries);
  }
  return value;
}

/**
 * The value of `&{X}` or `&{X:field}` that is known without asking a server: the payload id of
 * types whose id the client chooses, a workflow version's composite id, or a field the payload
 * sets itself (a product version's product_id). Undefined when only the server knows it.
 */
export function offlineValue(target: ResourceAnalysis, field: string | null): string | undefined {
  if (!isResourceType(target.type)) return undefined;
  const spec = resourceSpec(target.type);
  const obj = payloadObject(spec, target.payload);
  if (field === null) return offlineId(spec, obj);
  const v = obj[field];
  return typeof v === 'string' && !v.includes('&{') ? v : undefined;
}

export interface BuiltRequest {
  request: ApiRequest;
  /** References left as written (only the server knows their values). */
  unresolved: string[];
}

/** The create request for a resource, references substituted by `resolve` where it knows them. */
export function createRequest(
  r: ResourceAnalysis,
  resolve: (id: string, field: string | null) => string | undefined,
): BuiltRequest {
  const type = r.type as ResourceType;
  const unresolved = new Set<string>();
  const payload = resolveReferences(r.payload, resolve, unresolved) as Record<string, unknown>;
  const body: Record<string, unknown> = { request_id: requestIdFor(type, r.id, payload), ...payload };
  return {
    request: { method: 'POST', path: resourceSpec(type).paths.create, body },
    unresolved: [...unresolved].sort(),
  };
}
