/**
 * The configuration layer: creates, reads, updates and activations of the thirteen resource
 * types, products and workflow definitions, over any `Storage`. Routes parse HTTP and call one
 * method here; this never sees HTTP beyond the request body and returns response text.
 *
 * Every mutation goes through `#mutate`: the body is checked (references, JSON Schema, type rules)
 * outside the transaction; inside it, the `request_id` record is looked up, the change is made and
 * the response recorded, all in one transaction. A lost race on a unique key re-runs the whole
 * transaction (storage invariant), which then finds the winner's record or object: two identical
 * racing requests create exactly one object.
 */
import { randomUUID } from 'node:crypto';
import {
  RESOURCE_TYPES,
  resourceSpec,
  type ResourceType,
  type ResourceTypeSpec,
} from '../../resource/index.js';
import { maskProblem } from '../../resource/update.js';
import { readSpecification } from '../../resource/types/workflow-definition-version.js';
import { endsAfterStart } from '../../resource/types/calendar-event.js';
import { canonicalJson, sha256Hex } from '../../util/canonical.js';
import { withoutUnset } from '../../schema/unset.js';
import type { ReadTx, Storage, StoredObject, WriteTx } from '../../storage/types.js';
import { ApiError, invalid, type FieldViolation } from '../errors.js';
import { rejectReferences, requireRequestBody, requireSchema } from './checks.js';
import { ACTIVATION, GLOBAL_PARAMETER_VALUE, PRODUCT, WORKFLOW_DEFINITION } from './kinds.js';
import { optionalReason } from '../release/reason.js';
import { productVersionNumber } from './version.js';
import type { VersionNumber } from '../../resource/version.js';
import { ImmutableObjectCache } from './cache.js';
import { Activations, type ActivationOutcome, type Actor } from '../release/activations.js';

export type { Actor } from '../release/activations.js';
export { ACTIVATION_EVENTS } from '../release/activations.js';

/** A response: status, JSON text, and whether it is a replay of a recorded one. */
export interface WriteResponse {
  status: number;
  body: string;
  replay: boolean;
}

export interface ListRequest {
  pageSize?: string | undefined;
  pageToken?: string | undefined;
  /** Parent ids to filter by (absent: no filter). */
  parents?: string[] | undefined;
}

export const PAGE_SIZE_DEFAULT = 50;
export const PAGE_SIZE_MAX = 1000;
/** Every `?view=` any type has (a view of another type is accepted and changes nothing). */
const VIEWS = new Set(
  RESOURCE_TYPES.flatMap((type) => {
    const views = resourceSpec(type).views;
    return views === null ? [] : [views.basic, views.full];
  }),
);

const STRATEGY = 'PRODUCT_VERSION_MIGRATION_STRATEGY_';
const NEW_PRODUCT = `${STRATEGY}NEW_PRODUCT`;
const ADD_VERSION = `${STRATEGY}ADD_VERSION`;
const APPLY_NEW_USERS = `${STRATEGY}ADD_VERSION_APPLY_NEW_USERS`;
const UPGRADE_INTERNAL_ACCOUNTS = `${STRATEGY}ADD_VERSION_UPGRADE_INTERNAL_ACCOUNTS`;

/** Outbox topic (ledger.md section 5): a product version created (activations: release/activations.ts). */
export const PRODUCT_VERSION_EVENTS = 'vault.core_api.v1.products.product_version.events';

interface PreparedCreate {
  rest: Record<string, unknown>;
  payload: Record<string, unknown>;
  defHash: string;
  /** The id when the body determines it (payload id, workflow version id). */
  id: string | null;
  version?: { version: string; number: VersionNumber };
  workflowName?: string;
}

type Obj = Record<string, unknown>;

