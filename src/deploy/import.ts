/**
 * The plan and import services: validate first (any error: nothing is sent), check the server
 * answers and accepts the token (else exit 3, nothing written), then run the deployment engine
 * and shape its report into the command result (schemas/import-result.schema.json and
 * schemas/plan-result.schema.json).
 */
import { readFileSync } from 'node:fs';
import { VaultClient } from '../client/client.js';
import { checkApi, requireScopes, tokenIdentity, type TokenIdentity } from '../client/preflight.js';
import { StrataError } from '../errors.js';
import { loadPacks } from '../validate/packs.js';
import {
  findingJson,
  resourceValidations,
  skippedJson,
  type FindingJson,
  type ResourceValidation,
  type SkippedJson,
  validateMap,
} from '../validate/validate.js';
import { fails } from '../findings.js';
import type { ReadLimits } from '../pack/limits.js';
import { planImport } from './planner.js';
import { runImport } from './importer.js';
import type { ActivationReport, DeployEvent, ReportError, ResourceReport } from './report.js';
import { Journal, newRunId, runsDirectory, type JournalEntry } from './journal.js';
import type { Target } from '../config/config.js';
import { VERSION } from '../version.js';
import type { Finding } from '../findings.js';

export interface DeployRequest {
  paths: readonly string[];
  cwd: string;
  target: Target;
  /** Where runs are journaled (`<dataDir>/runs`), unless `journalDir` names the directory itself. */
  dataDir: string;
  journalDir?: string;
  /** Resume: a run id, or true for the latest run. */
  resume?: string | true | undefined;
  /** Warnings (an unsupported type's among them) fail validation, so nothing is sent. */
  strict?: boolean;
  /** Bounds on what is read (default DEFAULT_LIMITS). */
  limits?: ReadLimits;
  signal?: AbortSignal;
  onEvent?: (e: DeployEvent) => void;
  /** Told the target and the token's identity once the server accepted it, before any write. */
  onConnected?: (connection: Connection) => void;
  /** Told every validation finding (the result keeps only those about resources). */
  onFindings?: (findings: readonly Finding[]) => void;
  now?: () => Date;
}

type ValidateSection = Record<string, ResourceValidation>;

/** Listed resources of known but unsupported types: never sent, listed with the reason. */
type SkippedSection = SkippedJson[];

export interface ImportResult {
  status: 'SUCCESS' | 'PARTIAL SUCCESS' | 'FAILURE';
  validate: ValidateSection;
  /** Findings about no single resource (the manifest, a file), which `validate` cannot carry. */
  findings: FindingJson[];
  skipped: SkippedSection;
  import: Record<
    string,
    {
      resource_type: string;
      imported: boolean;
      action: string;
      vault_id: string | null;
      request_id: string | null;
      error?: ReportError;
      blocked_by?: string[];
    }
  >;
  activations: ActivationReport[];
  summary: { counts: Record<string, number>; skipped: number; duration_ms: number; interrupted: boolean };
  run_id: string | null;
}

export interface PlanResult {
  status: 'NO CHANGES' | 'CHANGES' | 'INVALID';
  validate: ValidateSection;
  findings: FindingJson[];
  skipped: SkippedSection;
  plan: Record<
    string,
    {
      resource_type: string;
      action: string;
      vault_id: string | null;
      changes: ResourceReport['changes'];
      error?: ReportError;
      version?: ResourceReport['version'];
    }
  >;
  activations: ActivationReport[];
  summary: { counts: Record<string, number>; skipped: number; duration_ms: number };
}

const IMPORTED = new Set(['created', 'updated', 'unchanged', 'skipped']);

type Loaded = Awaited<ReturnType<typeof loadPacks>>;

/** What validation says, shared by the plan and import results. */
interface Validated {
  validate: ValidateSection;
  findings: FindingJson[];
  skipped: SkippedSection;
  /** Nothing may be sent: no pack, or a finding that fails the run. */
  invalid: boolean;
}

