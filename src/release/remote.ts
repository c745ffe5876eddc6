/**
 * What release management reads from an environment: products with their versions, workflow
 * definitions with theirs, activations, activation requests. Calls through the API client; never
 * prints. Lists are read to the end (every page).
 */
import { RequestError, type VaultClient } from '../client/client.js';
import { StrataError } from '../errors.js';
import { formatVersion, type VersionNumber } from '../resource/version.js';
import { resourceSpec, type Activation, type ResourceType } from '../resource/index.js';
import { isRecord } from '../util/record.js';
import { listAll } from '../deploy/environment.js';

export type Obj = Record<string, unknown>;
export type TargetKind = 'product' | 'workflow';

/** The versions of each kind of target, whose registry entry holds the activation rule. */
const VERSION_TYPE: Record<TargetKind, ResourceType> = {
  product: 'SMART_CONTRACT_VERSION',
  workflow: 'WORKFLOW_DEFINITION_VERSION',
};

/** How a target's active version is read and changed (the resource registry's one rule). */
export function activationOf(kind: TargetKind): Activation {
  return resourceSpec(VERSION_TYPE[kind]).activation as Activation;
}

export interface VersionView {
  id: string;
  /** The version number (`1.2.0`), as written in the code or the specification. */
  version: string;
  create_timestamp: string | null;
  current: boolean;
  /** Accounts open on it, where the server has a ledger the token can read; null otherwise. */
  accounts: number | null;
}

export interface TargetView {
  kind: TargetKind;
  id: string;
  display_name: string;
  current_version_id: string;
  versions: VersionView[];
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** A product version's number (`display_version_number`) as text. */
export function versionText(v: Obj): string {
  const n = v['display_version_number'];
  if (isRecord(n) && typeof n['major'] === 'number') return formatVersion(n as unknown as VersionNumber);
  return str(v['id']);
}

/** A workflow definition version's number: the part of its id before the comma. */
function workflowVersionText(id: string): string {
  const comma = id.indexOf(',');
  return comma < 0 ? id : id.slice(0, comma);
}

function q(id: string): string {
  return encodeURIComponent(id);
}

/** A product with every version; E_NOT_FOUND when the environment has no such product. */
export async function readProduct(
  client: VaultClient,
  id: string,
  accounts: AccountCounter | null,
): Promise<TargetView> {
  let product: Obj;
  try {
    product = (await client.request<Obj>('GET', `/v1/products/${q(id)}`)).body;
  } catch (err) {
    if (err instanceof RequestError && err.status === 404) {
      throw new StrataError(
        'E_NOT_FOUND',
        `the environment has no product ${id}`,
        'strata versions lists the products',
      );
    }
    throw err;
  }
  const current = str(product[activationOf('product').currentField]);
  const versions = await listAll(client, '/v1/product-versions', { product_id: id });
  const counts = accounts ? await accounts.byVersion(id) : null;
  return {
    kind: 'product',
    id,
    display_name: str(product['display_name']),
    current_version_id: current,
    versions: versions.map((v) => ({
      id: str(v['id']),
      version: versionText(v),
      create_timestamp: str(v['create_timestamp']) || null,
      current: str(v['id']) === current,
      accounts: counts === null ? null : (counts.get(str(v['id'])) ?? 0),
    })),
  };
}

export async function listProductIds(client: VaultClient): Promise<string[]> {
  return (await listAll(client, '/v1/products')).map((p) => str(p['id']));
}

/** Workflow definitions (every one with a version, or those named) with their versions. */
export async function readWorkflows(
  client: VaultClient,
  only: readonly string[] | null,
): Promise<TargetView[]> {
  const all = await listAll(client, '/v1/workflow-definition-versions');
  const ids = only ?? [...new Set(all.map((v) => str(v['workflow_definition_id'])))];
  const out: TargetView[] = [];
  for (const id of ids) {
    let wf: Obj;
    try {
      wf = (await client.request<Obj>('GET', `/v1/workflow-definitions/${q(id)}`)).body;
    } catch (err) {
      if (err instanceof RequestError && err.status === 404) {
        throw new StrataError(
          'E_NOT_FOUND',
          `the environment has no workflow definition ${id}`,
          'strata versions --workflows lists them',
        );
      }
      throw err;
    }
    const current = str(wf[activationOf('workflow').currentField]);
    out.push({
      kind: 'workflow',
      id,
      display_name: str(wf['name']),
      current_version_id: current,
      versions: all
        .filter((v) => v['workflow_definition_id'] === id)
        .map((v) => ({
          id: str(v['id']),
          version: workflowVersionText(str(v['id'])),
          create_timestamp: str(v['create_timestamp']) || null,
          current: str(v['id']) === current,
          accounts: null,
        })),
    });
  }
  return out;
}

/** Reads `target`'s versions; resolves `version` (a number such as 1.2.0, or an id) to one of them. */
export function findVersion(target: TargetView, version: string): VersionView {
  const found =
    target.versions.find((v) => v.id === version) ?? target.versions.find((v) => v.version === version);
  if (found) return found;
  throw new StrataError(
    'E_NOT_FOUND',
    `${target.kind === 'product' ? 'product' : 'workflow definition'} ${target.id} has no version ${version}`,
    `its versions: ${target.versions.map((v) => v.version).join(', ') || 'none'}`,
  );
}

/** Counts the ledger's accounts per product version; off when the server has no ledger for this token. */
export class AccountCounter {
  #off = false;
  constructor(private readonly client: VaultClient) {}

