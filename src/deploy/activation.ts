/**
 * Activation of the versions marked `activate: true` (a product's current version, a workflow
 * definition's default version), only after every resource succeeded. Plan reads each target's
 * current version and predicts; import also makes the change and journals it.
 */
import { RequestError } from '../client/client.js';
import {
  fillPath,
  isResourceType,
  resourceSpec,
  type Activation,
  type ResourceType,
} from '../resource/index.js';
import { isRecord } from '../util/record.js';
import type { LoadedPack } from '../validate/packs.js';
import type { ResourceAnalysis } from '../pack/load.js';
import type { ServerObject } from './environment.js';
import type { Journal } from './journal.js';
import type { ActivationReport, ResourceReport } from './report.js';
import { requestIdFor } from './requests.js';
import type { DeployContext } from './walk.js';

const SUCCEEDED = new Set(['created', 'updated', 'unchanged', 'skipped', 'create', 'update', 'skip']);

/** A version to activate. */
interface Marked {
  id: string;
  type: ResourceType;
  activation: Activation;
  /** The product or workflow definition. */
  target: string;
  versionId: string | null;
}

function markedVersions(ctx: DeployContext, pack: LoadedPack): Marked[] {
  const out: Marked[] = [];
  for (const id of pack.order) {
    const r = pack.resources.get(id) as ResourceAnalysis;
    if (!r.activate || r.activationTarget === null || !isResourceType(r.type)) continue;
    const activation = resourceSpec(r.type).activation;
    if (activation === null) continue;
    const versionId = ctx.known.get(pack, id)?.vaultId ?? null;
    out.push({ id, type: r.type, activation, target: r.activationTarget, versionId });
  }
  return out;
}

/**
 * Activates (with `journal`: import) or predicts the activation of (`null`: plan) every marked
 * version, in import order.
 */
export async function activateVersions(
  ctx: DeployContext,
  packs: readonly LoadedPack[],
  reports: readonly ResourceReport[],
  journal: Journal | null,
): Promise<ActivationReport[]> {
  const allSucceeded = reports.every((r) => SUCCEEDED.has(r.action));
  const out: ActivationReport[] = [];
  for (const marked of packs.flatMap((pack) => markedVersions(ctx, pack))) {
    const report: ActivationReport = {
      resource_id: marked.id,
      resource_type: marked.type,
      target: marked.target,
      version_id: marked.versionId,
      action: 'not_started',
      previous_version_id: null,
    };
    out.push(report);
    if (!allSucceeded || ctx.signal?.aborted) continue;
    try {
      await activateOne(ctx, marked, report, journal);
    } catch (err) {
      report.action = 'failed';
      report.error = {
        code: err instanceof RequestError ? err.code : 'ERROR',
        message: (err as Error).message,
      };
    }
    if (
      journal !== null &&
      (report.action === 'failed' ||
        report.action === 'activated' ||
        report.action === 'unchanged' ||
        report.action === 'pending')
    )
      ctx.emit({
        event: 'activation',
        at: ctx.now().toISOString(),
        resource_id: report.resource_id,
        resource_type: report.resource_type,
        target: report.target,
        version_id: report.version_id,
        action: report.action,
        ...(report.activation_request_id !== undefined
          ? { activation_request_id: report.activation_request_id }
          : {}),
        ...(report.error ? { error: report.error } : {}),
      });
  }
  return out;
}

async function activateOne(
  ctx: DeployContext,
  marked: Marked,
  report: ActivationReport,
  journal: Journal | null,
): Promise<void> {
  const { versionId } = marked;
  const current = versionId === null ? null : await currentVersion(ctx, marked);
  report.previous_version_id = current;
  if (current !== null && current === versionId) {
    report.action = 'unchanged';
    return;
  }
  if (journal === null || versionId === null) {
    report.action = 'activate';
    return;
  }
  const requestId = requestIdFor(`ACTIVATE_${marked.type}`, marked.target, { version: versionId });
  const request = marked.activation.request(marked.target, versionId, requestId);
  const res = await ctx.client.request(request.method, request.path, request.body);
  // A server that requires approval (four-eyes) answers 202 with the request it stored.
  const pending = res.status === 202 && isRecord(res.body) ? res.body['activation_request'] : undefined;
  if (isRecord(pending)) {
    report.action = 'pending';
    report.activation_request_id = String(pending['id']);
    return;
  }
  report.action = 'activated';
  journal.append({
    resource_id: marked.id,
    resource_type: marked.type,
    action: 'activated',
    vault_id: versionId,
    request_id: requestId,
    values: {},
    at: ctx.now().toISOString(),
  });
}

/** The target's active version, or null when it has none or does not exist yet. */
async function currentVersion(ctx: DeployContext, marked: Marked): Promise<string | null> {
  try {
    const res = await ctx.client.request<ServerObject>(
      'GET',
      fillPath(marked.activation.targetPath, marked.target),
    );
    const v = isRecord(res.body) ? res.body[marked.activation.currentField] : undefined;
    return typeof v === 'string' && v !== '' ? v : null;
  } catch (err) {
    if (err instanceof RequestError && err.status === 404) return null;
    throw err;
  }
}
