/**
 * The walk plan and import share: each pack's resources in dependency order on the scheduler
 * (bounded concurrency, failures block their dependents), one step per resource, and a report per
 * resource in import order. The step (plan's or import's) decides the action; the walk records
 * what the step learned about the object, so later references resolve to it.
 */
import type { VaultClient } from '../client/client.js';
import { isResourceType, payloadObject, resourceSpec, type ResourceType } from '../resource/index.js';
import type { LoadedPack } from '../validate/packs.js';
import type { ResourceAnalysis } from '../pack/load.js';
import { matchParent, type Environment, type FieldChange } from './environment.js';
import type { Known, KnownObjects } from './known.js';
import { offlineValue, resolveReferences } from './requests.js';
import {
  Conflict,
  errorOf,
  type DeployEvent,
  type ImportAction,
  type PlanAction,
  type ReportError,
  type ResourceReport,
} from './report.js';
import { runGraph, type NodeState } from './schedule.js';

/** What plan and import share while they run. */
export interface DeployContext {
  client: VaultClient;
  /** What the server held when the run started. */
  environment: Environment;
  /** What this run found or made. */
  known: KnownObjects;
  concurrency: number;
  signal: AbortSignal | undefined;
  now: () => Date;
  emit: (event: DeployEvent) => void;
}

/** One resource of one pack, as a step sees it. */
export interface WalkItem {
  pack: LoadedPack;
  id: string;
  resource: ResourceAnalysis;
  type: ResourceType;
}

/** What a step did or predicts, and what it learned about the resource's object. */
export interface StepResult {
  action: PlanAction | ImportAction;
  known: Known | null;
  requestId: string | null;
  changes?: FieldChange[];
  error?: ReportError;
}

export type Step = (item: WalkItem) => Promise<StepResult>;

/** Every pack in turn; stops after the pack during which the run was interrupted. */
export async function walkPacks(
  packs: readonly LoadedPack[],
  ctx: DeployContext,
  step: Step,
): Promise<{ resources: ResourceReport[]; interrupted: boolean }> {
  const resources: ResourceReport[] = [];
  let interrupted = false;
  for (const pack of packs) {
    const walked = await walkPack(pack, ctx, step);
    resources.push(...walked.reports);
    interrupted ||= walked.interrupted;
    if (ctx.signal?.aborted) return { resources, interrupted: true };
  }
  return { resources, interrupted };
}

function newReport(pack: LoadedPack, id: string, type: string): ResourceReport {
  return {
    pack: pack.name,
    resource_id: id,
    resource_type: type,
    action: 'not_started',
    vault_id: null,
    request_id: null,
    changes: [],
  };
}

async function walkPack(
  pack: LoadedPack,
  ctx: DeployContext,
  step: Step,
): Promise<{ reports: ResourceReport[]; interrupted: boolean }> {
  expectParents(pack, ctx.environment);
  const reports = new Map(pack.order.map((id) => [id, newReport(pack, id, resourceOf(pack, id).type)]));
  const dependencies = new Map(
    pack.order.map((id) => [id, (pack.graph.edges.get(id) ?? []).map((e) => e.to)]),
  );
  const states = await runGraph(
    pack.order,
    dependencies,
    (id) => runStep(pack, id, reports.get(id) as ResourceReport, ctx, step),
    { concurrency: ctx.concurrency, ...(ctx.signal ? { signal: ctx.signal } : {}) },
  );
  let interrupted = false;
  for (const id of pack.order) {
    const state = states.get(id) as NodeState;
    const report = reports.get(id) as ResourceReport;
    if (state.state === 'blocked') {
      report.action = 'blocked';
      report.blocked_by = state.blockedBy;
      ctx.emit({
        event: 'resource_blocked',
        at: ctx.now().toISOString(),
        resource_id: id,
        resource_type: report.resource_type,
        blocked_by: state.blockedBy,
      });
    }
    if (state.state === 'not_started') interrupted = true;
  }
  return { reports: [...reports.values()], interrupted };
}

function resourceOf(pack: LoadedPack, id: string): ResourceAnalysis {
  return pack.resources.get(id) as ResourceAnalysis;
}

/** Runs one step and records its result; a failure is reported and rethrown (it blocks dependents). */
async function runStep(
  pack: LoadedPack,
  id: string,
  report: ResourceReport,
  ctx: DeployContext,
  step: Step,
): Promise<void> {
  const resource = resourceOf(pack, id);
  const at = () => ctx.now().toISOString();
  ctx.emit({ event: 'resource_started', at: at(), resource_id: id, resource_type: resource.type });
  try {
    const result = await step({ pack, id, resource, type: resource.type as ResourceType });
    report.action = result.action;
    report.request_id = result.requestId;
    if (result.changes) report.changes = result.changes;
    if (result.error) report.error = result.error;
    if (result.known) {
      ctx.known.set(pack, id, result.known);
      report.vault_id = result.known.vaultId || null;
    }
  } catch (err) {
    report.action = 'failed';
    report.error = errorOf(err);
    if (err instanceof Conflict) report.changes = err.changes;
    ctx.emit({
      event: 'resource_result',
      at: at(),
      resource_id: id,
      resource_type: resource.type,
      action: 'failed',
      vault_id: null,
      error: report.error,
    });
    throw err;
  }
  ctx.emit({
    event: 'resource_result',
    at: at(),
    resource_id: id,
    resource_type: resource.type,
    action: report.action as PlanAction | ImportAction,
    vault_id: report.vault_id,
    ...(report.error ? { error: report.error } : {}),
  });
}

/** Parents known before the run (product ids, calendar ids) are announced, so they are listed in batches. */
function expectParents(pack: LoadedPack, environment: Environment): void {
  for (const r of pack.resources.values()) {
    if (!isResourceType(r.type)) continue;
    const parent = matchParent(r.type);
    if (!parent) continue;
    const value = resolveReferences(
      payloadObject(resourceSpec(r.type), r.payload)[parent.field],
      (ref, field) => {
        const target = pack.resources.get(ref);
        return target ? offlineValue(target, field) : undefined;
      },
    );
    if (typeof value === 'string' && !value.includes('&{')) environment.expect(r.type, value);
  }
}
