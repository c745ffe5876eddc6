/**
 * Pack-level loading: manifests, listed ids against the root's definitions, references against
 * the pack's listing (and the bundle's other packs), the reference graph and the import order.
 * `loadPacks` is what validate, graph, plan, import and convert all start from.
 */
import { discoverPacks, type PackSource } from '../pack/discover.js';
import { FileText, type LineColumn } from '../pack/text.js';
import { parseYamlFast, type YamlDocument } from '../pack/yaml.js';
import { Locator, yamlText, type FixedSite, type Site } from '../pack/sites.js';
import { DEFAULT_LIMITS, ReadBudget, readText, type ReadLimits } from '../pack/limits.js';
import {
  definitionSite,
  makeFinding,
  refusalFinding,
  resourceFiles,
  rootInfo,
  type DefinitionSite,
  type ResourceAnalysis,
} from '../pack/load.js';
import { startAnalyzer, type FileJob, type Plan } from '../pack/analyze.js';
import { isResourceType, resourceSpec, typePriority } from '../resource/index.js';
import { buildGraph, findCycles, importOrder, type Graph, type GraphEdge } from '../graph/graph.js';
import { checkSchema } from '../schema/index.js';
import { clip, type Finding } from '../findings.js';
import { nearest } from '../util/nearest.js';
import { isRecord } from '../util/record.js';

export interface LoadedPack {
  source: PackSource;
  manifestFile: string;
  name: string | null;
  version: string | null;
  /** Listed ids in manifest order (trimmed, first listing kept). */
  listed: string[];
  /** Analyses of listed, defined resources. */
  resources: Map<string, ResourceAnalysis>;
  graph: Graph<Site>;
  /** Line and column of a site (reference sites resolve lazily). */
  locate(site: Site): FixedSite;
  order: string[];
  /** Listed resources import and convert leave out (known but unsupported types), in listing order. */
  skipped: SkippedResource[];
  findings: Finding[];
}

export interface SkippedResource {
  id: string;
  type: string;
  reason: string;
  /** Where it is defined. */
  site: FixedSite;
}

/** An id that no manifest on its root lists or references, defined more than once there. */
export interface UnlistedDuplicate {
  id: string;
  /** Display path of the pack root. */
  root: string;
  /** Every definition, in walk order. */
  definitions: FixedSite[];
}

export interface LoadedPacks {
  packs: LoadedPack[];
  /** Harmless duplicates, counted by one `W_DUPLICATE_UNLISTED` note per root. */
  unlistedDuplicates: UnlistedDuplicate[];
  /** Every finding, deduplicated and sorted by file, line, column. */
  findings: Finding[];
  display(absolute: string): string;
  /** How the analysis was spread over threads. */
  threads: Plan;
}

/** A reference as written, without the `&{}`. */
function text(ref: { id: string; field: string | null }): string {
  return ref.field === null ? ref.id : `${ref.id}:${ref.field}`;
}

interface Manifest {
  name: string | null;
  version: string | null;
  /** Listed ids; `pos()` resolves the listing's position (only findings need it). */
  listed: Array<{ id: string; pos: () => LineColumn }>;
}

function readManifest(file: string, shown: string, budget: ReadBudget, findings: Finding[]): Manifest {
  const empty: Manifest = { name: null, version: null, listed: [] };
  const read = readText(file, budget.limits, budget);
  if ('refused' in read) {
    findings.push(
      refusalFinding(read.refused, { file: shown, line: 1, column: 1 }, shown, 'cannot read manifest: '),
    );
    return empty;
  }
  const map = new FileText(shown, yamlText(read.text));
  const parsed = parseYamlFast(map);
  for (const p of parsed.problems)
    findings.push(makeFinding(p.code, shown, map.position(p.offset), p.message, { hint: p.hint }));
  if (parsed.problems.length > 0) return empty;
  if (parsed.documents.length !== 1) {
    findings.push(
      makeFinding(
        'E_SCHEMA',
        shown,
        { line: 1, column: 1 },
        `a manifest holds exactly one YAML document, found ${parsed.documents.length}`,
        {
          hint: 'keys: pack_version, pack_name, resource_ids',
        },
      ),
    );
    return empty;
  }
  const doc = parsed.documents[0] as YamlDocument;
  for (const v of checkSchema('manifest', doc.value)) {
    findings.push(
      makeFinding(v.code, shown, doc.locate(v.path, v.atKey), `manifest: ${v.message}`, { hint: v.hint }),
    );
  }
  const value = isRecord(doc.value) ? doc.value : {};
  const ids = Array.isArray(value.resource_ids) ? value.resource_ids : [];
  const listed: Manifest['listed'] = [];
  const seen = new Map<string, () => LineColumn>();
  ids.forEach((raw, i) => {
    if (typeof raw !== 'string') return;
    const id = raw.trim(); // real manifests carry trailing spaces
    const pos = () => doc.locate(['resource_ids', i]);
    const first = seen.get(id);
    if (first) {
      findings.push(
        makeFinding(
          'W_ID_LISTED_TWICE',
          shown,
          pos(),
          `"${clip(id)}" is listed twice (first at line ${first().line})`,
          {
            hint: 'remove the second listing',
          },
        ),
      );
      return;
    }
    seen.set(id, pos);
    listed.push({ id, pos });
  });
  return {
    name: typeof value.pack_name === 'string' ? value.pack_name : null,
    version: typeof value.pack_version === 'string' ? value.pack_version : null,
    listed,
  };
}