  async byVersion(productId: string): Promise<Map<string, number> | null> {
    if (this.#off) return null;
    let accounts: Obj[];
    try {
      accounts = await listAll(this.client, '/v1/accounts', { product_id: productId });
    } catch (err) {
      if (err instanceof RequestError && [403, 404, 405].includes(err.status)) {
        this.#off = true;
        return null;
      }
      throw err;
    }
    const counts = new Map<string, number>();
    for (const a of accounts) {
      if (a['status'] === 'ACCOUNT_STATUS_CLOSED') continue;
      const v = str(a['product_version_id']);
      counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    return counts;
  }
}

export interface ActivationView {
  id: string;
  kind: TargetKind;
  target: string;
  from_version_id: string;
  to_version_id: string;
  cause: string;
  reason: string;
  actor: string;
  request_id: string;
  create_timestamp: string;
  approved_by: string | null;
  activation_request_id: string | null;
}

export function activationView(a: Obj): ActivationView {
  const product = str(a['product_id']);
  return {
    id: str(a['id']),
    kind: product !== '' ? 'product' : 'workflow',
    target: product !== '' ? product : str(a['workflow_definition_id']),
    from_version_id: str(a['from_version_id']),
    to_version_id: str(a['to_version_id']),
    cause: str(a['cause'] ?? a['reason']),
    reason: 'cause' in a ? str(a['reason']) : '',
    actor: str(a['actor']),
    request_id: str(a['request_id']),
    create_timestamp: str(a['create_timestamp']),
    approved_by: str(a['approved_by']) || null,
    activation_request_id: str(a['activation_request_id']) || null,
  };
}

/** Activations of the given products/workflows (none given: all), oldest first. */
export async function readActivations(
  client: VaultClient,
  filter: { products: readonly string[]; workflows: readonly string[] },
): Promise<ActivationView[]> {
  const query = { product_id: [...filter.products], workflow_definition_id: [...filter.workflows] };
  return (await listAll(client, '/v1/activations', query)).map(activationView);
}

export interface RequestView {
  id: string;
  status: string;
  kind: TargetKind;
  target: string;
  from_version_id: string;
  to_version_id: string;
  reason: string;
  requested_by: string;
  request_id: string;
  create_timestamp: string;
  decided_by: string | null;
  decision_reason: string | null;
  decide_timestamp: string | null;
}

export function requestView(r: Obj): RequestView {
  const product = str(r['product_id']);
  return {
    id: str(r['id']),
    status: str(r['status']),
    kind: product !== '' ? 'product' : 'workflow',
    target: product !== '' ? product : str(r['workflow_definition_id']),
    from_version_id: str(r['from_version_id']),
    to_version_id: str(r['to_version_id']),
    reason: str(r['reason']),
    requested_by: str(r['requested_by']),
    request_id: str(r['request_id']),
    create_timestamp: str(r['create_timestamp']),
    decided_by: str(r['decided_by']) || null,
    decision_reason: str(r['decision_reason']) || null,
    decide_timestamp: str(r['decide_timestamp']) || null,
  };
}

/** Whether the server requires approval of activations (false for servers without the endpoint). */
export async function requiresApproval(client: VaultClient): Promise<boolean> {
  try {
    const body = (await client.request<Obj>('GET', '/v1/server-settings')).body;
    return isRecord(body['settings']) && body['settings']['require_approval'] === true;
  } catch (err) {
    if (err instanceof RequestError && err.status === 404) return false;
    throw err;
  }
}
