/** What the product pages read: products, their versions, and the accounts open on each version. */
import { ApiFailure, seg, type Api } from './api.js';
import type { Account, Activation, Product, ProductVersion } from './model.js';
import { hasScope, type Identity } from './session.js';

export interface AccountCounts {
  byProduct: Map<string, number>;
  byVersion: Map<string, number>;
}

/** Open accounts per product and per version; undefined when the token cannot read the ledger. */
export async function accountCounts(
  api: Api,
  identity: Identity,
  productIds: readonly string[] = [],
): Promise<AccountCounts | undefined> {
  if (!hasScope(identity, 'ledger:read')) return undefined;
  const filter = productIds.map((id) => `product_id=${encodeURIComponent(id)}`).join('&');
  const accounts = await api.all<Account>(`/v1/accounts${filter === '' ? '' : `?${filter}`}`, 'accounts');
  const counts: AccountCounts = { byProduct: new Map(), byVersion: new Map() };
  for (const a of accounts) {
    if (a.status !== 'ACCOUNT_STATUS_OPEN') continue;
    counts.byProduct.set(a.product_id, (counts.byProduct.get(a.product_id) ?? 0) + 1);
    counts.byVersion.set(a.product_version_id, (counts.byVersion.get(a.product_version_id) ?? 0) + 1);
  }
  return counts;
}

export interface Catalog {
  products: Product[];
  versions: Map<string, ProductVersion>;
  versionsOf: Map<string, ProductVersion[]>;
  accounts: AccountCounts | undefined;
}

export async function loadCatalog(api: Api, identity: Identity): Promise<Catalog> {
  const [products, versions, accounts] = await Promise.all([
    api.all<Product>('/v1/products', 'products'),
    api.all<ProductVersion>('/v1/product-versions', 'product_versions'),
    accountCounts(api, identity),
  ]);
  return { products, ...indexVersions(versions), accounts };
}

export function indexVersions(list: readonly ProductVersion[]): Pick<Catalog, 'versions' | 'versionsOf'> {
  const versions = new Map(list.map((v) => [v.id, v]));
  const versionsOf = new Map<string, ProductVersion[]>();
  for (const v of list) versionsOf.set(v.product_id, [...(versionsOf.get(v.product_id) ?? []), v]);
  return { versions, versionsOf };
}

export interface ProductDetail {
  product: Product;
  versions: ProductVersion[];
  byId: Map<string, ProductVersion>;
  activations: Activation[];
  accounts: AccountCounts | undefined;
  release: ReleaseSettings;
}

export interface ReleaseSettings {
  /** Activations on this server wait for a second person's approval (four-eyes). */
  requireApproval: boolean;
  /** The server records a reason with each activation (servers before release management do not). */
  recordsReason: boolean;
}

/** The server's release settings (GET /v1/server-settings; absent on servers before release management). */
export async function releaseSettings(api: Api): Promise<ReleaseSettings> {
  try {
    const body = await api.get<{ settings?: { require_approval?: boolean } }>('/v1/server-settings');
    return { requireApproval: body.settings?.require_approval === true, recordsReason: true };
  } catch (e) {
    if (e instanceof ApiFailure && e.status === 404) return { requireApproval: false, recordsReason: false };
    throw e;
  }
}

export async function loadProduct(api: Api, identity: Identity, id: string): Promise<ProductDetail> {
  const q = `product_id=${encodeURIComponent(id)}`;
  const [product, versions, activations, accounts, release] = await Promise.all([
    api.get<Product>(`/v1/products/${seg(id)}`),
    api.all<ProductVersion>(`/v1/product-versions?${q}`, 'product_versions'),
    api.all<Activation>(`/v1/activations?${q}`, 'activations'),
    accountCounts(api, identity, [id]),
    releaseSettings(api),
  ]);
  return {
    product,
    versions,
    byId: new Map(versions.map((v) => [v.id, v])),
    activations: activations.filter((a) => a.product_id === id).reverse(),
    accounts,
    release,
  };
}

/** The version a rollback returns to: the one current before the latest activation. */
export function rollbackTarget(detail: ProductDetail): string | undefined {
  const latest = detail.activations[0];
  if (!latest || latest.from_version_id === '') return undefined;
  if (latest.to_version_id !== detail.product.current_version_id) return undefined;
  return latest.from_version_id;
}
