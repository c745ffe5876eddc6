/**
 * The deployment engine behind `plan` and `import`. Both walk each pack's graph in dependency
 * order with the same matching rules; plan only reads, import writes what differs. References
 * resolve from the server's objects (`&{X}` -> X's server id, `&{X:field}` -> that field).
 * Re-importing an unchanged pack sends no write: every resource is found and compared first.
 */
import { ApiError, type VaultClient } from '../client/client.js';
import { isRecord } from '../util/record.js';
import { LIST_PARENTS, PAYLOAD_KEY, isResourceType, type ResourceType } from '../pack/types.js';
import { listPath, typeMeta } from '../schema/meta.js';
import { offlineValue, requestIdFor, resolveReferences, workflowVersionId } from './requests.js';
import { diffFields, listAll, versionNumber, type FieldChange, type ServerObject } from './environment.js';
import { runGraph, type NodeState } from './schedule.js';
import type { Journal, JournalEntry } from './journal.js';
import type { LoadedPack } from '../validate/packs.js';
import type { ResourceAnalysis } from '../pack/load.js';
import { canonicalJson } from '../util/canonical.js';

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
  resource_type: 'SMART_CONTRACT_VERSION' | 'WORKFLOW_DEFINITION_VERSION';
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
  const obj = isRecord(payload) ? payload[PAYLOAD_KEY[type]] : undefined;
  return isRecord(obj) ? obj : {};
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

/** Types the client lists by parent (in batches of parents): those it matches within a parent. */
const LISTED_BY_PARENT = new Set<ResourceType>([
  'SMART_CONTRACT_VERSION',
  'CALENDAR_EVENT',
  'CONTRACT_MODULE_VERSION',
  'SMART_CONTRACT_MODULE_VERSIONS_LINK',
]);
const LIST_FILTER = (type: ResourceType) => {
  const parent = LISTED_BY_PARENT.has(type) ? LIST_PARENTS[type] : undefined;
  return parent ? { param: parent.filter, field: parent.field } : undefined;
};
const IDS_PER_LIST = 50;

/**
 * What the environment held when the run started, read once: one paginated list per type, or, for
 * types listed under a parent, one list per 50 parents. Objects this run creates are not looked
 * up again (the run knows them from the responses), so nothing is re-listed after a write.
 */
class Environment {
  #lists = new Map<string, Promise<ServerObject[]>>();
  #indexes = new Map<string, Promise<Map<unknown, ServerObject>>>();
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

