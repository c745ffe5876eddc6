/**
 * Loading: resource files under a pack root, indexed by id, and the per-resource analysis that
 * does not depend on which pack lists the resource: entry and payload schemas, `@{}` inlining
 * confined to the root, reference sites, and code checks. Each file is read and parsed once.
 */
import { realpathSync, readdirSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { EmbeddedText, FileText, LazyText, lineStarts, type LineColumn, type TextMap } from './text.js';
import { parseYaml, parseYamlFast, type PathSegment, type YamlDocument } from './yaml.js';
import { yamlText, type LazySite, type Site } from './sites.js';
import { findReferences, FILE_REFERENCE } from './references.js';
import { walkFiles } from './discover.js';
import { formatSize, readText, type ReadBudget, type ReadRefusal } from './limits.js';
import {
  isResourceType,
  payloadObject,
  resourceSpec,
  RESOURCE_TYPES,
  UNSUPPORTED_TYPES,
  type ResourceType,
} from '../resource/index.js';
import { checkSchema, type SchemaViolation } from '../schema/index.js';
import { withoutUnset } from '../schema/unset.js';
import { clip, severityOf, type Finding, type FindingCode } from '../findings.js';
import { nearest } from '../util/nearest.js';
import type { PythonParser } from '../code/python.js';
import { analyzeCode, isSemver, type CodeFacts } from '../code/contract.js';
import { codeFactsStore, type CodeFactsStore } from '../code/cache.js';
import { CodeFactsWorker } from '../code/facts-worker.js';
import { isRecord } from '../util/record.js';
import { renderedContractPath } from '../resource/rendered-path.js';
import { isDefinitionVersion } from '../resource/types/workflow-definition-version.js';
import { endsAfterStart } from '../resource/types/calendar-event.js';

export interface ResourceDefinition {
  id: string;
  entry: Record<string, unknown>;
  /** Absolute path of the resource file. */
  file: string;
  doc: YamlDocument;
  /** Index of the document in the file. */
  docIndex: number;
  /** Path of the entry inside its document: [] or ['resources', i]. */
  path: PathSegment[];
}

export interface RootInfo {
  root: string;
  realRoot: string;
}

/** Where a definition stands: plain data, so it can cross a worker boundary. */
export interface DefinitionSite {
  id: string;
  /** Absolute path of the resource file. */
  file: string;
  /** Display path of the resource file. */
  shown: string;
  doc: number;
  /** Path of the entry in its document. */
  at: PathSegment[];
  idKey: 'id' | 'vault_id';
}

/** The lazy site of a definition's entry, or of a key inside it. */
export function definitionSite(def: DefinitionSite, inner: PathSegment[] = []): LazySite {
  return {
    path: def.file,
    shown: def.shown,
    doc: def.doc,
    at: [...def.at, ...inner],
    payload: null,
    key: false,
    offset: null,
  };
}

/** What one resource file yields: plain data (no YAML nodes), so workers can produce it. */
export interface FileAnalysis {
  file: string;
  findings: Finding[];
  definitions: DefinitionSite[];
  /** Analyses of the definitions whose id is listed by some pack on the root, in file order. */
  analyses: ResourceAnalysis[];
}

export interface ReferenceSite {
  id: string;
  field: string | null;
  site: Site;
}

export interface ResourceAnalysis {
  id: string;
  type: string;
  /** A type Strata imports (known, supported). */
  importable: boolean;
  /** Why import and convert skip it: set for the types CLU knows and Strata does not import. */
  skipReason: string | null;
  definition: DefinitionSite;
  findings: Finding[];
  /** Payload with `@{}` files inlined; references still unresolved. Undefined when it did not parse. */
  payload: unknown;
  references: ReferenceSite[];
  isInternal: boolean;
  activate: boolean;
  /** What activation acts on: the product id of a product version, the workflow definition id of a workflow version. */
  activationTarget: string | null;
  /** A product version's version number, from its code's `version = "x.y.z"`. */
  codeVersion: string | null;
  onConflict: 'IGNORE' | 'UPDATE' | 'SKIP';
  vaultId: string | null;
}

export interface LoadContext {
  display(absolute: string): string;
  /** The parser, when code is analysed on this thread. */
  python: PythonParser | null;
  /** The worker that analyses code instead, for large inputs. */
  factsWorker: CodeFactsWorker | null;
  /** Keep resolved payloads in the analyses (import and convert need them; validate does not). */
  payloads: boolean;
  /** Real paths already resolved, by absolute path. */
  realpaths: Map<string, string | null>;
  /** Absolute targets of `@{}` paths, by resource directory and relative path. */
  targets: Map<string, string>;
  /** Inlined files by real path: one read per file however many resources use it. */
  files: Map<string, FileText | ReadRefusal>;
  /** What may be read: regular files, each and all together within the limits. */
  budget: ReadBudget;
  /** Set once the Python parser has failed for lack of memory: it cannot be used again. */
  parserFailure: string | null;
  /** Code analysis by code text: files with the same content are parsed once. */
  code: Map<string, CodeFacts>;
  /** Code facts kept across runs, or null. */
  codeCache: CodeFactsStore | null;
}

export function newLoadContext(
  display: (a: string) => string,
  python: PythonParser | CodeFactsWorker,
  payloads: boolean,
  budget: ReadBudget,
): LoadContext {
  return {
    display,
    budget,
    parserFailure: null,
    python: python instanceof CodeFactsWorker ? null : python,
    factsWorker: python instanceof CodeFactsWorker ? python : null,
    payloads,
    realpaths: new Map(),
    targets: new Map(),
    files: new Map(),
    code: new Map(),
    codeCache: codeFactsStore(),
  };
}

function cachedRealpath(path: string, ctx: LoadContext): string | null {
  let real = ctx.realpaths.get(path);
  if (real === undefined) {
    try {
      real = realpathSync(path);
    } catch {
      real = null;
    }
    ctx.realpaths.set(path, real);
  }
  return real;
}

export function rootInfo(root: string): RootInfo {
  let realRoot = root;
  try {
    realRoot = realpathSync(root);
  } catch {
    /* a missing root is reported by discovery */
  }
  return { root, realRoot };
}

/** Resource files below a root, in walk order. */
export function resourceFiles(root: string): string[] {
  return walkFiles(root).filter((f) => isResourceFileName(basename(f)));
}

export function makeFinding(
  code: FindingCode,
  file: string,
  pos: LineColumn,
  message: string,
  extra: { hint?: string | undefined; resourceId?: string | undefined } = {},
): Finding {
  const f: Finding = { code, severity: severityOf(code), message, file, line: pos.line, column: pos.column };
  if (extra.hint !== undefined) f.hint = extra.hint;
  if (extra.resourceId !== undefined) f.resourceId = extra.resourceId;
  return f;
}

/**
 * The finding for a file that was not read (or not parsed): `subject` names it as the message
 * should ("x.resource.yaml", "file contract.py"), `unreadable` prefixes an I/O error's message.
 */
export function refusalFinding(
  refusal: ReadRefusal,
  at: { file: string } & LineColumn,
  subject: string,
  unreadable: string,
  resourceId?: string,
): Finding {
  const extra = (hint: string | undefined) => ({ hint, resourceId });
  switch (refusal.kind) {
    case 'not-regular':
      return makeFinding(
        'E_FILE_NOT_REGULAR',
        at.file,
        at,
        `${subject} is ${refusal.what}, not a regular file; it was not read`,
        extra('packs hold regular files only (reading a pipe or a device could block forever)'),
      );
    case 'too-large':
      return makeFinding(
        'E_FILE_TOO_LARGE',
        at.file,
        at,
        `${subject} is ${formatSize(refusal.size)}, over the limit of ${formatSize(refusal.limit)} for one file; it was not read`,
        extra(`if it is meant to be this large, raise the limit: --max-file-size ${sizeFlag(refusal.size)}`),
      );
    case 'over-total':
      return makeFinding(
        'E_INPUT_TOO_LARGE',
        at.file,
        at,
        `${subject} (${formatSize(refusal.size)}) would take the files read past the limit of ${formatSize(refusal.limit)} for the whole run; it was not read`,
        extra(
          `if the input is meant to be this large, raise the limit: --max-total-size ${sizeFlag(refusal.limit * 2)}`,
        ),
      );
    case 'binary':
      return makeFinding(
        'E_FILE_BINARY',
        at.file,
        at,
        `${subject} holds binary data (a NUL byte on line ${refusal.line}), not text; it was not parsed`,
        extra('packs hold YAML and Python text: check the file is the one you meant'),
      );
    case 'unreadable':
      return makeFinding('E_FILE_READ', at.file, at, `${unreadable}${refusal.message}`, extra(undefined));
  }
}

/** A --max-...-size value comfortably above `bytes`, in MiB. */
function sizeFlag(bytes: number): string {
  return `${Math.ceil((bytes * 1.25) / (1024 * 1024))}MiB`;
}

export function isResourceFileName(name: string): boolean {
  return name.endsWith('.resource.yaml') || name.endsWith('.resources.yaml');
}

function violationFindings(
  violations: SchemaViolation[],
  file: string,
  locate: (path: PathSegment[], key: boolean) => LineColumn,
  resourceId?: string,
  source?: (path: PathSegment[]) => string | undefined,
): Finding[] {
  return violations.map((v) => {
    // "Quote it" shows the value as written: 1.10 parsed as a number would print as 1.1.
    const raw = v.quote && source ? source(v.path) : undefined;
    const hint = raw !== undefined ? `quote the value: "${clip(raw.trim())}"` : v.hint;
    return makeFinding(v.code, file, locate(v.path, v.atKey), v.message, { hint, resourceId });
  });
}

/**
 * Parses one resource file and analyses every definition in it whose id is in `listed`.
 * Definitions of other ids are only indexed (for duplicate checks), never validated.
 */
export function analyzeResourceFile(
  file: string,
  root: RootInfo,
  listed: ReadonlySet<string>,
  ctx: LoadContext,
): FileAnalysis {
  const out: FileAnalysis = { file, findings: [], definitions: [], analyses: [] };
  const findings = out.findings;
  const shown = ctx.display(file);
  const read = readText(file, ctx.budget.limits, ctx.budget);
  if ('refused' in read) {
    findings.push(refusalFinding(read.refused, { file: shown, line: 1, column: 1 }, shown, 'cannot read: '));
    return out;
  }
  const map = new FileText(shown, yamlText(read.text));
  const parsed = parseYamlFast(map);
  for (const p of parsed.problems) {
    findings.push(makeFinding(p.code, shown, map.position(p.offset), p.message, { hint: p.hint }));
  }
  const many = basename(file).endsWith('.resources.yaml');
  for (const [docIndex, doc] of parsed.documents.entries()) {
    const add = (entry: unknown, path: PathSegment[]): void => {
      if (!isRecord(entry)) {
        findings.push(
          makeFinding('E_SCHEMA_TYPE', shown, doc.locate(path), 'a resource entry must be a mapping', {
            hint: 'give it type, id and payload keys',
          }),
        );
        return;
      }
      const idKey =
        typeof entry.id === 'string' ? 'id' : typeof entry.vault_id === 'string' ? 'vault_id' : null;
      if (idKey === null) {
        findings.push(
          makeFinding(
            'E_SCHEMA_REQUIRED',
            shown,
            doc.locate(path),
            'resource entry has neither "id" nor "vault_id"',
            {
              hint: 'add an id: the manifest lists resources by it',
            },
          ),
        );
        return;
      }
      const id = entry[idKey] as string;
      const site: DefinitionSite = { id, file, shown, doc: docIndex, at: path, idKey };
      out.definitions.push(site);
      if (listed.has(id))
        out.analyses.push(analyzeResource({ id, entry, file, doc, docIndex, path }, site, root, ctx));
    };
    if (many) {
      const violations = checkSchema('resources-file', doc.value).filter((v) => v.path.length <= 1);
      if (!isRecord(doc.value) || !Array.isArray(doc.value.resources)) {
        findings.push(...violationFindings(violations, shown, (p, k) => doc.locate(p, k)));
        continue;
      }
      for (const v of violations.filter((x) => x.path[0] !== 'resources')) {
        findings.push(makeFinding(v.code, shown, doc.locate(v.path, v.atKey), v.message, { hint: v.hint }));
      }
      doc.value.resources.forEach((entry, i) => add(entry, ['resources', i]));
    } else {
      add(doc.value, []);
    }
  }
  return out;
}

interface PayloadView {
  file: string;
  locate(path: PathSegment[], key?: boolean): LineColumn;
  stringMap(path: PathSegment[], key?: boolean): TextMap | undefined;
  source(path: PathSegment[]): string | undefined;
  /** The lazy site of a string (or key) at `path`, `offset` characters in. */
  site(path: PathSegment[], key: boolean, offset: number): LazySite;
}

/**
 * The entry schema's violations, less what is reported below with better positions and hints: it
 * also checks a payload written as a mapping against its type's schema and the type name against
 * the known types (for editors), which the payload's own check and E_TYPE_UNKNOWN report here.
 */
function entryViolations(entry: Record<string, unknown>): SchemaViolation[] {
  return checkSchema('resource', entry).filter(
    (v) =>
      !(v.path[0] === 'payload' && v.path.length > 1) &&
      !(v.path.length === 1 && v.path[0] === 'type' && v.code === 'E_SCHEMA_ENUM'),
  );
}

/** Analyses one definition. Pure apart from reading the files it inlines (cached in ctx). */
export function analyzeResource(
  def: ResourceDefinition,
  site: DefinitionSite,
  index: RootInfo,
  ctx: LoadContext,
): ResourceAnalysis {
  const shown = ctx.display(def.file);
  const findings: Finding[] = [];
  const id = def.id;
  const entry = def.entry;
  const entryLocate = (p: PathSegment[], key = false) => def.doc.locate([...def.path, ...p], key);
  const type = typeof entry.type === 'string' ? entry.type : '';
  const result: ResourceAnalysis = {
    id,
    type,
    importable: false,
    skipReason: null,
    definition: site,
    findings,
    payload: undefined,
    references: [],
    isInternal: false,
    activate: entry.activate === true,
    activationTarget: null,
    codeVersion: null,
    onConflict: entry.on_conflict === 'UPDATE' || entry.on_conflict === 'SKIP' ? entry.on_conflict : 'IGNORE',
    vaultId: typeof entry.vault_id === 'string' ? entry.vault_id : null,
  };

  findings.push(...violationFindings(entryViolations(entry), shown, entryLocate, id));
  if (type === '') return result;
  if (!isResourceType(type)) {
    if (UNSUPPORTED_TYPES.has(type)) {
      result.skipReason = `${type} is a type CLU knows and strata does not import`;
      findings.push(
        makeFinding(
          'W_TYPE_UNSUPPORTED',
          shown,
          entryLocate(['type']),
          `type ${type} is known to CLU but not imported by strata`,
          {
            hint: 'import and convert skip it; remove it from the manifest to silence this warning',
            resourceId: id,
          },
        ),
      );
    } else {
      const near = nearest(type, [...RESOURCE_TYPES, ...UNSUPPORTED_TYPES]);
      findings.push(
        makeFinding('E_TYPE_UNKNOWN', shown, entryLocate(['type']), `unknown resource type "${clip(type)}"`, {
          hint: near ? `did you mean ${near}?` : `types: ${RESOURCE_TYPES.join(', ')}`,
          resourceId: id,
        }),
      );
    }
    return result;
  }
  result.importable = true;

  // The payload: a YAML block string (parsed here, positions mapped into the file) or a mapping.
  let payload: unknown;
  let view: PayloadView;
  const raw = entry.payload;
  const payloadPath = [...def.path, 'payload'];
  if (typeof raw === 'string') {
    // Positions inside the payload need the positioned parse of the file: only on demand.
    const map = new LazyText(
      shown,
      raw,
      () => def.doc.stringMap(payloadPath) ?? new EmbeddedText(def.doc.map, raw, () => 0),
    );
    const parsed = parseYamlFast(map);
    for (const p of parsed.problems) {
      findings.push(
        makeFinding(p.code, shown, map.position(p.offset), `payload: ${p.message}`, {
          hint: p.hint,
          resourceId: id,
        }),
      );
    }
    if (parsed.problems.length > 0) return result;
    if (parsed.documents.length !== 1) {
      findings.push(
        makeFinding(
          'E_SCHEMA',
          shown,
          entryLocate(['payload']),
          `payload must hold exactly one YAML document, found ${parsed.documents.length}`,
          {
            resourceId: id,
          },
        ),
      );
      return result;
    }
    const pdoc = parsed.documents[0] as YamlDocument;
    payload = pdoc.value;
    view = {
      file: shown,
      locate: (p, k) => pdoc.locate(p, k),
      stringMap: (p, k) => pdoc.stringMap(p, k),
      source: (p) => pdoc.source(p),
      site: (p, key, offset) => ({
        path: def.file,
        shown,
        doc: def.docIndex,
        at: payloadPath,
        payload: { at: [...p], key },
        key: false,
        offset,
      }),
    };
  } else if (isRecord(raw)) {
    payload = raw;
    view = {
      file: shown,
      locate: (p, k) => entryLocate(['payload', ...p], k),
      stringMap: (p, k) => def.doc.stringMap([...payloadPath, ...p], k),
      source: (p) => def.doc.source([...payloadPath, ...p]),
      site: (p, key, offset) => ({
        path: def.file,
        shown,
        doc: def.docIndex,
        at: [...payloadPath, ...p],
        payload: null,
        key,
        offset,
      }),
    };
  } else {
    return result; // the entry schema reported it
  }

  const schemaViolations = checkSchema(resourceSpec(type).schema, payload);
  findings.push(
    ...violationFindings(
      schemaViolations,
      shown,
      (p, k) => view.locate(p, k),
      id,
      (p) => view.source(p),
    ),
  );

  // Inline @{path} files, then scan every string (keys too) for references.
  const inlined = new Map<string, FileText>();
  const resolvedPayload = inline(payload, [], def, index, ctx, view, findings, inlined);
  // Null means unset: what import and convert send is the payload without its null fields.
  if (ctx.payloads) result.payload = withoutUnset(resolvedPayload);
  scanReferences(resolvedPayload, [], view, inlined, result);

  const body = isRecord(resolvedPayload) ? resolvedPayload : {};
  const inner = payloadObject(resourceSpec(type), body);
  result.isInternal = body.is_internal === true;
  const targetField = resourceSpec(type).activation?.targetField;
  const target = targetField === undefined ? undefined : inner[targetField];
  if (typeof target === 'string') result.activationTarget = target;
  checkType(type, inner, view, inlined, result, ctx);
  return result;
}

function pathKey(path: readonly PathSegment[]): string {
  return JSON.stringify(path);
}

/**
 * Replaces every `@{path}` string of the payload, in place, by the text of that file (the payload
 * is a fresh value built for this resource). `path` is a shared stack: copied only when kept.
 */
function inline(
  value: unknown,
  path: PathSegment[],
  def: ResourceDefinition,
  index: RootInfo,
  ctx: LoadContext,
  view: PayloadView,
  findings: Finding[],
  inlined: Map<string, FileText>,
): unknown {
  if (typeof value === 'string') {
    if (!value.startsWith('@{')) return value;
    const m = FILE_REFERENCE.exec(value);
    if (!m) return value;
    const rel = (m[1] as string).trim();
    const dir = dirname(def.file);
    const targetKey = `${dir}\u0000${rel}`;
    let target = ctx.targets.get(targetKey);
    if (target === undefined) ctx.targets.set(targetKey, (target = resolve(dir, rel)));
    const real = cachedRealpath(target, ctx);
    if (real === null) {
      let near: string | undefined;
      try {
        near = nearest(basename(target), readdirSync(dirname(target)));
      } catch {
        near = undefined;
      }
      findings.push(
        makeFinding(
          'E_FILE_MISSING',
          view.file,
          view.locate(path),
          `file ${rel} does not exist (looked for ${ctx.display(target)})`,
          {
            hint: near
              ? `did you mean @{${join(dirname(rel), near).split(sep).join('/')}}?`
              : 'paths in @{} are relative to the resource file',
            resourceId: def.id,
          },
        ),
      );
      return value;
    }
    if (real !== index.realRoot && !real.startsWith(index.realRoot + sep)) {
      findings.push(
        makeFinding(
          'E_FILE_OUTSIDE_ROOT',
          view.file,
          view.locate(path),
          `file ${rel} resolves to ${real}, outside the pack root ${ctx.display(index.root)}`,
          {
            hint: 'keep inlined files inside the pack root (symlinks are followed); copy the file into the pack',
            resourceId: def.id,
          },
        ),
      );
      return value;
    }
    let file = ctx.files.get(real);
    if (file === undefined) {
      const read = readText(real, ctx.budget.limits, ctx.budget);
      file = 'refused' in read ? read.refused : new FileText(ctx.display(target), read.text);
      ctx.files.set(real, file);
    }
    if (!(file instanceof FileText)) {
      const at = { file: view.file, ...view.locate(path) };
      findings.push(refusalFinding(file, at, `file ${rel}`, `cannot read ${rel}: `, def.id));
      return value;
    }
    inlined.set(pathKey(path), file);
    return file.text;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      path.push(i);
      value[i] = inline(value[i], path, def, index, ctx, view, findings, inlined);
      path.pop();
    }
  } else if (isRecord(value)) {
    for (const k of Object.keys(value)) {
      path.push(k);
      value[k] = inline(value[k], path, def, index, ctx, view, findings, inlined);
      path.pop();
    }
  }
  return value;
}

