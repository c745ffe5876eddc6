/**
 * Release actions: activate a version (products and workflow definitions), roll back, approve or
 * reject an activation request. Each is split into reading what would happen (shown to the person
 * before they confirm) and doing it. Request ids are derived from what is asked and from what the
 * environment had, so running the same command again replays the same request instead of doing
 * it twice (and a pending request is not filed twice).
 */
import type { VaultClient } from '../client/client.js';
import { StrataError } from '../errors.js';
import { contentRequestId } from '../ledger/remote.js';
import { listAll } from '../deploy/environment.js';
import {
  activationOf,
  findVersion,
  readActivations,
  readProduct,
  readWorkflows,
  requestView,
  type Obj,
  type RequestView,
  type TargetKind,
  type TargetView,
  type VersionView,
} from './remote.js';

export interface ActivationPlan {
  kind: TargetKind;
  target: string;
  from: VersionView | null;
  to: VersionView;
  reason: string;
}

export type ActivationStatus = 'ACTIVATED' | 'ALREADY_CURRENT' | 'PENDING_APPROVAL';

export interface ActivationOutcome {
  status: ActivationStatus;
  request_id: string | null;
  replayed: boolean;
  activation_request_id: string | null;
}

function q(id: string): string {
  return encodeURIComponent(id);
}

export async function readTarget(client: VaultClient, kind: TargetKind, id: string): Promise<TargetView> {
  if (kind === 'product') return readProduct(client, id, null);
  const [workflow] = await readWorkflows(client, [id]);
  if (!workflow) throw new StrataError('E_NOT_FOUND', `the environment has no workflow definition ${id}`);
  return workflow;
}

/** What activating `version` of the target would change. */
export async function planActivation(
  client: VaultClient,
  o: { kind: TargetKind; target: string; version: string; reason: string },
): Promise<ActivationPlan> {
  const target = await readTarget(client, o.kind, o.target);
  const to = findVersion(target, o.version);
  const from = target.versions.find((v) => v.current) ?? null;
  return { kind: o.kind, target: o.target, from, to, reason: o.reason };
}

/** What a rollback would do: activate the version that was active before the latest activation. */
export async function planRollback(
  client: VaultClient,
  o: { kind: TargetKind; target: string; reason: string },
): Promise<ActivationPlan> {
  const target = await readTarget(client, o.kind, o.target);
  const history = await readActivations(client, {
    products: o.kind === 'product' ? [o.target] : [],
    workflows: o.kind === 'workflow' ? [o.target] : [],
  });
  const latest = history[history.length - 1];
  if (!latest || latest.from_version_id === '') {
    throw new StrataError(
      'E_NO_ROLLBACK',
      `${o.target} has had one active version only: there is nothing to roll back to`,
      'strata history shows its activations; strata activate makes any version active',
    );
  }
  const to = findVersion(target, latest.from_version_id);
  const from = target.versions.find((v) => v.current) ?? null;
  return { kind: o.kind, target: o.target, from, to, reason: o.reason };
}

/** The request id of an activation: from the server, target, version, current version and reason. */
export function activationRequestId(url: string, plan: ActivationPlan): string {
  const basis = {
    url,
    kind: plan.kind,
    target: plan.target,
    to: plan.to.id,
    from: plan.from?.id ?? '',
    reason: plan.reason,
  };
  return contentRequestId('activate', basis);
}

/** Sends the activation (nothing when the version is already active). */
export async function applyActivation(
  client: VaultClient,
  url: string,
  plan: ActivationPlan,
): Promise<ActivationOutcome> {
  if (plan.from?.id === plan.to.id) {
    return { status: 'ALREADY_CURRENT', request_id: null, replayed: false, activation_request_id: null };
  }
  const requestId = activationRequestId(url, plan);
  const request = activationOf(plan.kind).request(plan.target, plan.to.id, requestId);
  const res = await client.request<Obj>(request.method, request.path, {
    ...request.body,
    ...(plan.reason === '' ? {} : { reason: plan.reason }),
  });
  const pending = res.status === 202 ? (res.body['activation_request'] as Obj | undefined) : undefined;
  return {
    status: pending ? 'PENDING_APPROVAL' : 'ACTIVATED',
    request_id: requestId,
    replayed: res.replay,
    activation_request_id: pending ? String(pending['id']) : null,
  };
}

export async function readRequest(client: VaultClient, id: string): Promise<RequestView> {
  return requestView((await client.request<Obj>('GET', `/v1/activation-requests/${q(id)}`)).body);
}

export async function listRequests(client: VaultClient, all: boolean): Promise<RequestView[]> {
  const query: Record<string, string> = all ? {} : { status: 'PENDING' };
  return (await listAll(client, '/v1/activation-requests', query)).map(requestView);
}

/** Approves or rejects a request; the request id comes from the request, the decision and the reason. */
export async function decide(
  client: VaultClient,
  o: { id: string; decision: 'approve' | 'reject'; reason: string },
): Promise<{ request: RequestView; replayed: boolean; request_id: string }> {
  const requestId = contentRequestId(o.decision, o);
  const res = await client.request<Obj>('POST', `/v1/activation-requests/${q(o.id)}:${o.decision}`, {
    request_id: requestId,
    ...(o.reason === '' ? {} : { reason: o.reason }),
  });
  return { request: requestView(res.body), replayed: res.replay, request_id: requestId };
}