  /** The objects at a list path by id, so each lookup is not a scan. */
  #byId(path: string): Promise<Map<unknown, ServerObject>> {
    let p = this.#indexes.get(path);
    if (!p) {
      p = this.#list(path).then((objects) => new Map(objects.map((o) => [o.id, o])));
      this.#indexes.set(path, p);
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
    const filter = LIST_FILTER(type) as { param: string; field: string };
    this.expect(type, parent);
    const entry = this.#byParent.get(type)!;
    if (!entry.fetched.has(parent)) {
      // List this parent together with up to 49 others still pending.
      const batch = [parent];
      for (const p of entry.pending) {
        if (batch.length >= IDS_PER_LIST) break;
        if (p !== parent) batch.push(p);
      }
      const query: Record<string, string | string[]> = { [filter.param]: batch };
      if (type === 'SMART_CONTRACT_VERSION') query.view = 'PRODUCT_VERSION_VIEW_INCLUDE_CODE';
      // Grouped once by parent, not filtered once per parent.
      const grouped = listAll(this.client, listPath(type), query).then((objects) => {
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

  /** The existing object a resource corresponds to, if any. */
  async find(
    r: ResourceAnalysis,
    type: ResourceType,
    obj: Record<string, unknown>,
  ): Promise<ServerObject | undefined> {
    const path = listPath(type);
    const str = (k: string) => (typeof obj[k] === 'string' ? (obj[k] as string) : undefined);
    switch (type) {
      case 'SMART_CONTRACT_VERSION': {
        const product = str('product_id');
        if (!product) return undefined;
        return (await this.#children(type, product)).find((v) => versionNumber(v) === r.codeVersion);
      }
      case 'WORKFLOW_DEFINITION_VERSION': {
        const id = workflowVersionId(r);
        return id === undefined ? undefined : (await this.#byId(path)).get(id);
      }
      case 'CALENDAR_EVENT': {
        const calendar = str('calendar_id');
        if (!calendar) return undefined;
        return (await this.#children(type, calendar)).find((o) => o.id === obj.id);
      }
      case 'CONTRACT_MODULE':
        return (await this.#list(path)).find((o) => o.display_name === obj.display_name);
      case 'CONTRACT_MODULE_VERSION': {
        const module = str('contract_module_id');
        if (!module) return undefined;
        return (await this.#children(type, module)).find((o) => o.code === obj.code);
      }
      case 'SMART_CONTRACT_MODULE_VERSIONS_LINK': {
        const version = str('smart_contract_version_id');
        if (!version) return undefined;
        const aliases = canonicalJson(obj.alias_to_contract_module_version_id);
        return (await this.#children(type, version)).find(
          (o) => canonicalJson(o.alias_to_contract_module_version_id) === aliases,
        );
      }
      default: {
        const idField = typeMeta(type).idField;
        const id = idField === null ? undefined : obj[idField];
        if (id !== undefined) return (await this.#byId(path)).get(id);
        // A supervisor contract version may leave its id to the server: match by contract and code.
        if (type === 'SUPERVISOR_CONTRACT_VERSION') {
          return (await this.#list(path)).find(
            (o) => o.supervisor_contract_id === obj.supervisor_contract_id && o.code === obj.code,
          );
        }
        return undefined;
      }
    }
  }
}

const OVERRIDE_FIELDS = [
  'schedule_status_override',
  'schedule_status_override_start_timestamp',
  'schedule_status_override_end_timestamp',
];

interface UpdateRequest {
  path: string;
  body: Record<string, unknown>;
}

/**
 * The update requests for the types whose objects can change, or why the change cannot be made.
 * A schedule tag's override fields change together and its test pause alone (server-api.md 2),
 * so a change to both is two requests.
 */
function updateRequests(
  type: ResourceType,
  id: string,
  obj: Record<string, unknown>,
  changes: FieldChange[],
): UpdateRequest[] | string {
  const changed = new Set(changes.map((c) => c.field));
  // Each update has a request id of its own content: a retry replays it, a different change does not.
  const request = (path: string, key: string, paths: string[]): UpdateRequest => {
    const values = Object.fromEntries(paths.map((p) => [p, obj[p] ?? null]));
    return {
      path,
      body: { request_id: requestIdFor(`UPDATE_${type}`, id, values), [key]: values, update_mask: { paths } },
    };
  };
  if (type === 'ACCOUNT_SCHEDULE_TAG') {
    const path = `/v1/account-schedule-tags/${encodeURIComponent(id)}`;
    const other = [...changed].filter((f) => !OVERRIDE_FIELDS.includes(f) && f !== 'test_pause_at_timestamp');
    if (other.length > 0) return `schedule tag fields ${other.join(', ')} cannot be updated`;
    const out: UpdateRequest[] = [];
    if (OVERRIDE_FIELDS.some((f) => changed.has(f)))
      out.push(request(path, 'account_schedule_tag', OVERRIDE_FIELDS));
    if (changed.has('test_pause_at_timestamp')) {
      out.push(request(path, 'account_schedule_tag', ['test_pause_at_timestamp']));
    }
    return out;
  }
  if (type === 'CALENDAR') {
    const allowed = new Set(['is_active', 'display_name', 'description']);
    const bad = [...changed].filter((p) => !allowed.has(p));
    if (bad.length > 0) return `calendar fields ${bad.join(', ')} cannot be updated`;
    return [request(`/v1/calendar/${encodeURIComponent(id)}:updateDetails`, 'calendar', [...changed])];
  }
  return `${type} objects cannot be updated; publish a new version, or use on_conflict: SKIP`;
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
        const res = await client.request<ServerObject>('POST', `/v1/${typeMeta(type).plural}`, body);
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
            `/v1/${typeMeta(type).plural}/${encodeURIComponent(id ?? '')}`,
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
      const filter = LIST_FILTER(r.type);
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
      if (r.type !== 'SMART_CONTRACT_VERSION' && r.type !== 'WORKFLOW_DEFINITION_VERSION') continue;
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
      const product = r.type === 'SMART_CONTRACT_VERSION';
      const getPath = product
        ? `/v1/products/${encodeURIComponent(r.activationTarget)}`
        : `/v1/workflow-definitions/${encodeURIComponent(r.activationTarget)}`;
      const currentField = product ? 'current_version_id' : 'default_workflow_definition_version_id';
      try {
        let current: string | null = null;
        if (versionId !== null) {
          try {
            const res = await client.request<ServerObject>('GET', getPath);
            const v = isRecord(res.body) ? res.body[currentField] : undefined;
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
        if (product) {
          await client.request('POST', `${getPath}:activateVersion`, {
            request_id: requestId,
            product_version_id: versionId,
          });
        } else {
          await client.request('PUT', getPath, {
            request_id: requestId,
            workflow_definition: { default_workflow_definition_version_id: versionId },
            update_mask: { paths: ['default_workflow_definition_version_id'] },
          });
        }
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