/**
 * Records the references in one string. `siteAt(offset)` gives the site of an offset in it:
 * exact and cheap for inlined files, lazy for YAML strings.
 */
function scanString(
  text: string,
  siteAt: (offset: number) => Site,
  resolve: (site: Site) => { file: string } & LineColumn,
  result: ResourceAnalysis,
): void {
  const { references, malformed } = findReferences(text);
  for (const r of references) result.references.push({ id: r.id, field: r.field, site: siteAt(r.offset) });
  for (const bad of malformed) {
    const at = resolve(siteAt(bad.offset));
    result.findings.push(
      makeFinding('E_REF_MALFORMED', at.file, at, `"${clip(bad.text, 40)}" is not a valid reference`, {
        hint: 'write &{id} or &{id:field}; ids use letters, digits, _ . and -, on one line',
        resourceId: result.id,
      }),
    );
  }
}

function scanReferences(
  value: unknown,
  path: PathSegment[],
  view: PayloadView,
  inlined: Map<string, FileText>,
  result: ResourceAnalysis,
): void {
  // Malformed references are rare: their sites resolve through the view, in this thread.
  const resolveIn = (p: PathSegment[], key: boolean) => (site: Site) => {
    if ('line' in site) return site;
    const map = view.stringMap(p, key);
    const pos = map && site.offset !== null ? map.position(site.offset) : view.locate(p, key);
    return { file: map?.file ?? view.file, ...pos };
  };
  if (typeof value === 'string') {
    if (!value.includes('&{')) return;
    const at = [...path];
    const file = inlined.size > 0 ? inlined.get(pathKey(at)) : undefined;
    if (file) {
      const fixed = (offset: number): Site => ({ file: file.file, ...file.position(offset) });
      scanString(value, fixed, (site) => site as { file: string } & LineColumn, result);
    } else {
      scanString(value, (offset) => view.site(at, false, offset), resolveIn(at, false), result);
    }
  } else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      path.push(i);
      scanReferences(value[i], path, view, inlined, result);
      path.pop();
    }
  } else if (isRecord(value)) {
    for (const k of Object.keys(value)) {
      path.push(k);
      if (k.includes('&{')) {
        const at = [...path];
        scanString(k, (offset) => view.site(at, true, offset), resolveIn(at, true), result);
      }
      scanReferences(value[k], path, view, inlined, result);
      path.pop();
    }
  }
}

