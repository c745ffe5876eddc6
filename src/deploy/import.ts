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
import { resourceValidations, type ResourceValidation } from '../validate/validate.js';
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
  signal?: AbortSignal;
  onEvent?: (e: DeployEvent) => void;
  /** Told the target and the token's identity once the server accepted it, before any write. */
  onConnected?: (connection: Connection) => void;
  /** Told every validation finding (the result keeps only those about resources). */
  onFindings?: (findings: readonly Finding[]) => void;
  now?: () => Date;
}

type ValidateSection = Record<string, ResourceValidation>;

export interface ImportResult {
  status: 'SUCCESS' | 'PARTIAL SUCCESS' | 'FAILURE';
  validate: ValidateSection;
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
  summary: { counts: Record<string, number>; duration_ms: number; interrupted: boolean };
  run_id: string | null;
}

export interface PlanResult {
  status: 'NO CHANGES' | 'CHANGES' | 'INVALID';
  validate: ValidateSection;
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
  summary: { counts: Record<string, number>; duration_ms: number };
}

const IMPORTED = new Set(['created', 'updated', 'unchanged', 'skipped']);

function validateSection(loaded: Awaited<ReturnType<typeof loadPacks>>): ValidateSection {
  // fromEntries, not assign: an id like "__proto__" must stay a plain key.
  return Object.fromEntries(loaded.packs.flatMap((pack) => Object.entries(resourceValidations(pack))));
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
  const loaded = await loadPacks(request.paths, { cwd: request.cwd, payloads: true });
  request.onFindings?.(loaded.findings);
  try {
    const validate = validateSection(loaded);
    if (loaded.packs.length === 0 || loaded.findings.some((f) => f.severity === 'error')) {
      return {
        status: 'INVALID',
        validate,
        plan: {},
        activations: [],
        summary: { counts: {}, duration_ms: Date.now() - started },
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
        validate,
        plan,
        activations: report.activations,
        summary: { counts: counts(report.resources.map((r) => r.action)), duration_ms: Date.now() - started },
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
  const now = request.now ?? (() => new Date());
  const loaded = await loadPacks(request.paths, { cwd: request.cwd, payloads: true });
  request.onFindings?.(loaded.findings);
  try {
    const validate = validateSection(loaded);
    if (loaded.packs.length === 0 || loaded.findings.some((f) => f.severity === 'error')) {
      return {
        status: 'FAILURE',
        validate,
        import: {},
        activations: [],
        summary: { counts: {}, duration_ms: Date.now() - started, interrupted: false },
        run_id: null,
      };
    }
    const c = client(request.target);
    const runs = request.journalDir ?? runsDirectory(request.dataDir);
    let runId = newRunId(now());
    let confirmed: Map<string, JournalEntry> | undefined;
    if (request.resume !== undefined) {
      const resumed = request.resume === true ? Journal.latest(runs) : request.resume;
      if (resumed === undefined)
        throw new StrataError(
          'E_RESUME',
          `no run to resume in ${runs}`,
          'run an import first, or name the run: --resume RUN_ID',
        );
      runId = resumed;
      confirmed = new Map(
        Journal.read(runs, resumed)
          .filter((e) => e.action !== 'activated')
          .map((e) => [e.resource_id, e]),
      );
    }
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
      const report = await runImport(loaded.packs, c, {
        concurrency: request.target.concurrency,
        activate: request.target.activateOnImport,
        journal,
        ...(confirmed ? { confirmed } : {}),
        ...(request.signal ? { signal: request.signal } : {}),
        ...(request.onEvent ? { onEvent: request.onEvent } : {}),
        now,
      });
      const importSection: ImportResult['import'] = Object.fromEntries(
        report.resources.map((r) => [
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
      const ok = report.resources.filter((r) => IMPORTED.has(r.action)).length;
      const activationFailed = report.activations.some((a) => a.action === 'failed');
      const status: ImportResult['status'] =
        ok === report.resources.length && !report.interrupted && !activationFailed
          ? 'SUCCESS'
          : ok === 0 && report.resources.length > 0
            ? 'FAILURE'
            : 'PARTIAL SUCCESS';
      return {
        status,
        validate,
        import: importSection,
        activations: report.activations,
        summary: {
          counts: counts(report.resources.map((r) => r.action)),
          duration_ms: Date.now() - started,
          interrupted: report.interrupted || request.signal?.aborted === true,
        },
        run_id: runId,
      };
    } finally {
      journal.close();
      await c.close();
    }
  } finally {
    await loaded.cleanup();
  }
}

/** Reads --auth-token-file; `-` is standard input. */
export function readSecretFile(path: string): string {
  return readFileSync(path === '-' ? 0 : path, 'utf8');
}