function parseObject(text: string): Obj {
  return JSON.parse(text) as Obj;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function notFound(what: string, ids: string[]): ApiError {
  return new ApiError(
    'NOT_FOUND',
    ids.length === 1 ? `${what} ${ids[0]} does not exist` : `${what}s do not exist: ${ids.join(', ')}`,
    { resource_type: what, ids },
  );
}

function encodePageToken(seq: number): string {
  return Buffer.from(`seq:${seq}`, 'utf8').toString('base64url');
}

function decodePageToken(token: string): number {
  const m = /^seq:(0|[1-9][0-9]{0,15})$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (!m) {
    throw invalid('page_token is not a token this server issued', [
      { field: 'page_token', description: 'pass the next_page_token of the previous page unchanged' },
    ]);
  }
  return Number(m[1]);
}

export function parsePageSize(raw: string | undefined): number {
  if (raw === undefined || raw === '') return PAGE_SIZE_DEFAULT;
  if (!/^[0-9]{1,7}$/.test(raw) || Number(raw) < 1 || Number(raw) > PAGE_SIZE_MAX) {
    throw invalid(`page_size must be an integer from 1 to ${PAGE_SIZE_MAX}`, [
      {
        field: 'page_size',
        description: `an integer from 1 to ${PAGE_SIZE_MAX} (default ${PAGE_SIZE_DEFAULT})`,
      },
    ]);
  }
  return Number(raw);
}

/** An object without the fields its type's basic view hides (a product version's code). */
function without(fields: readonly string[]): (body: string) => string {
  return (body) => {
    const o = parseObject(body);
    for (const field of fields) delete o[field];
    return canonicalJson(o);
  };
}

const withoutCode = without(resourceSpec('SMART_CONTRACT_VERSION').views?.hidden ?? []);

export class ConfigService {
  readonly #cache = new ImmutableObjectCache();
  /** Activation and its records (release management), shared with the release service. */
  readonly activations: Activations;

  constructor(
    private readonly storage: Storage,
    private readonly now: () => number = Date.now,
    private readonly newId: () => string = randomUUID,
    /** Four-eyes: activation calls store requests another actor approves (`--require-approval`). */
    requireApproval = false,
  ) {
    this.activations = new Activations(newId, requireApproval);
  }

  // ---- mutations ---------------------------------------------------------------------------

  async #mutate<P>(
    route: string,
    raw: unknown,
    prepare: (rest: Obj, canonical: string) => Promise<P> | P,
    op: (tx: WriteTx, prepared: P, requestId: string, now: number) => Promise<string | ActivationOutcome>,
    costlyPrepare = false,
  ): Promise<WriteResponse> {
    const { requestId, body } = requireRequestBody(raw);
    // Null means unset (schemas/defs.schema.json): `x: null` is the same request as no `x`.
    // withoutUnset copies the body, so request_id can be dropped from the copy.
    const rest = withoutUnset(body);
    delete rest['request_id'];
    // The request's canonical text, made once: its hash identifies the request (and a create's
    // definition, which prepare derives from it).
    const canonical = canonicalJson(rest);
    const bodyHash = sha256Hex(`${route}\n${canonical}`);
    if (costlyPrepare) {
      // Replays answer without preparing again (parsing product code is the costly part).
      const seen = await this.storage.read((tx) => tx.idempotency.get(requestId));
      if (seen) return this.#replay(seen.bodyHash, bodyHash, requestId, seen.response, seen.status);
    }
    const prepared = await prepare(rest, canonical);
    return this.storage.write(async (tx) => {
      const now = this.now();
      const record = await tx.idempotency.claim(requestId, now);
      if (record) return this.#replay(record.bodyHash, bodyHash, requestId, record.response, record.status);
      const outcome = await op(tx, prepared, requestId, now);
      const { status, body: response } =
        typeof outcome === 'string' ? { status: 200, body: outcome } : outcome;
      await tx.idempotency.put({ requestId, bodyHash, status, response, createdAt: now });
      return { status, body: response, replay: false };
    });
  }

  #replay(
    recorded: string,
    hash: string,
    requestId: string,
    response: string,
    status: number,
  ): WriteResponse {
    if (recorded !== hash) {
      throw new ApiError(
        'REQUEST_ID_REUSED',
        `request_id ${requestId} was already used for a different request; use a new request_id`,
        { request_id: requestId },
      );
    }
    return { status, body: response, replay: true };
  }

  /** `POST /v1/<plural>`: create an object of `type`. */
  create(type: ResourceType, raw: unknown, actor: Actor): Promise<WriteResponse> {
    const spec = resourceSpec(type);
    return this.#mutate(
      `POST ${spec.paths.create}`,
      raw,
      (rest, canonical) => this.#prepareCreate(spec, rest, canonical),
      (tx, prepared, requestId, now) => this.#createIn(tx, spec, prepared, { actor, requestId, now }),
      type === 'SMART_CONTRACT_VERSION',
    );
  }

  async #prepareCreate(spec: ResourceTypeSpec, rest: Obj, canonical: string): Promise<PreparedCreate> {
    rejectReferences(rest);
    requireSchema(spec.schema, rest);
    const payload = rest[spec.payloadKey] as Obj;
    const prepared: PreparedCreate = {
      rest,
      payload,
      defHash: sha256Hex(canonical),
      id: spec.idField === null ? null : (str(payload[spec.idField]) ?? null),
    };
    switch (spec.type) {
      case 'SMART_CONTRACT_VERSION': {
        const strategy = rest['migration_strategy'];
        if (strategy === `${STRATEGY}UNKNOWN`) {
          throw invalid('migration_strategy UNKNOWN cannot create a version', [
            { field: 'migration_strategy', description: 'choose NEW_PRODUCT, ADD_VERSION, ... explicitly' },
          ]);
        }
        prepared.version = await productVersionNumber(String(payload['code']), 'product_version.code');
        // Identity of a version: its payload and whether it is internal, not how it is migrated.
        prepared.defHash = sha256Hex(canonicalJson({ payload, is_internal: rest['is_internal'] === true }));
        break;
      }
      case 'WORKFLOW_DEFINITION_VERSION': {
        const { definitionVersion, name } = this.#workflowSpec(String(payload['specification']));
        prepared.id = `${definitionVersion},${String(payload['workflow_definition_id'])}`;
        if (name !== undefined) prepared.workflowName = name;
        break;
      }
      case 'CALENDAR_EVENT': {
        if (endsAfterStart(payload) !== true) {
          throw invalid('end_timestamp must be after start_timestamp (the end is exclusive)', [
            { field: 'calendar_event.end_timestamp', description: 'must be after start_timestamp' },
          ]);
        }
        break;
      }
      default:
        break;
    }
    return prepared;
  }

  #workflowSpec(specification: string): { definitionVersion: string; name: string | undefined } {
    const field = 'workflow_definition_version.specification';
    const facts = readSpecification(specification);
    if (facts.ok) return facts;
    if (facts.problem === 'yaml') {
      throw invalid('the specification is not valid YAML', [{ field, description: facts.message }]);
    }
    throw invalid('the specification needs a definition_version (such as 1.0.0)', [
      { field, description: 'needs a top-level definition_version: letters, digits, _ . : -' },
    ]);
  }

  async #createIn(
    tx: WriteTx,
    spec: ResourceTypeSpec,
    p: PreparedCreate,
    ctx: { actor: Actor; requestId: string; now: number },
  ): Promise<string> {
    if (spec.type === 'SMART_CONTRACT_VERSION') return this.#createProductVersion(tx, p, ctx);
    // An existing object answers before its references are checked. Without references to check,
    // the insert itself finds it (one statement fewer).
    if (p.id !== null && spec.references.length > 0) {
      const existing = await tx.config.getObject(spec.type, p.id);
      if (existing) return this.#sameOrConflict(spec.type, existing, p.defHash);
    }
    const id = p.id ?? this.newId();
    const extra = await this.#checkReferences(tx, spec, p.payload);
    const ts = new Date(ctx.now).toISOString();
    let body: Obj;
    switch (spec.type) {
      case 'FLAG_DEFINITION':
        body = { ...p.payload, is_active: true, create_timestamp: ts };
        break;
      case 'CALENDAR':
        body = { ...p.payload, create_timestamp: ts };
        break;
      case 'INTERNAL_ACCOUNT':
        body = { ...p.payload, ...extra, status: 'ACCOUNT_STATUS_OPEN', create_timestamp: ts };
        break;
      case 'CONTRACT_MODULE':
      case 'CONTRACT_MODULE_VERSION':
      case 'SUPERVISOR_CONTRACT_VERSION':
      case 'WORKFLOW_DEFINITION_VERSION':
        body = { ...p.payload, id, create_timestamp: ts };
        break;
      default:
        body = { ...p.payload, id };
    }
    const text = canonicalJson(body);
    const parent = spec.parent === null ? null : (str(p.payload[spec.parent.field]) ?? null);
    const existing = await tx.config.insertObjectIfAbsent({
      kind: spec.type,
      id,
      parent,
      naturalKey: null,
      defHash: p.defHash,
      body: text,
      createdAt: ctx.now,
    });
    if (existing) return this.#sameOrConflict(spec.type, existing, p.defHash);
    if (spec.type === 'GLOBAL_PARAMETER') {
      await tx.config.insertObject({
        kind: GLOBAL_PARAMETER_VALUE,
        id,
        parent: id,
        naturalKey: null,
        defHash: p.defHash,
        body: canonicalJson({
          global_parameter_id: id,
          value: p.rest['initial_value'],
          effective_timestamp: ts,
        }),
        createdAt: ctx.now,
      });
    }
    if (spec.type === 'WORKFLOW_DEFINITION_VERSION') {
      const workflowId = String(p.payload['workflow_definition_id']);
      const workflow = await tx.config.lockObject(WORKFLOW_DEFINITION, workflowId);
      if (!workflow) {
        // The first version creates the workflow definition and is its default version.
        await tx.config.insertObject({
          kind: WORKFLOW_DEFINITION,
          id: workflowId,
          parent: null,
          naturalKey: null,
          defHash: '',
          body: canonicalJson({
            id: workflowId,
            name: p.workflowName ?? workflowId,
            default_workflow_definition_version_id: id,
            create_timestamp: ts,
          }),
          createdAt: ctx.now,
        });
        await this.activations.record(tx, ctx, {
          kind: 'workflow',
          id: workflowId,
          from: '',
          to: id,
          cause: 'FIRST_VERSION',
        });
      }
    }
    return text;
  }

  #sameOrConflict(type: string, existing: StoredObject, defHash: string): string {
    if (existing.defHash === defHash) return existing.body;
    throw new ApiError(
      'ALREADY_EXISTS',
      `${type} ${existing.id} already exists with a different definition`,
      { resource_type: type, id: existing.id, existing: parseObject(existing.body) },
    );
  }

  /** Referential integrity; returns fields the new object takes from what it references. */
  async #checkReferences(tx: Pick<ReadTx, 'config'>, spec: ResourceTypeSpec, payload: Obj): Promise<Obj> {
    const missing: Array<{ field: string; type: string; id: string }> = [];
    const extra: Obj = {};
    for (const ref of spec.references) {
      const named: Array<[string, unknown]> = ref.each
        ? Object.entries(payload[ref.field] as Record<string, unknown>).map(([k, id]) => [
            `${ref.field}.${k}`,
            id,
          ])
        : [[ref.field, payload[ref.field]]];
      for (const [field, id] of named) {
        const o = await tx.config.getObject(ref.kind, String(id));
        if (!o) missing.push({ field: `${spec.payloadKey}.${field}`, type: ref.kind, id: String(id) });
        // An internal account opens on its product's current version.
        else if (ref.kind === PRODUCT)
          extra['product_version_id'] = parseObject(o.body)['current_version_id'];
      }
    }
    if (missing.length > 0) {
      throw new ApiError(
        'REFERENCE_NOT_FOUND',
        `the body names ${missing.length === 1 ? 'an object that does' : 'objects that do'} not exist: ${missing
          .map((m) => `${m.type} ${m.id}`)
          .join(', ')}`,
        { missing: missing.map((m) => ({ resource_type: m.type, id: m.id })) },
        missing.map((m) => ({ field: m.field, description: `${m.type} ${m.id} does not exist` })),
      );
    }
    return extra;
  }

  async #createProductVersion(
    tx: WriteTx,
    p: PreparedCreate,
    ctx: { actor: Actor; requestId: string; now: number },
  ): Promise<string> {
    const productId = String(p.payload['product_id']);
    const version = p.version;
    if (!version) throw new Error('bug: product version not prepared');
    const naturalKey = `${productId}@${version.version}`;
    const existing = await tx.config.getByNaturalKey('SMART_CONTRACT_VERSION', naturalKey);
    if (existing) {
      if (existing.defHash === p.defHash) return existing.body;
      throw new ApiError(
        'VERSION_EXISTS',
        `version ${version.version} of product ${productId} already exists with different code, params or display fields; versions are immutable, bump the version in the code`,
        { product_id: productId, version: version.version, existing_version_id: existing.id },
      );
    }
    const strategy = str(p.rest['migration_strategy']) ?? ADD_VERSION;
    const product = await tx.config.lockObject(PRODUCT, productId);
    if (product && strategy === NEW_PRODUCT) {
      throw new ApiError(
        'ALREADY_EXISTS',
        `product ${productId} already exists; NEW_PRODUCT only creates new products (use an ADD_VERSION strategy)`,
        { resource_type: PRODUCT, id: productId, existing: parseObject(product.body) },
      );
    }
    const id = this.newId();
    const ts = new Date(ctx.now).toISOString();
    const isInternal = p.rest['is_internal'] === true;
    const text = canonicalJson({
      ...p.payload,
      id,
      display_version_number: version.number,
      is_internal: isInternal,
      create_timestamp: ts,
    });
    await tx.config.insertObject({
      kind: 'SMART_CONTRACT_VERSION',
      id,
      parent: productId,
      naturalKey,
      defHash: p.defHash,
      body: text,
      createdAt: ctx.now,
    });
    tx.events.append({
      topic: PRODUCT_VERSION_EVENTS,
      key: productId,
      timestampMs: ctx.now,
      payload: `{"product_version_created":{"product_version":${withoutCode(text)}}}`,
    });
    if (!product) {
      await tx.config.insertObject({
        kind: PRODUCT,
        id: productId,
        parent: null,
        naturalKey: null,
        defHash: '',
        body: canonicalJson({
          id: productId,
          display_name: p.payload['display_name'],
          is_internal: isInternal,
          current_version_id: id,
          create_timestamp: ts,
        }),
        createdAt: ctx.now,
      });
      await this.activations.record(tx, ctx, {
        kind: 'product',
        id: productId,
        from: '',
        to: id,
        cause: strategy,
      });
    } else if (strategy === APPLY_NEW_USERS || strategy === UPGRADE_INTERNAL_ACCOUNTS) {
      if (this.activations.requireApproval) {
        throw new ApiError(
          'APPROVAL_REQUIRED',
          `this server requires approval of activations: create version ${version.version} of ${productId} with ADD_VERSION, then request its activation (strata activate)`,
          { product_id: productId, migration_strategy: strategy },
          [
            {
              field: 'migration_strategy',
              description: 'use PRODUCT_VERSION_MIGRATION_STRATEGY_ADD_VERSION',
            },
          ],
        );
      }
      await this.activations.apply(tx, 'product', product, id, ctx, strategy);
      if (strategy === UPGRADE_INTERNAL_ACCOUNTS) await this.#moveInternalAccounts(tx, productId, id);
    }
    return text;
  }

  async #moveInternalAccounts(tx: WriteTx, productId: string, versionId: string): Promise<void> {
    let afterSeq = 0;
    for (;;) {
      const page = await tx.config.listObjects({
        kind: 'INTERNAL_ACCOUNT',
        parents: [productId],
        afterSeq,
        limit: 500,
      });
      for (const account of page) {
        const body = parseObject(account.body);
        body['product_version_id'] = versionId;
        await tx.config.updateObject('INTERNAL_ACCOUNT', account.id, { body: canonicalJson(body) });
      }
      const last = page[page.length - 1];
      if (!last || page.length < 500) return;
      afterSeq = last.seq;
    }
  }

  /** `POST /v1/products/{id}:activateVersion` (`reason`: optional, recorded with the activation). */
  activateProductVersion(productId: string, raw: unknown, actor: Actor): Promise<WriteResponse> {
    return this.#mutate(
      `POST /v1/products/${productId}:activateVersion`,
      raw,
      (rest) => {
        const versionId = rest['product_version_id'];
        const unknownKeys = Object.keys(rest).filter((k) => k !== 'product_version_id' && k !== 'reason');
        if (typeof versionId !== 'string' || versionId === '' || unknownKeys.length > 0) {
          throw invalid('the body is {request_id, product_version_id, reason?}', [
            typeof versionId !== 'string' || versionId === ''
              ? { field: 'product_version_id', description: 'required: the id of a version of this product' }
              : { field: unknownKeys[0] ?? '', description: 'unknown field' },
          ]);
        }
        rejectReferences(rest);
        return { versionId, reason: optionalReason(rest['reason']) };
      },
      (tx, { versionId, reason }, requestId, now) =>
        this.activations.activate(tx, 'product', productId, versionId, { actor, requestId, now, reason }),
    );
  }

  /** `PUT /v1/workflow-definitions/{id}`: set the default version (`reason`: optional). */
  setWorkflowDefaultVersion(workflowId: string, raw: unknown, actor: Actor): Promise<WriteResponse> {
    const field = 'default_workflow_definition_version_id';
    return this.#mutate(
      `PUT /v1/workflow-definitions/${workflowId}`,
      raw,
      (rest) => {
        const wf = rest['workflow_definition'] as Obj | undefined;
        const versionId = wf?.[field];
        const paths = (rest['update_mask'] as { paths?: unknown } | undefined)?.paths;
        const violations: FieldViolation[] = [];
        if (typeof versionId !== 'string' || versionId === '')
          violations.push({ field: `workflow_definition.${field}`, description: 'required: a version id' });
        if (!Array.isArray(paths) || paths.length !== 1 || paths[0] !== field)
          violations.push({ field: 'update_mask.paths', description: `must be ["${field}"]` });
        if (violations.length > 0) throw invalid(`only ${field} can be updated`, violations);
        rejectReferences(rest);
        return { versionId: versionId as string, reason: optionalReason(rest['reason']) };
      },
      (tx, { versionId, reason }, requestId, now) =>
        this.activations.activate(tx, 'workflow', workflowId, versionId, { actor, requestId, now, reason }),
    );
  }

  /**
   * `PUT` of an updatable type's update path (`/v1/account-schedule-tags/{id}`,
   * `/v1/calendar/{id}:updateDetails`): the fields of one update group (resource registry).
   */
  update(type: ResourceType, id: string, raw: unknown): Promise<WriteResponse> {
    const spec = resourceSpec(type);
    const rule = spec.update;
    if (rule === null) throw new Error(`bug: ${type} has no update rule`);
    return this.#mutate(
      `PUT ${rule.path.replace('{id}', id)}`,
      raw,
      (rest) => {
        rejectReferences(rest);
        const changes = rest[spec.payloadKey];
        if (changes === null || typeof changes !== 'object' || Array.isArray(changes)) {
          throw invalid(`the body needs ${spec.payloadKey}: the changed fields`, [
            { field: spec.payloadKey, description: 'required: an object with the changed fields' },
          ]);
        }
        const mask = rest['update_mask'] as { paths?: unknown } | undefined;
        const paths = mask === undefined ? Object.keys(changes) : mask.paths;
        if (
          !Array.isArray(paths) ||
          paths.length === 0 ||
          !paths.every((p): p is string => typeof p === 'string')
        ) {
          throw invalid('update_mask.paths must be a non-empty list of field names', [
            { field: 'update_mask.paths', description: 'a non-empty list of field names' },
          ]);
        }
        const problem = maskProblem(rule, paths);
        if (problem !== null) throw invalid(problem, [{ field: 'update_mask.paths', description: problem }]);
        const extra = Object.keys(rest).filter((k) => k !== spec.payloadKey && k !== 'update_mask');
        if (extra.length > 0) {
          throw invalid(
            `unknown field ${extra[0]}`,
            extra.map((k) => ({ field: k, description: 'unknown field' })),
          );
        }
        return { changes: changes as Obj, paths };
      },
      async (tx, { changes, paths }) => {
        const existing = await tx.config.lockObject(type, id);
        if (!existing) throw notFound(type, [id]);
        const current = parseObject(existing.body);
        const server: Obj = {};
        for (const k of ['create_timestamp']) {
          if (k in current) {
            server[k] = current[k];
            delete current[k];
          }
        }
        for (const path of paths) {
          if (changes[path] === undefined) delete current[path];
          else current[path] = changes[path];
        }
        requireSchema(spec.schema, { [spec.payloadKey]: current });
        const definition = { [spec.payloadKey]: current };
        const text = canonicalJson({ ...current, ...server });
        await tx.config.updateObject(type, id, { body: text, defHash: sha256Hex(canonicalJson(definition)) });
        return text;
      },
    );
  }

  // ---- reads -------------------------------------------------------------------------------

  async #get(kind: string, id: string): Promise<string> {
    const cached = this.#cache.get(kind, id);
    if (cached !== undefined) return cached;
    const o = await this.storage.read((tx) => tx.config.getObject(kind, id));
    if (!o) throw notFound(kind, [id]);
    this.#cache.put(kind, id, o.body);
    return o.body;
  }

  async #batchGet(
    kind: string,
    listKey: string,
    ids: string[],
    view: (body: string) => string,
  ): Promise<string> {
    if (ids.length === 0) {
      throw invalid('give at least one id: ?ids=a&ids=b', [{ field: 'ids', description: 'at least one id' }]);
    }
    if (ids.length > PAGE_SIZE_MAX) {
      throw invalid(`at most ${PAGE_SIZE_MAX} ids per batch`, [
        { field: 'ids', description: `at most ${PAGE_SIZE_MAX}` },
      ]);
    }
    const unique = [...new Set(ids)];
    const byId = new Map<string, string>();
    const uncached: string[] = [];
    for (const id of unique) {
      const body = this.#cache.get(kind, id);
      if (body === undefined) uncached.push(id);
      else byId.set(id, body);
    }
    if (uncached.length > 0) {
      for (const o of await this.storage.read((tx) => tx.config.getObjects(kind, uncached))) {
        byId.set(o.id, o.body);
        this.#cache.put(kind, o.id, o.body);
      }
    }
    const missing = unique.filter((id) => !byId.has(id));
    if (missing.length > 0) throw notFound(kind, missing);
    const parts = unique.map((id) => `${JSON.stringify(id)}:${view(byId.get(id) ?? 'null')}`);
    return `{${JSON.stringify(listKey)}:{${parts.join(',')}}}`;
  }

  async #list(
    kind: string,
    listKey: string,
    req: ListRequest,
    view: (body: string) => string,
  ): Promise<string> {
    const limit = parsePageSize(req.pageSize);
    const afterSeq = req.pageToken === undefined || req.pageToken === '' ? 0 : decodePageToken(req.pageToken);
    const rows = await this.storage.read((tx) =>
      tx.config.listObjects({ kind, parents: req.parents, afterSeq, limit: limit + 1 }),
    );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    const next = rows.length > limit && last ? encodePageToken(last.seq) : '';
    return `{${JSON.stringify(listKey)}:[${page.map((o) => view(o.body)).join(',')}],"next_page_token":${JSON.stringify(next)}}`;
  }

  #view(type: ResourceType, view: string | undefined): (body: string) => string {
    if (view !== undefined && !VIEWS.has(view)) {
      throw invalid(`view must be one of ${[...VIEWS].join(', ')}`, [
        { field: 'view', description: 'unknown view' },
      ]);
    }
    const views = resourceSpec(type).views;
    return views !== null && view !== views.full ? without(views.hidden) : (b) => b;
  }

  async get(type: ResourceType, id: string, view?: string): Promise<string> {
    const v = this.#view(type, view);
    return v(await this.#get(type, id));
  }

  batchGet(type: ResourceType, ids: string[], view?: string): Promise<string> {
    return this.#batchGet(type, resourceSpec(type).listKey, ids, this.#view(type, view));
  }

  list(type: ResourceType, req: ListRequest, view?: string): Promise<string> {
    return this.#list(type, resourceSpec(type).listKey, req, this.#view(type, view));
  }

  getProduct(id: string): Promise<string> {
    return this.#get(PRODUCT, id);
  }

  batchGetProducts(ids: string[]): Promise<string> {
    return this.#batchGet(PRODUCT, 'products', ids, (b) => b);
  }

  listProducts(req: ListRequest): Promise<string> {
    return this.#list(PRODUCT, 'products', req, (b) => b);
  }

  getWorkflowDefinition(id: string): Promise<string> {
    return this.#get(WORKFLOW_DEFINITION, id);
  }

  /** Activations, oldest first, of one product or workflow definition (or all). */
  listActivations(
    filter: { productIds?: string[] | undefined; workflowDefinitionIds?: string[] | undefined },
    req: ListRequest,
  ): Promise<string> {
    const parents =
      filter.productIds === undefined && filter.workflowDefinitionIds === undefined
        ? undefined
        : [
            ...(filter.productIds ?? []).map((id) => `product:${id}`),
            ...(filter.workflowDefinitionIds ?? []).map((id) => `workflow:${id}`),
          ];
    return this.#list(ACTIVATION, 'activations', { ...req, parents }, (b) => b);
  }
}