function validated(loaded: Loaded, strict: boolean): Validated {
  return {
    // fromEntries, not assign: an id like "__proto__" must stay a plain key.
    validate: validateMap(loaded.packs.map((pack) => ({ resources: resourceValidations(pack, strict) }))),
    findings: loaded.findings.filter((f) => f.resourceId === undefined).map(findingJson),
    skipped: loaded.packs.flatMap(skippedJson),
    invalid: loaded.packs.length === 0 || loaded.findings.some((f) => fails(f, strict)),
  };
}

function load(request: DeployRequest): Promise<Loaded> {
  return loadPacks(request.paths, {
    cwd: request.cwd,
    payloads: true,
    ...(request.limits ? { limits: request.limits } : {}),
  });
}

function counts(actions: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const a of actions) out[a] = (out[a] ?? 0) + 1;
  return out;
}

/** What the command learned from the server before any write: the target and who the token is. */
export interface Connection {
  target: Target;
  token: TokenIdentity;
}

/**
 * Exit 3 unless the server is a Vault/Strata API that accepts the token and grants `scopes`
 * (when it says which it grants). Writes nothing.
 */
async function preflight(
  client: VaultClient,
  request: DeployRequest,
  scopes: string[],
  why: string,
): Promise<void> {
  await checkApi(client, request.target);
  const token = await tokenIdentity(client, request.target);
  request.onConnected?.({ target: request.target, token });
  requireScopes(token, scopes, request.target, why);
}

function client(target: Target): VaultClient {
  return new VaultClient({
    url: target.url,
    token: target.token,
    ...(target.authScheme ? { authScheme: target.authScheme } : {}),
    ...(target.apis ? { apis: target.apis } : {}),
    caFile: target.caFile,
    timeoutMs: target.timeoutMs,
    maxRetries: target.maxRetries,
    connections: target.concurrency,
    userAgent: `strata/${VERSION}`,
  });
}

export async function planPaths(request: DeployRequest): Promise<PlanResult> {
  const started = Date.now();
  const loaded = await load(request);
  request.onFindings?.(loaded.findings);
  try {
    const { invalid, ...checked } = validated(loaded, request.strict ?? false);
    const skipped = checked.skipped.length;
    if (invalid) {
      return {
        status: 'INVALID',
        ...checked,
        plan: {},
        activations: [],
        summary: { counts: {}, skipped, duration_ms: Date.now() - started },
      };
    }
    const c = client(request.target);
    try {
      await preflight(c, request, ['read'], 'to plan');
      const report = await planImport(loaded.packs, c, {
        concurrency: request.target.concurrency,
        activate: request.target.activateOnImport,
        ...(request.now ? { now: request.now } : {}),
      });
      const plan: PlanResult['plan'] = Object.fromEntries(
        report.resources.map((r) => [
          r.resource_id,
          {
            resource_type: r.resource_type,
            action: r.action,
            vault_id: r.vault_id,
            changes: r.changes,
            ...(r.error ? { error: r.error } : {}),
            ...(r.version ? { version: r.version } : {}),
          },
        ]),
      );
      const changed =
        report.resources.some((r) => r.action !== 'unchanged') ||
        report.activations.some((a) => a.action === 'activate' || a.action === 'drift');
      return {
        status: changed ? 'CHANGES' : 'NO CHANGES',
        ...checked,
        plan,
        activations: report.activations,
        summary: {
          counts: counts(report.resources.map((r) => r.action)),
          skipped,
          duration_ms: Date.now() - started,
        },
      };
    } finally {
      await c.close();
    }
  } finally {
    await loaded.cleanup();
  }
}

export async function importPaths(request: DeployRequest): Promise<ImportResult> {
  const started = Date.now();
  const loaded = await load(request);
  request.onFindings?.(loaded.findings);
  try {
    const { invalid, ...checked } = validated(loaded, request.strict ?? false);
    if (invalid) {
      return {
        status: 'FAILURE',
        ...checked,
        import: {},
        activations: [],
        summary: {
          counts: {},
          skipped: checked.skipped.length,
          duration_ms: Date.now() - started,
          interrupted: false,
        },
        run_id: null,
      };
    }
    return await importLoaded(request, loaded, checked, started);
  } finally {
    await loaded.cleanup();
  }
}

