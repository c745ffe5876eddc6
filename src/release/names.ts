/** Version numbers for version ids (product versions read once per product; workflow ids carry theirs). */
import type { VaultClient } from '../client/client.js';
import { listAll } from '../deploy/environment.js';
import type { NamedRequest } from './format.js';
import { activationOf, readWorkflows, versionText, type RequestView, type TargetKind } from './remote.js';

export class VersionNames {
  readonly #products = new Map<string, Map<string, string>>();
  readonly #workflows = new Map<string, string>();

  constructor(private readonly client: VaultClient) {}

  async name(kind: TargetKind, target: string, versionId: string): Promise<string | null> {
    if (versionId === '') return null;
    if (kind === 'workflow') {
      const comma = versionId.indexOf(',');
      return comma < 0 ? versionId : versionId.slice(0, comma);
    }
    let names = this.#products.get(target);
    if (!names) {
      const versions = await listAll(this.client, '/v1/product-versions', { product_id: target });
      names = new Map(versions.map((v) => [String(v['id']), versionText(v)]));
      this.#products.set(target, names);
    }
    return names.get(versionId) ?? versionId;
  }

  /** The active version id of a target ('' when none or unknown). */
  async current(kind: TargetKind, target: string): Promise<string> {
    if (kind === 'workflow') {
      if (!this.#workflows.has(target)) {
        const [wf] = await readWorkflows(this.client, [target]).catch(() => []);
        this.#workflows.set(target, wf?.current_version_id ?? '');
      }
      return this.#workflows.get(target) ?? '';
    }
    const res = await this.client.request<Record<string, unknown>>(
      'GET',
      `/v1/products/${encodeURIComponent(target)}`,
    );
    return String(res.body[activationOf('product').currentField] ?? '');
  }
}

/** A request with its version numbers, and whether approval would be refused as stale. */
export async function named(names: VersionNames, r: RequestView): Promise<NamedRequest> {
  const current = r.status === 'PENDING' ? await names.current(r.kind, r.target) : null;
  return {
    ...r,
    from_version: await names.name(r.kind, r.target, r.from_version_id),
    to_version: (await names.name(r.kind, r.target, r.to_version_id)) ?? r.to_version_id,
    stale: current !== null && current !== r.from_version_id,
  };
}
