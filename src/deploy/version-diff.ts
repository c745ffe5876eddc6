/**
 * Release management's view in `plan`: for a new product version, its version number and the
 * parameter values that differ from the product's current version; and activation drift, where
 * the environment's active version is not the one the pack marks `activate: true` (a product
 * rolled back by hand plans as a change, not as NO CHANGES).
 */
import { RequestError } from '../client/client.js';
import { canonicalJson } from '../util/canonical.js';
import { formatVersion, type VersionNumber } from '../resource/version.js';
import { isRecord } from '../util/record.js';
import type { LoadedPack } from '../validate/packs.js';
import type { FieldChange } from './environment.js';
import type { ActivationReport, ResourceReport } from './report.js';
import type { DeployContext } from './walk.js';

/** What plan adds to a product version it would create. */
export interface NewVersion {
  version: string;
  /** The product's current version number (null: a new product). */
  current_version: string | null;
}

type Obj = Record<string, unknown>;

async function getOrNull(ctx: DeployContext, path: string): Promise<Obj | null> {
  try {
    const body = (await ctx.client.request<Obj>('GET', path)).body;
    return isRecord(body) ? body : null;
  } catch (err) {
    if (err instanceof RequestError && err.status === 404) return null;
    throw err;
  }
}

function paramValues(version: Obj | null): Map<string, string> {
  const params = version?.['params'];
  const out = new Map<string, string>();
  if (!Array.isArray(params)) return out;
  for (const p of params)
    if (isRecord(p) && typeof p['name'] === 'string') out.set(p['name'], canonicalJson(p['value'] ?? null));
  return out;
}

/** Parameter values of `next` that differ from `current` (`params.NAME`, canonical JSON). */
export function paramChanges(current: Obj | null, next: Obj): FieldChange[] {
  const before = paramValues(current);
  const after = paramValues(next);
  const changes: FieldChange[] = [];
  for (const name of new Set([...before.keys(), ...after.keys()])) {
    const from = before.get(name);
    const to = after.get(name) ?? 'null';
    if (from !== to) changes.push({ field: `params.${name}`, from, to });
  }
  return changes;
}

function versionText(v: Obj | null): string | null {
  const n = v?.['display_version_number'];
  return isRecord(n) ? formatVersion(n as unknown as VersionNumber) : null;
}

/** Adds version numbers and parameter differences to the product versions plan would create. */
export async function describeNewVersions(
  ctx: DeployContext,
  packs: readonly LoadedPack[],
  reports: ResourceReport[],
): Promise<void> {
  for (const report of reports) {
    if (report.resource_type !== 'SMART_CONTRACT_VERSION' || report.action !== 'create') continue;
    const pack = packs.find((p) => p.name === report.pack && p.resources.has(report.resource_id));
    const resource = pack?.resources.get(report.resource_id);
    if (!pack || !resource || resource.codeVersion === null || resource.activationTarget === null) continue;
    const product = await getOrNull(ctx, `/v1/products/${encodeURIComponent(resource.activationTarget)}`);
    const currentId =
      typeof product?.['current_version_id'] === 'string' ? product['current_version_id'] : '';
    const current =
      currentId === '' ? null : await getOrNull(ctx, `/v1/product-versions/${encodeURIComponent(currentId)}`);
    const sent = ctx.known.resolve(pack, resource).object;
    const next = isRecord(sent['product_version']) ? sent['product_version'] : sent;
    report.version = { version: resource.codeVersion, current_version: versionText(current) };
    if (current) report.changes = paramChanges(current, next);
  }
}

/** Without activation on: the marked versions whose target has another version active (drift). */
export function activationDrift(predicted: readonly ActivationReport[]): ActivationReport[] {
  return predicted
    .filter((a) => a.action === 'activate' && a.version_id !== null && a.previous_version_id !== null)
    .map((a) => ({ ...a, action: 'drift' as const }));
}