/** The run to journal into: a new one, or the one `--resume` names with what it confirmed. */
function runToJournal(
  request: DeployRequest,
  now: () => Date,
): { runs: string; runId: string; confirmed?: Map<string, JournalEntry> } {
  const runs = request.journalDir ?? runsDirectory(request.dataDir);
  if (request.resume === undefined) return { runs, runId: newRunId(now()) };
  const resumed = request.resume === true ? Journal.latest(runs) : request.resume;
  if (resumed === undefined)
    throw new StrataError(
      'E_RESUME',
      `no run to resume in ${runs}`,
      'run an import first, or name the run: --resume RUN_ID',
    );
  const confirmed = new Map(
    Journal.read(runs, resumed)
      .filter((e) => e.action !== 'activated')
      .map((e) => [e.resource_id, e]),
  );
  return { runs, runId: resumed, confirmed };
}

function importStatus(resources: ResourceReport[], activations: ActivationReport[], interrupted: boolean) {
  const ok = resources.filter((r) => IMPORTED.has(r.action)).length;
  const activationFailed = activations.some((a) => a.action === 'failed');
  if (ok === resources.length && !interrupted && !activationFailed) return 'SUCCESS';
  return ok === 0 && resources.length > 0 ? 'FAILURE' : 'PARTIAL SUCCESS';
}

async function importLoaded(
  request: DeployRequest,
  loaded: Loaded,
  checked: Omit<Validated, 'invalid'>,
  started: number,
): Promise<ImportResult> {
  const now = request.now ?? (() => new Date());
  const emit = request.onEvent ?? (() => undefined);
  const c = client(request.target);
  const { runs, runId, confirmed } = runToJournal(request, now);
  const journal = new Journal(runs, runId);
  try {
    const activates =
      request.target.activateOnImport &&
      loaded.packs.some((p) => [...p.resources.values()].some((r) => r.activate));
    await preflight(
      c,
      request,
      ['read', 'config:write', ...(activates ? ['config:activate'] : [])],
      activates ? 'to import and activate' : 'to import',
    );
    const total = loaded.packs.reduce((n, p) => n + p.order.length, 0);
    const at = () => now().toISOString();
    emit({
      event: 'run_started',
      at: at(),
      run_id: runId,
      command: 'import',
      total,
      target: request.target.url,
    });
    for (const s of checked.skipped)
      emit({
        event: 'resource_skipped',
        at: at(),
        resource_id: s.resource_id,
        resource_type: s.resource_type,
        reason: s.reason,
      });
    const report = await runImport(loaded.packs, c, {
      concurrency: request.target.concurrency,
      activate: request.target.activateOnImport,
      journal,
      ...(confirmed ? { confirmed } : {}),
      ...(request.signal ? { signal: request.signal } : {}),
      onEvent: emit,
      now,
    });
    const interrupted = report.interrupted || request.signal?.aborted === true;
    const result: ImportResult = {
      status: importStatus(report.resources, report.activations, interrupted),
      ...checked,
      import: importSection(report.resources),
      activations: report.activations,
      summary: {
        counts: counts(report.resources.map((r) => r.action)),
        skipped: checked.skipped.length,
        duration_ms: Date.now() - started,
        interrupted,
      },
      run_id: runId,
    };
    emit({ event: 'run_finished', at: at(), run_id: runId, status: result.status, summary: result.summary });
    return result;
  } finally {
    journal.close();
    await c.close();
  }
}

function importSection(resources: ResourceReport[]): ImportResult['import'] {
  return Object.fromEntries(
    resources.map((r) => [
      r.resource_id,
      {
        resource_type: r.resource_type,
        imported: IMPORTED.has(r.action),
        action: r.action,
        vault_id: r.vault_id,
        request_id: r.request_id,
        ...(r.error ? { error: r.error } : {}),
        ...(r.blocked_by ? { blocked_by: r.blocked_by } : {}),
      },
    ]),
  );
}

/** Reads --auth-token-file; `-` is standard input. */
export function readSecretFile(path: string): string {
  return readFileSync(path === '-' ? 0 : path, 'utf8');
}