/** Where (line, column) of a code text lies in the file: the inlined file itself, or the payload string. */
function codeSite(
  view: PayloadView,
  inlined: Map<string, FileText>,
  path: PathSegment[],
  code: string,
  line: number,
  column: number,
): { file: string } & LineColumn {
  const file = inlined.get(pathKey(path));
  if (file) return { file: file.file, line, column };
  const map = view.stringMap(path);
  if (!map) return { file: view.file, ...view.locate(path) };
  const starts = lineStarts(code);
  const offset = (starts[line - 1] ?? 0) + column - 1;
  return { file: map.file, ...map.position(offset) };
}

/**
 * Whether an analysis failure is the parser running out of memory (WebAssembly aborts when its
 * heap cannot grow; a worker thread dies when V8's does): huge input, not a bug.
 */
export function isParserOutOfMemory(err: unknown): boolean {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return /RuntimeError: Aborted|Cannot enlarge memory|out of memory|ERR_WORKER_OUT_OF_MEMORY/i.test(text);
}

/**
 * Hands the facts of `code` to `then`: at once when known (this run, or the cache across runs),
 * else after this thread or the facts worker has analysed it. When the parser runs out of memory,
 * `outOfMemory` is told instead; any other failure is a bug and is thrown.
 */
function withFacts(
  code: string,
  ctx: LoadContext,
  then: (facts: CodeFacts) => void,
  outOfMemory: (why: string) => void,
): void {
  const known = ctx.code.get(code) ?? ctx.codeCache?.get(code);
  if (known) {
    ctx.code.set(code, known);
    then(known);
    return;
  }
  const store = (facts: CodeFacts): void => {
    if (!ctx.code.has(code)) {
      ctx.code.set(code, facts);
      ctx.codeCache?.set(code, facts);
    }
    then(facts);
  };
  if (ctx.factsWorker) {
    // Other failures reach drain(), which throws them.
    ctx.factsWorker.request(code, store, (err) => {
      if (isParserOutOfMemory(err)) outOfMemory('the Python parser ran out of memory');
    });
    return;
  }
  if (!ctx.python) throw new Error('bug: no way to analyse code in this context');
  // An aborted WebAssembly instance stays aborted: later code is not analysed either.
  if (ctx.parserFailure !== null) {
    outOfMemory(`the Python parser ran out of memory earlier in this run (on ${ctx.parserFailure})`);
    return;
  }
  let facts: CodeFacts;
  try {
    facts = analyzeCode(ctx.python, code);
  } catch (err) {
    if (!isParserOutOfMemory(err)) throw err;
    outOfMemory('the Python parser ran out of memory');
    ctx.parserFailure = `code of ${formatSize(Buffer.byteLength(code))}`;
    return;
  }
  store(facts);
}