interface RootIndex {
  root: string;
  /** Definitions by id, in walk order. */
  definitions: Map<string, DefinitionSite[]>;
  /** The analysis of the first definition of each listed id. */
  analyses: Map<string, ResourceAnalysis>;
}

export interface LoadOptions {
  cwd: string;
  /** Keep resolved payloads (import, convert). */
  payloads?: boolean;
  /** Worker threads for analysis (0 = none); default by input size. */
  workers?: number;
  /** Bounds on what is read (default DEFAULT_LIMITS). */
  limits?: ReadLimits;
}

export async function loadPacks(
  paths: readonly string[],
  options: LoadOptions,
): Promise<LoadedPacks & { cleanup(): Promise<void> }> {
  const limits = options.limits ?? DEFAULT_LIMITS;
  const budget = new ReadBudget(limits);
  const discovery = await discoverPacks(paths, options.cwd, limits);
  const all: Finding[] = [...discovery.findings];
  const locator = new Locator(limits);
  const at = (site: Site): FixedSite => locator.resolve(site);
  const where = (def: DefinitionSite): string => `${def.shown}:${at(definitionSite(def)).line}`;
  const filesByRoot = new Map<string, string[]>();
  for (const source of discovery.packs) {
    if (!filesByRoot.has(source.root)) filesByRoot.set(source.root, resourceFiles(source.root));
  }
  const analyzer = startAnalyzer([...filesByRoot.values()].flat(), {
    display: discovery.displayMap,
    payloads: options.payloads ?? false,
    budget,
    ...(options.workers !== undefined ? { workers: options.workers } : {}),
  });

  const manifests = new Map<PackSource, Manifest>();
  for (const source of discovery.packs) {
    manifests.set(source, readManifest(source.manifest, discovery.display(source.manifest), budget, all));
  }
  // Which pack of a bundle lists which id, for cross-pack and uniqueness checks.
  const bundleListing = new Map<string, Map<string, PackSource>>();
  for (const source of discovery.packs) {
    if (source.bundle === null) continue;
    let listing = bundleListing.get(source.bundle);
    if (!listing) bundleListing.set(source.bundle, (listing = new Map()));
    const m = manifests.get(source) as Manifest;
    for (const { id, pos } of m.listed) {
      const other = listing.get(id);
      if (other && other !== source) {
        all.push(
          makeFinding(
            'E_BUNDLE_DUPLICATE_ID',
            discovery.display(source.manifest),
            pos(),
            `"${clip(id)}" is also listed by ${discovery.display(other.manifest)}; ids must be unique across the bundle`,
            {
              hint: 'rename one of them, or keep the resource in one pack only',
            },
          ),
        );
      } else {
        listing.set(id, source);
      }
    }
  }
  // Ids listed by any pack sharing a root, so unlisted duplicates are judged per root.
  const listedOnRoot = new Map<string, Set<string>>();
  for (const source of discovery.packs) {
    let set = listedOnRoot.get(source.root);
    if (!set) listedOnRoot.set(source.root, (set = new Set()));
    for (const { id } of (manifests.get(source) as Manifest).listed) set.add(id);
  }

  const jobs: FileJob[] = [];
  for (const [root, listed] of listedOnRoot) {
    const info = rootInfo(root);
    const ids = [...listed];
    for (const file of filesByRoot.get(root) ?? []) jobs.push({ file, root: info, listed: ids });
  }
  const results = await analyzer.analyze(jobs);
  const roots = new Map<string, RootIndex>();
  results.forEach((result, i) => {
    const root = (jobs[i] as FileJob).root.root;
    let index = roots.get(root);
    if (!index) roots.set(root, (index = { root, definitions: new Map(), analyses: new Map() }));
    all.push(...result.findings);
    for (const d of result.definitions) {
      const list = index.definitions.get(d.id);
      if (list) list.push(d);
      else index.definitions.set(d.id, [d]);
    }
    for (const a of result.analyses) {
      if (index.analyses.has(a.id)) continue;
      index.analyses.set(a.id, a);
      all.push(...a.findings);
    }
  });

  const packs: LoadedPack[] = [];
  const referencedOnRoot = new Map<string, Set<string>>();
  for (const source of discovery.packs) {
    const manifest = manifests.get(source) as Manifest;
    const manifestShown = discovery.display(source.manifest);
    const index = roots.get(source.root) ?? {
      root: source.root,
      definitions: new Map(),
      analyses: new Map(),
    };
    const findings: Finding[] = [];
    const resources = new Map<string, ResourceAnalysis>();
    const listedIds = new Set(manifest.listed.map((l) => l.id));
    for (const { id, pos } of manifest.listed) {
      const defs = index.definitions.get(id);
      if (!defs) {
        const near = nearest(id, index.definitions.keys());
        findings.push(
          makeFinding(
            'E_ID_NOT_DEFINED',
            manifestShown,
            pos(),
            `"${clip(id)}" is listed but no resource file under ${discovery.display(source.root)} defines it`,
            {
              hint: near
                ? `did you mean "${near}"?`
                : 'define it in a *.resource.yaml or *.resources.yaml file below the manifest',
            },
          ),
        );
        continue;
      }
      const analysis = index.analyses.get(id);
      if (analysis) resources.set(id, analysis);
    }

    // References: listed in this pack, else the bundle's other packs, else unknown.
    const edges: GraphEdge<Site>[] = [];
    const referenced = referencedOnRoot.get(source.root) ?? new Set<string>();
    referencedOnRoot.set(source.root, referenced);
    for (const r of resources.values()) {
      for (const ref of r.references) {
        referenced.add(ref.id);
        const target = resources.get(ref.id);
        if (!listedIds.has(ref.id)) {
          const owner = source.bundle ? bundleListing.get(source.bundle)?.get(ref.id) : undefined;
          if (owner && owner !== source) {
            findings.push(
              makeFinding(
                'E_REF_CROSS_PACK',
                at(ref.site).file,
                at(ref.site),
                `&{${text(ref)}} points into another pack of the bundle (${discovery.display(owner.manifest)})`,
                {
                  hint: 'a reference may only point inside its own pack: move the resource, or list a copy with its own id in this pack',
                  resourceId: r.id,
                },
              ),
            );
          } else {
            const defined = index.definitions.has(ref.id);
            const near = nearest(ref.id, [...listedIds, ...index.definitions.keys()]);
            findings.push(
              makeFinding(
                'E_REF_UNKNOWN',
                at(ref.site).file,
                at(ref.site),
                `&{${ref.id}${ref.field ? `:${ref.field}` : ''}} names an id the manifest ${manifestShown} does not list`,
                {
                  hint: defined
                    ? `"${ref.id}" is defined under the root: add it to resource_ids in ${manifestShown}`
                    : near
                      ? `did you mean &{${near}${ref.field ? `:${ref.field}` : ''}}?`
                      : `no resource "${ref.id}" exists under ${discovery.display(source.root)}`,
                  resourceId: r.id,
                },
              ),
            );
          }
          continue;
        }
        if (!target) continue; // listed but undefined: reported at the manifest
        if (!target.importable) {
          findings.push(
            makeFinding(
              'E_REF_NOT_IMPORTED',
              at(ref.site).file,
              at(ref.site),
              `&{${text(ref)}} names a ${target.type || 'typeless'} resource, which strata does not import, so the reference cannot be resolved`,
              {
                hint: 'reference only resources of the thirteen supported types, or create the object another way and write its id literally',
                resourceId: r.id,
              },
            ),
          );
          continue;
        }
        if (ref.field !== null) {
          const fields = isResourceType(target.type) ? resourceSpec(target.type).responseFields : null;
          if (fields && !fields.includes(ref.field)) {
            const near = nearest(ref.field, fields);
            findings.push(
              makeFinding(
                'E_REF_FIELD',
                at(ref.site).file,
                at(ref.site),
                `${target.type} objects have no field "${ref.field}" (in &{${ref.id}:${ref.field}})`,
                {
                  hint: near ? `did you mean &{${ref.id}:${near}}?` : `fields: ${[...fields].join(', ')}`,
                  resourceId: r.id,
                },
              ),
            );
            continue;
          }
        }
        edges.push({
          from: r.id,
          to: ref.id,
          field: ref.field,
          site: ref.site,
        });
      }
    }

    // Duplicate definitions of ids this pack lists or references.
    for (const id of new Set([...listedIds, ...referenced])) {
      const defs = index.definitions.get(id);
      if (!defs || defs.length < 2) continue;
      const sites = defs.map(where);
      const first = defs[0]!;
      findings.push(
        makeFinding(
          'E_ID_DUPLICATE',
          first.shown,
          at(definitionSite(first, [first.idKey])),
          `"${clip(id)}" is defined ${defs.length} times: ${sites.join(', ')}`,
          {
            hint: 'keep one definition; the others would be imported unpredictably',
            resourceId: id,
          },
        ),
      );
    }

    const importable = [...resources.values()].filter((r) => r.importable);
    const graph = buildGraph(
      importable.map((r) => ({
        id: r.id,
        type: r.type,
        priority: isResourceType(r.type) ? typePriority(r.type, r.isInternal) : 99,
      })),
      edges,
    );
    for (const cycle of findCycles(graph)) {
      const chain = [...cycle.map((e) => e.from), cycle[0]!.from].join(' -> ');
      const steps = cycle
        .map((e) => `${e.from} -> ${e.to} at ${at(e.site).file}:${at(e.site).line}`)
        .join('; ');
      const first = cycle[0]!;
      findings.push(
        makeFinding('E_CYCLE', at(first.site).file, at(first.site), `reference cycle ${chain} (${steps})`, {
          hint: 'break the cycle: one of these resources must not reference the next',
          resourceId: first.from,
        }),
      );
    }

    // At most one activate: true version per product and per workflow.
    const activations = new Map<string, ResourceAnalysis[]>();
    for (const r of importable) {
      if (!r.activate || r.activationTarget === null) continue;
      const key = `${r.type}\u0000${r.activationTarget}`;
      const list = activations.get(key);
      if (list) list.push(r);
      else activations.set(key, [r]);
    }
    for (const list of activations.values()) {
      if (list.length < 2) continue;
      const what = list[0]!.type === 'SMART_CONTRACT_VERSION' ? 'product' : 'workflow';
      for (const r of list.slice(1)) {
        const def = r.definition;
        findings.push(
          makeFinding(
            'E_ACTIVATE_CONFLICT',
            def.shown,
            at(definitionSite(def, ['activate'])),
            `${list.length} versions of ${what} ${r.activationTarget} are marked activate: true (${list.map((x) => `${x.id} at ${where(x.definition)}`).join(', ')})`,
            {
              hint: 'mark only the version that should become current',
              resourceId: r.id,
            },
          ),
        );
      }
    }

    all.push(...findings);
    packs.push({
      source,
      manifestFile: manifestShown,
      name: manifest.name,
      version: manifest.version,
      listed: manifest.listed.map((l) => l.id),
      resources,
      graph,
      order: importOrder(graph),
      skipped: [...resources.values()].flatMap((r) =>
        r.skipReason === null
          ? []
          : [{ id: r.id, type: r.type, reason: r.skipReason, site: at(definitionSite(r.definition)) }],
      ),
      findings,
      locate: at,
    });
  }

  // Unlisted, unreferenced duplicates are harmless (real libraries have dozens in test folders
  // shared by every manifest): one note per root counts them; the list is kept for --verbose.
  const unlistedDuplicates: UnlistedDuplicate[] = [];
  for (const [root, index] of roots) {
    const listed = listedOnRoot.get(root) ?? new Set<string>();
    const referenced = referencedOnRoot.get(root) ?? new Set<string>();
    const found: UnlistedDuplicate[] = [];
    for (const [id, defs] of index.definitions) {
      if (defs.length < 2 || listed.has(id) || referenced.has(id)) continue;
      found.push({ id, root: discovery.display(root), definitions: defs.map((d) => at(definitionSite(d))) });
    }
    const first = found[0]?.definitions[0];
    if (first === undefined) continue;
    const n = found.length;
    all.push(
      makeFinding(
        'W_DUPLICATE_UNLISTED',
        first.file,
        first,
        // One line, no hint line: it is the whole output about them unless --verbose is given.
        `${n} id${n === 1 ? '' : 's'} that no manifest lists or references ${n === 1 ? 'is' : 'are'} defined more than once under ${discovery.display(root)} (harmless to these packs; validate --verbose lists them)`,
      ),
    );
    unlistedDuplicates.push(...found);
  }

  return {
    packs,
    unlistedDuplicates,
    findings: sortFindings(dedupe(all)),
    display: discovery.display,
    threads: analyzer.plan,
    cleanup: discovery.cleanup,
  };
}

function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.code}|${f.file}|${f.line}|${f.column}|${f.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort(
    (a, b) =>
      (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
      a.line - b.line ||
      a.column - b.column ||
      (a.code < b.code ? -1 : a.code > b.code ? 1 : 0),
  );
}
