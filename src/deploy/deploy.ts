/**
 * The deployment engine behind `plan` and `import`. Both walk each pack's graph in dependency
 * order with the same matching rules; plan only reads, import writes what differs. References
 * resolve from the server's objects (`&{X}` -> X's server id, `&{X:field}` -> that field).
 * Re-importing an unchanged pack sends no write: every resource is found and compared first.
 */
import { ApiError, type VaultClient } from '../client/client.js';
import { isRecord } from '../util/record.js';
import {
  fillPath,
  isResourceType,
  payloadObject,
  resourceSpec,
  type ListParent,
  type NaturalKey,
  type ResourceType,
} from '../resource/index.js';
import { naturalKeyOf, objectKey } from '../resource/keys.js';
import { updateMasks } from '../resource/update.js';
import { offlineValue, requestIdFor, resolveReferences } from './requests.js';
import { diffFields, listAll, type FieldChange, type ServerObject } from './environment.js';
import { runGraph, type NodeState } from './schedule.js';
import type { Journal, JournalEntry } from './journal.js';
import type { LoadedPack } from '../validate/packs.js';
import type { ResourceAnalysis } from '../pack/load.js';

export type PlannedAction = 'create' | 'update' | 'unchanged' | 'conflict' | 'skip';
export type Outcome = 'created' | 'updated' | 'unchanged' | 'skipped' | 'failed' | 'blocked' | 'not_started';

export interface ResourceReport {
  pack: string | null;
  resource_id: string;
  resource_type: string;
  /** What plan predicts, or what import did. */
  action: PlannedAction | Outcome;
  vault_id: string | null;
  request_id: string | null;
  changes: FieldChange[];
  error?: {
    code: string;
    message: string;
    status?: number;
    field_violations?: Array<{ field: string; description: string }>;
  };
  blocked_by?: string[];
}

export interface ActivationReport {
  resource_id: string;
  resource_type: ResourceType;
  /** The product or workflow definition. */
  target: string;
  version_id: string | null;
  action: 'activate' | 'activated' | 'unchanged' | 'failed' | 'not_started';
  previous_version_id: string | null;
  error?: { code: string; message: string };
}

export interface DeployEvent {
  event: 'start' | 'result' | 'activation';
  resource_id: string;
  action?: string;
  at: string;
}

export interface DeployOptions {
  mode: 'plan' | 'import';
  concurrency: number;
  activate: boolean;
  signal?: AbortSignal;
  journal?: Journal;
  /** Results a previous run confirmed (resume), by resource id. */
  confirmed?: ReadonlyMap<string, JournalEntry>;
  onEvent?: (e: DeployEvent) => void;
  now?: () => Date;
}

export interface DeployReport {
  resources: ResourceReport[];
  activations: ActivationReport[];
  interrupted: boolean;
}

interface Known {
  vaultId: string;
  fields: Record<string, string>;
}

/** The value a reference stands for before the object exists (plan: it will be created). */
const PENDING = '\u0000pending';

class Conflict extends Error {
  constructor(
    readonly changes: FieldChange[],
    message: string,
  ) {
    super(message);
  }
}

function inner(type: ResourceType, payload: unknown): Record<string, unknown> {
  return payloadObject(resourceSpec(type), payload);
}

function knownFrom(o: ServerObject): Known {
  const fields: Record<string, string> = {};
  for (const [k, v] of Object.entries(o)) if (typeof v === 'string') fields[k] = v;
  return { vaultId: String(o.id ?? ''), fields };
}

function errorOf(err: unknown): NonNullable<ResourceReport['error']> {
  if (err instanceof ApiError) {
    return {
      code: err.code,
      message: err.message,
      ...(err.status ? { status: err.status } : {}),
      ...(err.fieldViolations.length > 0 ? { field_violations: err.fieldViolations } : {}),
    };
  }
  if (err instanceof Conflict) return { code: 'CONFLICT', message: err.message };
  return { code: 'ERROR', message: (err as Error).message };
}