function checkCode(
  kind: 'contract' | 'supervisor' | 'module',
  inner: Record<string, unknown>,
  innerPath: PathSegment[],
  view: PayloadView,
  inlined: Map<string, FileText>,
  result: ResourceAnalysis,
  ctx: LoadContext,
  then?: (facts: CodeFacts) => void,
): void {
  const code = inner.code;
  if (typeof code !== 'string' || FILE_REFERENCE.test(code)) return;
  const tooLarge = (why: string): void => {
    const site = codeSite(view, inlined, [...innerPath, 'code'], code, 1, 1);
    const size = formatSize(Buffer.byteLength(code));
    result.findings.push(
      makeFinding('E_FILE_TOO_LARGE', site.file, site, `${kind} code (${size}) was not analysed: ${why}`, {
        hint: 'code this large is not a real contract; --max-file-size keeps such files from being read at all',
        resourceId: result.id,
      }),
    );
  };
  withFacts(
    code,
    ctx,
    (facts) => {
      reportCode(kind, code, innerPath, view, inlined, result, facts);
      then?.(facts);
    },
    tooLarge,
  );
}

function reportCode(
  kind: 'contract' | 'supervisor' | 'module',
  code: string,
  innerPath: PathSegment[],
  view: PayloadView,
  inlined: Map<string, FileText>,
  result: ResourceAnalysis,
  facts: CodeFacts,
): void {
  const path = [...innerPath, 'code'];
  const file = inlined.get(pathKey(path));
  const at = (line: number, column: number) => codeSite(view, inlined, path, code, line, column);
  const add = (code: FindingCode, site: { file: string } & LineColumn, message: string, hint?: string) =>
    result.findings.push(makeFinding(code, site.file, site, message, { hint, resourceId: result.id }));

  for (const e of facts.syntaxErrors) {
    add(
      'E_PY_SYNTAX',
      at(e.line, e.column),
      `Python syntax error: ${e.message}`,
      'fix the code; it must parse as Python 3',
    );
  }
  for (const imp of facts.featureImports) {
    const codeFile = file ? file.file : view.file;
    // Code in a file of its own renders to a file the payload can point at instead.
    const rendered = file ? renderedContractPath(file.file) : null;
    add(
      'E_UNRENDERED_TEMPLATE',
      at(imp.line, imp.column),
      `code imports feature module ${imp.value.module}: this is a contract template, not a rendered contract`,
      `run: strata render ${codeFile}${rendered !== null ? ` and point code at @{...${rendered.slice(rendered.lastIndexOf('/'))}}` : ''}`,
    );
  }
  if (kind !== 'module' && facts.syntaxErrors.length === 0) {
    const top = at(1, 1);
    if (facts.api === null) {
      add(
        'E_PY_METADATA',
        top,
        `${kind} code has no module-level api = "4.x.y"`,
        'add api = "4.0.0" at the top of the contract',
      );
    }
    if (facts.version === null) {
      add(
        'E_PY_METADATA',
        top,
        `${kind} code has no module-level version = "x.y.z"`,
        'add version = "1.0.0"; the server reads the version number from it',
      );
    } else if (!isSemver(facts.version.value)) {
      add(
        'E_PY_METADATA',
        at(facts.version.line, facts.version.column),
        `version "${clip(facts.version.value)}" is not a semantic version`,
        'write it as MAJOR.MINOR.PATCH, e.g. "1.4.0"',
      );
    }
  }
}

