/**
 * The `validate` service: loads packs and shapes the result (schemas/validate-result.schema.json).
 * It never prints; the command renders the result.
 */
import { loadPacks, type LoadedPack } from './packs.js';
import type { Plan } from '../pack/analyze.js';
import type { ReadLimits } from '../pack/limits.js';
import { fails, type Finding, type Severity } from '../findings.js';

export interface FindingJson {
  code: string;
  severity: Severity;
  message: string;
  file: string;
  line: number;
  column: number;
  hint?: string;
  resource_id?: string;
}

export interface ValidateResult {
  status: 'VALID' | 'INVALID';
  /**
   * CLU's key: every resource of every pack by id, `{resource_type, valid, findings}` (an id listed
   * by two packs is valid only when both say so, with the findings of both).
   */
  validate: Record<string, ResourceValidation>;
  packs: Array<{
    pack_name: string | null;
    pack_version: string | null;
    manifest: string;
    root: string;
    bundle: string | null;
    valid: boolean;
    import_order: string[];
    resources: Record<string, ResourceValidation>;
    /** Listed resources import and convert skip (known but unsupported types), with the reason. */
    skipped: SkippedJson[];
  }>;
  findings: FindingJson[];
  /** Ids no manifest lists or references, defined more than once (one note per root counts them). */
  unlisted_duplicates: Array<{
    id: string;
    root: string;
    definitions: Array<{ file: string; line: number; column: number }>;
  }>;
  summary: {
    packs: number;
    resources: number;
    /** Resources import and convert would skip (known but unsupported types). */
    skipped: number;
    errors: number;
    warnings: number;
    duration_ms: number;
  };
}

export interface SkippedJson {
  resource_id: string;
  resource_type: string;
  reason: string;
  file: string;
  line: number;
  column: number;
}

export function skippedJson(pack: LoadedPack): SkippedJson[] {
  return pack.skipped.map((s) => ({
    resource_id: s.id,
    resource_type: s.type,
    reason: s.reason,
    file: s.site.file,
    line: s.site.line,
    column: s.site.column,
  }));
}

export interface ValidateOptions {
  cwd: string;
  /** Warnings count as errors. */
  strict?: boolean;
  now?: () => number;
  /** Worker threads (0 = none); default by input size. */
  workers?: number;
  /** Bounds on what is read (default DEFAULT_LIMITS). */
  limits?: ReadLimits;
  /** Told how the analysis was spread over threads (for --verbose). */
  onThreads?: (threads: Plan) => void;
}

export function findingJson(f: Finding): FindingJson {
  const out: FindingJson = {
    code: f.code,
    severity: f.severity,
    message: f.message,
    file: f.file,
    line: f.line,
    column: f.column,
  };
  if (f.hint !== undefined) out.hint = f.hint;
  if (f.resourceId !== undefined) out.resource_id = f.resourceId;
  return out;
}

export interface ResourceValidation {
  resource_type: string;
  valid: boolean;
  findings: FindingJson[];
}

/** The packs' resources merged by id (CLU's `validate` map). */
export function validateMap(
  packs: ReadonlyArray<{ resources: Record<string, ResourceValidation> }>,
): Record<string, ResourceValidation> {
  const merged = new Map<string, ResourceValidation>();
  for (const p of packs) {
    for (const [id, r] of Object.entries(p.resources)) {
      const seen = merged.get(id);
      if (seen === undefined) merged.set(id, r);
      else {
        const known = new Set(seen.findings.map((f) => JSON.stringify(f)));
        merged.set(id, {
          resource_type: seen.resource_type,
          valid: seen.valid && r.valid,
          findings: [...seen.findings, ...r.findings.filter((f) => !known.has(JSON.stringify(f)))],
        });
      }
    }
  }
  // fromEntries defines own properties, so an id like "__proto__" stays a plain key.
  return Object.fromEntries(merged);
}

/**
 * Each resource of a pack with its findings (its own and the pack's about it), in import order:
 * the `resources` of the validate result and the `validate` section of plan and import.
 */
export function resourceValidations(pack: LoadedPack, strict = false): Record<string, ResourceValidation> {
  const byResource = new Map<string, Finding[]>();
  for (const f of pack.findings) {
    if (f.resourceId === undefined) continue;
    const list = byResource.get(f.resourceId);
    if (list) list.push(f);
    else byResource.set(f.resourceId, [f]);
  }
  const order = [...pack.order, ...[...pack.resources.keys()].filter((id) => !pack.graph.nodes.has(id))];
  const entries: Array<[string, ResourceValidation]> = [];
  for (const id of order) {
    const r = pack.resources.get(id);
    if (!r) continue;
    const findings = [...r.findings, ...(byResource.get(id) ?? [])].map(findingJson);
    entries.push([id, { resource_type: r.type, valid: !findings.some((f) => fails(f, strict)), findings }]);
  }
  // fromEntries defines own properties, so an id like "__proto__" stays a plain key.
  return Object.fromEntries(entries);
}

export async function validatePaths(
  paths: readonly string[],
  options: ValidateOptions,
): Promise<ValidateResult> {
  const now = options.now ?? (() => performance.now());
  const started = now();
  const strict = options.strict ?? false;
  const loaded = await loadPacks(paths, {
    cwd: options.cwd,
    ...(options.workers !== undefined ? { workers: options.workers } : {}),
    ...(options.limits !== undefined ? { limits: options.limits } : {}),
  });
  options.onThreads?.(loaded.threads);
  try {
    const packs: ValidateResult['packs'] = loaded.packs.map((pack) => {
      const resources = resourceValidations(pack, strict);
      const own = new Set<Finding>(pack.findings);
      for (const r of pack.resources.values()) for (const f of r.findings) own.add(f);
      const manifestFindings = loaded.findings.filter((f) => f.file === pack.manifestFile || own.has(f));
      return {
        pack_name: pack.name,
        pack_version: pack.version,
        manifest: pack.manifestFile,
        root: loaded.display(pack.source.root),
        bundle: pack.source.bundle,
        valid: !manifestFindings.some((f) => fails(f, strict)),
        import_order: pack.order,
        resources,
        skipped: skippedJson(pack),
      };
    });
    const errors = loaded.findings.filter((f) => f.severity === 'error').length;
    const warnings = loaded.findings.filter((f) => f.severity === 'warning').length;
    const invalid = loaded.findings.some((f) => fails(f, strict)) || loaded.packs.length === 0;
    return {
      status: invalid ? 'INVALID' : 'VALID',
      validate: validateMap(packs),
      packs,
      findings: loaded.findings.map(findingJson),
      unlisted_duplicates: loaded.unlistedDuplicates.map((d) => ({
        id: d.id,
        root: d.root,
        definitions: d.definitions.map(({ file, line, column }) => ({ file, line, column })),
      })),
      summary: {
        packs: loaded.packs.length,
        resources: packs.reduce((n, p) => n + Object.keys(p.resources).length, 0),
        skipped: packs.reduce((n, p) => n + p.skipped.length, 0),
        errors,
        warnings,
        duration_ms: Math.max(0, Math.round(now() - started)),
      },
    };
  } finally {
    await loaded.cleanup();
  }
}
