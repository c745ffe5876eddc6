/**
 * `import`: carries out the matcher's verdict for each resource (create what is absent, update
 * what differs where the pack allows it, use what it says to skip, refuse the rest), journals
 * every confirmed result as it happens, then activates the marked versions. A resource the
 * journal of a resumed run already confirmed is not asked about again.
 */
import { RequestError, type VaultClient } from '../client/client.js';
import { fillPath, resourceSpec } from '../resource/index.js';
import { isRecord } from '../util/record.js';
import type { LoadedPack } from '../validate/packs.js';
import { Environment, type ServerObject } from './environment.js';
import type { Journal, JournalEntry } from './journal.js';
import { KnownObjects, knownFrom, type Known, type ResolvedResource } from './known.js';
import { matchResource } from './match.js';
import { offlineValue } from './requests.js';
import { activateVersions } from './activation.js';
import { Conflict, type DeployEvent, type DeployReport, type ImportAction } from './report.js';
import { walkPacks, type DeployContext, type StepResult, type WalkItem } from './walk.js';

export interface ImportOptions {
  concurrency: number;
  /** Activate the marked versions after a fully successful run. */
  activate: boolean;
  journal: Journal;
  /** Results a previous run confirmed (resume), by resource id. */
  confirmed?: ReadonlyMap<string, JournalEntry>;
  signal?: AbortSignal;
  onEvent?: (e: DeployEvent) => void;
  now?: () => Date;
}

interface ImportContext extends DeployContext {
  journal: Journal;
  confirmed: ReadonlyMap<string, JournalEntry>;
}

export async function runImport(
  packs: readonly LoadedPack[],
  client: VaultClient,
  options: ImportOptions,
): Promise<DeployReport> {
  const ctx: ImportContext = {
    client,
    environment: new Environment(client),
    known: new KnownObjects(),
    concurrency: options.concurrency,
    signal: options.signal,
    now: options.now ?? (() => new Date()),
    emit: options.onEvent ?? (() => undefined),
    journal: options.journal,
    confirmed: options.confirmed ?? new Map(),
  };
  const walked = await walkPacks(packs, ctx, (item) => importStep(ctx, item));
  const activations = options.activate
    ? await activateVersions(ctx, packs, walked.resources, options.journal)
    : [];
  return { resources: walked.resources, activations, interrupted: walked.interrupted };
}

async function importStep(ctx: ImportContext, item: WalkItem): Promise<StepResult> {
  const confirmed = ctx.confirmed.get(item.id);
  if (confirmed) {
    const action = confirmed.action === 'activated' ? 'unchanged' : confirmed.action;
    const known = { vaultId: confirmed.vault_id ?? '', fields: confirmed.values };
    return { action, known, requestId: confirmed.request_id };
  }
  const { resolved, match } = await matchResource(ctx, item);
  const confirm = (action: ImportAction, known: Known): StepResult => {
    record(ctx, item, resolved, action, known);
    return {
      action,
      known,
      requestId: resolved.requestId,
      changes: match.kind === 'absent' ? [] : match.changes,
    };
  };
  switch (match.kind) {
    case 'absent':
      return create(ctx, item, resolved, confirm);
    case 'same':
      return confirm('unchanged', match.existing);
    case 'skip':
      return confirm('skipped', match.existing);
    case 'refuse':
      throw new Conflict(match.changes, match.message);
    case 'update': {
      let last: unknown;
      for (const u of match.requests)
        last = (await ctx.client.request<ServerObject>(u.method, u.path, u.body)).body;
      return confirm('updated', isRecord(last) ? knownFrom(last) : match.existing);
    }
  }
}

/** Creates the object; with `on_conflict: SKIP`, one that appeared meanwhile is fetched and used. */
async function create(
  ctx: ImportContext,
  item: WalkItem,
  resolved: ResolvedResource,
  confirm: (action: ImportAction, known: Known) => StepResult,
): Promise<StepResult> {
  const spec = resourceSpec(item.type);
  const body = { request_id: resolved.requestId, ...resolved.payload };
  try {
    const res = await ctx.client.request<ServerObject>('POST', spec.paths.create, body);
    return confirm('created', knownFrom(isRecord(res.body) ? res.body : {}));
  } catch (err) {
    const exists = err instanceof RequestError && err.status === 409 && err.code === 'ALREADY_EXISTS';
    if (!exists || item.resource.onConflict !== 'SKIP') throw err;
    const id = offlineValue(item.resource, null) ?? '';
    const res = await ctx.client.request<ServerObject>('GET', fillPath(spec.paths.get, id));
    return confirm('skipped', knownFrom(isRecord(res.body) ? res.body : {}));
  }
}

function record(
  ctx: ImportContext,
  item: WalkItem,
  resolved: ResolvedResource,
  action: JournalEntry['action'],
  known: Known,
): void {
  ctx.journal.append({
    resource_id: item.id,
    resource_type: item.type,
    action,
    vault_id: known.vaultId || null,
    request_id: resolved.requestId,
    values: known.fields,
    at: ctx.now().toISOString(),
  });
}