function checkType(
  type: ResourceType,
  inner: Record<string, unknown>,
  view: PayloadView,
  inlined: Map<string, FileText>,
  result: ResourceAnalysis,
  ctx: LoadContext,
): void {
  const key = resourceSpec(type).payloadKey;
  const add = (code: FindingCode, path: PathSegment[], message: string, hint?: string) =>
    result.findings.push(
      makeFinding(code, view.file, view.locate(path), message, { hint, resourceId: result.id }),
    );
  switch (type) {
    case 'SMART_CONTRACT_VERSION': {
      checkCode('contract', inner, [key], view, inlined, result, ctx, (facts) => {
        result.codeVersion = facts.version?.value ?? null;
        const declared = facts.declaredParameters;
        if (!declared || !Array.isArray(inner.params)) return;
        inner.params.forEach((p, i) => {
          if (!isRecord(p) || typeof p.name !== 'string' || declared.has(p.name)) return;
          const near = nearest(p.name, declared);
          add(
            'E_PARAM_UNDECLARED',
            [key, 'params', i, 'name'],
            `parameter "${clip(p.name)}" is not declared by the contract`,
            near
              ? `did you mean "${near}"?`
              : `declared parameters: ${[...declared].sort().join(', ') || 'none'}`,
          );
        });
      });
      break;
    }
    case 'SUPERVISOR_CONTRACT_VERSION':
      checkCode('supervisor', inner, [key], view, inlined, result, ctx);
      break;
    case 'CONTRACT_MODULE_VERSION':
      checkCode('module', inner, [key], view, inlined, result, ctx);
      break;
    case 'WORKFLOW_DEFINITION_VERSION': {
      const spec = inner.specification;
      if (typeof spec !== 'string' || FILE_REFERENCE.test(spec)) break;
      const path = [key, 'specification'];
      const file = inlined.get(pathKey(path));
      const map: TextMap | undefined = file ?? view.stringMap(path);
      if (!map) break;
      const parsed = parseYaml(map);
      const where = (offset: number) => (file ? file.position(offset) : map.position(offset));
      for (const p of parsed.problems) {
        result.findings.push(
          makeFinding(
            'E_WORKFLOW_SPEC',
            map.file,
            where(p.offset),
            `workflow specification does not parse: ${p.message}`,
            {
              resourceId: result.id,
            },
          ),
        );
      }
      if (parsed.problems.length > 0) break;
      const doc = parsed.documents[0];
      const dv = isRecord(doc?.value) ? doc.value.definition_version : undefined;
      if (!isDefinitionVersion(dv)) {
        const missing = dv === undefined || dv === null || dv === '';
        const pos = !doc ? { line: 1, column: 1 } : doc.locate(missing ? [] : ['definition_version']);
        const message = missing
          ? 'workflow specification has no definition_version'
          : `workflow specification's definition_version ${JSON.stringify(dv)} cannot be part of a workflow version id`;
        result.findings.push(
          makeFinding('E_WORKFLOW_SPEC', map.file, pos, message, {
            hint: 'write definition_version: 1.0.0 (letters, digits, _ . : -); the workflow version id is <definition_version>,<workflow_definition_id>',
            resourceId: result.id,
          }),
        );
      }
      break;
    }
    case 'INTERNAL_ACCOUNT': {
      const vaultId = result.vaultId;
      if (
        vaultId !== null &&
        typeof inner.id === 'string' &&
        inner.id !== vaultId &&
        !inner.id.includes('&{')
      ) {
        result.findings.push(
          makeFinding(
            'W_VAULT_ID_DIFFERS',
            view.file,
            view.locate([key, 'id']),
            `vault_id "${clip(vaultId)}" differs from internal_account.id "${clip(inner.id)}"`,
            {
              hint: 'the server knows the account by internal_account.id; make them equal unless you mean it',
              resourceId: result.id,
            },
          ),
        );
      }
      break;
    }
    case 'CALENDAR_EVENT': {
      if (endsAfterStart(inner) === false) {
        add(
          'E_TIME_RANGE',
          [key, 'end_timestamp'],
          `end_timestamp ${String(inner.end_timestamp)} is not after start_timestamp ${String(inner.start_timestamp)}`,
          'the end is exclusive: it must be later than the start',
        );
      }
      break;
    }
    default:
      break;
  }
}
