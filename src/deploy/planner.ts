/**
 * `plan`: what an import would do, per resource and per activation, from what the server holds.
 * Only reads. The prediction is the matcher's verdict (`match.ts`), in plan's words.
 */
import type { VaultClient } from '../client/client.js';
import type { LoadedPack } from '../validate/packs.js';
import { Environment } from './environment.js';
import { KnownObjects } from './known.js';
import { matchResource } from './match.js';
import { offlineValue } from './requests.js';
import { activateVersions } from './activation.js';
import { activationDrift, describeNewVersions } from './version-diff.js';
import type { DeployReport } from './report.js';
import { walkPacks, type DeployContext, type StepResult, type WalkItem } from './walk.js';

export interface PlanOptions {
  concurrency: number;
  /** Predict the activations an import with activation on would make. */
  activate: boolean;
  now?: () => Date;
}

export async function planImport(
  packs: readonly LoadedPack[],
  client: VaultClient,
  options: PlanOptions,
): Promise<DeployReport> {
  const ctx: DeployContext = {
    client,
    environment: new Environment(client),
    known: new KnownObjects(),
    concurrency: options.concurrency,
    signal: undefined,
    now: options.now ?? (() => new Date()),
    emit: () => undefined,
  };
  const walked = await walkPacks(packs, ctx, (item) => planStep(ctx, item));
  // Without activation on, plan still reports drift: a marked version that is not the active one.
  const predicted = await activateVersions(ctx, packs, walked.resources, null);
  const activations = options.activate ? predicted : activationDrift(predicted);
  await describeNewVersions(ctx, packs, walked.resources);
  return { resources: walked.resources, activations, interrupted: walked.interrupted };
}

async function planStep(ctx: DeployContext, item: WalkItem): Promise<StepResult> {
  const { resolved, match } = await matchResource(ctx, item);
  const requestId = resolved.requestId;
  switch (match.kind) {
    case 'absent': {
      // A created object's id is known now only where the client chooses it.
      const vaultId = offlineValue(item.resource, null);
      return { action: 'create', known: vaultId === undefined ? null : { vaultId, fields: {} }, requestId };
    }
    case 'same':
      return { action: 'unchanged', known: match.existing, requestId, changes: [] };
    case 'skip':
      return { action: 'skip', known: match.existing, requestId, changes: match.changes };
    case 'refuse':
      return {
        action: 'conflict',
        known: match.existing,
        requestId,
        changes: match.changes,
        // on_conflict: IGNORE is the pack's own choice; a refusal by the type is worth explaining.
        ...(match.code === 'NOT_UPDATABLE' ? { error: { code: match.code, message: match.message } } : {}),
      };
    case 'update':
      return { action: 'update', known: match.existing, requestId, changes: match.changes };
  }
}