/** The parent of types matched among their parent's objects (listed in batches of parents). */
function matchParent(type: ResourceType): ListParent | null {
  const spec = resourceSpec(type);
  return spec.match.scope === 'parent' ? spec.parent : null;
}
const IDS_PER_LIST = 50;

/**
 * What the environment held when the run started, read once: one paginated list per type, or, for
 * types listed under a parent, one list per 50 parents. Objects this run creates are not looked
 * up again (the run knows them from the responses), so nothing is re-listed after a write.
 */
class Environment {
  #lists = new Map<string, Promise<ServerObject[]>>();
  #indexes = new Map<string, Promise<Map<string, ServerObject>>>();
  constructor(private readonly client: VaultClient) {}

  /** Every object at a list path, read once. */
  #list(path: string): Promise<ServerObject[]> {
    let p = this.#lists.get(path);
    if (!p) {
      p = listAll(this.client, path);
      this.#lists.set(path, p);
    }
    return p;
  }

  /** The objects at a list path by natural key (the first object with a key wins), so each lookup is not a scan. */
  #byKey(path: string, key: NaturalKey): Promise<Map<string, ServerObject>> {
    const name = `${path}\u0000${JSON.stringify(key)}`;
    let p = this.#indexes.get(name);
    if (!p) {
      p = this.#list(path).then((objects) => {
        const index = new Map<string, ServerObject>();
        for (const o of objects) {
          const value = objectKey(key, o);
          if (value !== undefined && !index.has(value)) index.set(value, o);
        }
        return index;
      });
      this.#indexes.set(name, p);
    }
    return p;
  }

  /** Objects of `type` under `parent` (types listed by parent), fetched with their siblings in batches. */
  #byParent = new Map<
    ResourceType,
    { pending: Set<string>; fetched: Map<string, Promise<ServerObject[]>> }
  >();

  /** Announces the parents a pack will ask about, so they are listed together. */
  expect(type: ResourceType, parent: string): void {
    let entry = this.#byParent.get(type);
    if (!entry) this.#byParent.set(type, (entry = { pending: new Set(), fetched: new Map() }));
    if (!entry.fetched.has(parent)) entry.pending.add(parent);
  }

  async #children(type: ResourceType, parent: string): Promise<ServerObject[]> {
    const filter = matchParent(type) as ListParent;
    this.expect(type, parent);
    const entry = this.#byParent.get(type)!;
    if (!entry.fetched.has(parent)) {
      // List this parent together with up to 49 others still pending.
      const batch = [parent];
      for (const p of entry.pending) {
        if (batch.length >= IDS_PER_LIST) break;
        if (p !== parent) batch.push(p);
      }
      const query: Record<string, string | string[]> = { [filter.filter]: batch };
      const views = resourceSpec(type).views;
      if (views) query.view = views.full;
      // Grouped once by parent, not filtered once per parent.
      const grouped = listAll(this.client, resourceSpec(type).paths.list, query).then((objects) => {
        const groups = new Map<unknown, ServerObject[]>();
        for (const o of objects) {
          const list = groups.get(o[filter.field]);
          if (list) list.push(o);
          else groups.set(o[filter.field], [o]);
        }
        return groups;
      });
      for (const p of batch) {
        entry.pending.delete(p);
        const children = grouped.then((groups) => groups.get(p) ?? []);
        // Awaited later, by the resources of parent p; a failed list must not count as unhandled now.
        children.catch(() => undefined);
        entry.fetched.set(p, children);
      }
    }
    return entry.fetched.get(parent)!;
  }

  /** The existing object a resource corresponds to, if any: the one with the same natural key. */
  async find(
    r: ResourceAnalysis,
    type: ResourceType,
    obj: Record<string, unknown>,
  ): Promise<ServerObject | undefined> {
    const spec = resourceSpec(type);
    const natural = naturalKeyOf(spec, { object: obj, codeVersion: r.codeVersion });
    if (!natural) return undefined;
    const parent = matchParent(type);
    if (parent === null) return (await this.#byKey(spec.paths.list, natural.key)).get(natural.value);
    const parentId = obj[parent.field];
    if (typeof parentId !== 'string') return undefined;
    return (await this.#children(type, parentId)).find((o) => objectKey(natural.key, o) === natural.value);
  }
}

interface UpdateRequest {
  path: string;
  body: Record<string, unknown>;
}

/** The update requests that make `changes`, or why the change cannot be made. */
function updateRequests(
  type: ResourceType,
  id: string,
  obj: Record<string, unknown>,
  changes: FieldChange[],
): UpdateRequest[] | string {
  const spec = resourceSpec(type);
  const plan = updateMasks(
    spec,
    changes.map((c) => c.field),
  );
  if ('refused' in plan || spec.update === null)
    return 'refused' in plan ? plan.refused : 'bug: no update rule';
  const path = fillPath(spec.update.path, id);
  // Each update has a request id of its own content: a retry replays it, a different change does not.
  return plan.masks.map((paths) => {
    const values = Object.fromEntries(paths.map((p) => [p, obj[p] ?? null]));
    return {
      path,
      body: {
        request_id: requestIdFor(`UPDATE_${type}`, id, values),
        [spec.payloadKey]: values,
        update_mask: { paths },
      },
    };
  });
}

export async function deploy(
  packs: readonly LoadedPack[],
  client: VaultClient,
  options: DeployOptions,
): Promise<DeployReport> {
  const now = options.now ?? (() => new Date());
  const env = new Environment(client);
  const reports: ResourceReport[] = [];
  const known = new Map<string, Known>();
  const keyOf = (pack: LoadedPack, id: string) => `${pack.source.root}\u0000${id}`;
  let interrupted = false;

  for (const pack of packs) {
    const byId = new Map<string, ResourceReport>();
    const resolveIn =
      (unresolvedOut: Set<string>) =>
      (ref: string, field: string | null): string | undefined => {
        const k = known.get(keyOf(pack, ref));
        const target = pack.resources.get(ref);
        if (k)
          return field === null
            ? k.vaultId
            : (k.fields[field] ?? (target ? offlineValue(target, field) : undefined));
        const offline = target ? offlineValue(target, field) : undefined;
        if (offline !== undefined) return offline;
        unresolvedOut.add(ref);
        return PENDING;
      };

    const run = async (id: string): Promise<void> => {
      const r = pack.resources.get(id) as ResourceAnalysis;
      const type = r.type as ResourceType;
      const report: ResourceReport = {
        pack: pack.name,
        resource_id: id,
        resource_type: type,
        action: 'not_started',
        vault_id: null,
        request_id: null,
        changes: [],
      };
      byId.set(id, report);
      options.onEvent?.({ event: 'start', resource_id: id, at: now().toISOString() });
      const done = (action: ResourceReport['action'], k: Known | null): void => {
        report.action = action;
        if (k) {
          known.set(keyOf(pack, id), k);
          report.vault_id = k.vaultId || null;
        }
        options.onEvent?.({ event: 'result', resource_id: id, action, at: now().toISOString() });
      };

      const confirmed = options.confirmed?.get(id);
      if (confirmed && options.mode === 'import') {
        report.request_id = confirmed.request_id;
        done(confirmed.action === 'activated' ? 'unchanged' : confirmed.action, {
          vaultId: confirmed.vault_id ?? '',
          fields: confirmed.values,
        });
        return;
      }

      const pending = new Set<string>();
      const payload = resolveReferences(r.payload, resolveIn(pending));
      const obj = inner(type, payload);
      const requestId = requestIdFor(type, id, payload);
      report.request_id = requestId;
      const record = (action: JournalEntry['action'], k: Known): void => {
        options.journal?.append({
          resource_id: id,
          resource_type: type,
          action,
          vault_id: k.vaultId || null,
          request_id: requestId,
          values: k.fields,
          at: now().toISOString(),
        });
      };
      // A reference to an object that does not exist yet: this resource cannot exist either.
      const existing = pending.size > 0 ? undefined : await env.find(r, type, obj);

      if (existing) {
        const changes = diffFields(obj, existing);
        report.changes = changes;
        const k = knownFrom(existing);
        if (changes.length === 0) {
          if (options.mode === 'import') record('unchanged', k);
          done('unchanged', k);
          return;
        }
        if (r.onConflict === 'SKIP') {
          if (options.mode === 'import') record('skipped', k);
          done(options.mode === 'plan' ? 'skip' : 'skipped', k);
          return;
        }
        if (r.onConflict === 'IGNORE') {
          if (options.mode === 'plan') {
            done('conflict', k);
            return;
          }
          throw new Conflict(
            changes,
            `${type} ${k.vaultId} exists with a different definition (${changes.map((c) => c.field).join(', ')}); set on_conflict: UPDATE or SKIP, or change the id`,
          );
        }
        const update = updateRequests(type, k.vaultId, obj, changes);
        if (typeof update === 'string') {
          if (options.mode === 'plan') {
            report.error = { code: 'NOT_UPDATABLE', message: update };
            done('conflict', k);
            return;
          }
          throw new Conflict(changes, update);
        }
        if (options.mode === 'plan') {
          done('update', k);
          return;
        }
        let last: unknown = existing;
        for (const u of update) last = (await client.request<ServerObject>('PUT', u.path, u.body)).body;
        const updated = knownFrom(isRecord(last) ? last : existing);
        record('updated', updated);
        done('updated', updated);
        return;
      }

      if (options.mode === 'plan') {
        const vaultId = offlineValue(r, null);
        done('create', vaultId === undefined ? null : { vaultId, fields: {} });
        return;
      }
      const body = { request_id: requestId, ...(payload as Record<string, unknown>) };
      try {
        const res = await client.request<ServerObject>('POST', resourceSpec(type).paths.create, body);
        const created = knownFrom(isRecord(res.body) ? res.body : {});
        record('created', created);
        done('created', created);
      } catch (err) {
        if (
          err instanceof ApiError &&
          err.status === 409 &&
          err.code === 'ALREADY_EXISTS' &&
          r.onConflict === 'SKIP'
        ) {
          const id = offlineValue(r, null);
          const res = await client.request<ServerObject>(
            'GET',
            fillPath(resourceSpec(type).paths.get, id ?? ''),
          );
          const k = knownFrom(isRecord(res.body) ? res.body : {});
          record('skipped', k);
          done('skipped', k);
          return;
        }
        throw err;
      }
    };

    // Parents known before the run (product ids, calendar ids) are listed in batches.
    for (const r of pack.resources.values()) {
      if (!isResourceType(r.type)) continue;
      const filter = matchParent(r.type);
      if (!filter) continue;
      const value = resolveReferences(inner(r.type, r.payload)[filter.field], (ref, field) => {
        const target = pack.resources.get(ref);
        return target ? offlineValue(target, field) : undefined;
      });
      if (typeof value === 'string' && !value.includes('&{')) env.expect(r.type, value);
    }
    const dependencies = new Map<string, string[]>();
    for (const id of pack.order)
      dependencies.set(
        id,
        (pack.graph.edges.get(id) ?? []).map((e) => e.to),
      );
    const states = await runGraph(
      pack.order,
      dependencies,
      async (id) => {
        try {
          await run(id);
        } catch (err) {
          const report = byId.get(id) as ResourceReport;
          report.action = 'failed';
          report.error = errorOf(err);
          if (err instanceof Conflict) report.changes = err.changes;
          options.onEvent?.({ event: 'result', resource_id: id, action: 'failed', at: now().toISOString() });
          throw err;
        }
      },
      { concurrency: options.concurrency, ...(options.signal ? { signal: options.signal } : {}) },
    );
    for (const id of pack.order) {
      const r = pack.resources.get(id) as ResourceAnalysis;
      const state = states.get(id) as NodeState;
      const report =
        byId.get(id) ??
        ({
          pack: pack.name,
          resource_id: id,
          resource_type: r.type,
          action: 'not_started',
          vault_id: null,
          request_id: null,
          changes: [],
        } satisfies ResourceReport);
      if (state.state === 'blocked') {
        report.action = 'blocked';
        report.blocked_by = state.blockedBy;
      }
      if (state.state === 'not_started') interrupted = true;
      reports.push(report);
    }
    if (options.signal?.aborted) {
      interrupted = true;
      break;
    }
  }

  const activations = await activate(packs, client, reports, known, options, keyOf);
  return { resources: reports, activations, interrupted };
}

const SUCCEEDED = new Set(['created', 'updated', 'unchanged', 'skipped', 'create', 'update', 'skip']);

/** Activation of versions marked `activate: true`: only after every resource succeeded. */
async function activate(
  packs: readonly LoadedPack[],
  client: VaultClient,
  reports: readonly ResourceReport[],
  known: ReadonlyMap<string, Known>,
  options: DeployOptions,
  keyOf: (pack: LoadedPack, id: string) => string,
): Promise<ActivationReport[]> {
  if (!options.activate) return [];
  const allSucceeded = reports.every((r) => SUCCEEDED.has(r.action));
  const out: ActivationReport[] = [];
  for (const pack of packs) {
    for (const id of pack.order) {
      const r = pack.resources.get(id) as ResourceAnalysis;
      if (!r.activate || r.activationTarget === null || !isResourceType(r.type)) continue;
      const activation = resourceSpec(r.type).activation;
      if (activation === null) continue;
      const versionId = known.get(keyOf(pack, id))?.vaultId ?? null;
      const report: ActivationReport = {
        resource_id: id,
        resource_type: r.type,
        target: r.activationTarget,
        version_id: versionId,
        action: 'not_started',
        previous_version_id: null,
      };
      out.push(report);
      if (!allSucceeded || options.signal?.aborted) continue;
      const getPath = fillPath(activation.targetPath, r.activationTarget);
      try {
        let current: string | null = null;
        if (versionId !== null) {
          try {
            const res = await client.request<ServerObject>('GET', getPath);
            const v = isRecord(res.body) ? res.body[activation.currentField] : undefined;
            current = typeof v === 'string' && v !== '' ? v : null;
          } catch (err) {
            if (!(err instanceof ApiError && err.status === 404)) throw err;
          }
        }
        report.previous_version_id = current;
        if (current !== null && current === versionId) {
          report.action = 'unchanged';
          continue;
        }
        if (options.mode === 'plan' || versionId === null) {
          report.action = 'activate';
          continue;
        }
        const requestId = requestIdFor(`ACTIVATE_${r.type}`, r.activationTarget, { version: versionId });
        const request = activation.request(r.activationTarget, versionId, requestId);
        await client.request(request.method, request.path, request.body);
        report.action = 'activated';
        options.journal?.append({
          resource_id: id,
          resource_type: r.type,
          action: 'activated',
          vault_id: versionId,
          request_id: requestId,
          values: {},
          at: (options.now ?? (() => new Date()))().toISOString(),
        });
        options.onEvent?.({
          event: 'activation',
          resource_id: id,
          action: 'activated',
          at: new Date().toISOString(),
        });
      } catch (err) {
        report.action = 'failed';
        report.error = {
          code: err instanceof ApiError ? err.code : 'ERROR',
          message: (err as Error).message,
        };
      }
    }
  }
  return out;
}
