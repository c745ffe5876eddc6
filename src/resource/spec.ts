/**
 * The shape of one resource type's entry in the registry: plain data (and two small functions)
 * saying how the type is addressed on the server, how an existing object is recognised, what may
 * change after creation and what activation acts on. The payload itself is described by the
 * type's JSON Schema (`schemas/types/<type>.schema.json`), which stays the one source of payload
 * validation; `test/resource/registry.test.ts` checks the two agree.
 */

/** The resource types Strata imports, in the tie-break priority of the import order (packs.md 3). */
export const RESOURCE_TYPES = [
  'CALENDAR',
  'FLAG_DEFINITION',
  'ACCOUNT_SCHEDULE_TAG',
  'GLOBAL_PARAMETER',
  'CONTRACT_MODULE',
  'CONTRACT_MODULE_VERSION',
  'SMART_CONTRACT_VERSION',
  'INTERNAL_ACCOUNT',
  'SMART_CONTRACT_MODULE_VERSIONS_LINK',
  'SUPERVISOR_CONTRACT',
  'SUPERVISOR_CONTRACT_VERSION',
  'CALENDAR_EVENT',
  'WORKFLOW_DEFINITION_VERSION',
] as const;

export type ResourceType = (typeof RESOURCE_TYPES)[number];

/** Server objects that versions belong to and activation acts on; not resources of a pack. */
export type VersionedKind = 'PRODUCT' | 'WORKFLOW_DEFINITION';

/** Any object kind a resource can name: another resource, or a product or workflow definition. */
export type ObjectKind = ResourceType | VersionedKind;

/** The object inside a payload (under its payload key), or a server object. */
export type Fields = Record<string, unknown>;

/** A request to the server: what convert prints and import sends. */
export interface ApiRequest {
  method: 'GET' | 'POST' | 'PUT';
  path: string;
  body?: Record<string, unknown>;
}

/** Endpoints of a type (server-api.md 2). `{id}` stands for the URL-encoded object id. */
export interface ResourcePaths {
  /** POST: create. Always `/v1/<plural>`. */
  create: string;
  /** GET one object. */
  get: string;
  /** GET a page of objects (Vault lists calendars at a plural the create path does not use). */
  list: string;
  /** GET several objects by `?ids=`. */
  batchGet: string;
}

/** The object a type's objects belong to, and how lists are filtered by it. */
export interface ListParent {
  /** Payload field holding the parent's id. */
  field: string;
  /** Query parameter filtering the list by parent ids (repeatable). */
  filter: string;
}

/**
 * A natural key: what makes an existing server object the one a pack's resource describes.
 * `id`: the id the client knows before creating (payload id, or a derived id); `fields`: the same
 * values of these payload fields; `version`: the code's version number equals the object's
 * `display_version_number` (see `./version.ts`).
 */
export type NaturalKey = { by: 'id' } | { by: 'fields'; fields: readonly string[] } | { by: 'version' };

export interface Matching {
  /**
   * Where candidates come from: the type's whole list, or the list under the resource's parent
   * (listed for many parents at once), for types whose lists are large or only filtered by parent.
   */
  scope: 'all' | 'parent';
  /** Keys in order; the first one the resource has decides. */
  keys: readonly NaturalKey[];
}

/**
 * Fields an update may change. A request's `update_mask` names fields of one group only: all of
 * them when the group changes `together`, any of them otherwise.
 */
export interface UpdateGroup {
  fields: readonly string[];
  together: boolean;
}

export interface UpdateRule {
  /** PUT path, with `{id}`; a `:verb` after `{id}` is part of the path. */
  path: string;
  groups: readonly UpdateGroup[];
}

/** What `activate: true` acts on, and how. */
export interface Activation {
  /** Payload field naming the product or workflow definition this is a version of. */
  targetField: string;
  targetKind: VersionedKind;
  /** GET path of the target, with `{id}`. */
  targetPath: string;
  /** The target's field holding its active version's id. */
  currentField: string;
  /** The request that makes `versionId` the target's active version. */
  request(target: string, versionId: string, requestId: string): ApiRequest;
}

/** A payload field naming another object, which must exist when this one is created. */
export interface ReferenceField {
  field: string;
  /** The field is a map whose every value is an id (`alias_to_contract_module_version_id`). */
  each: boolean;
  kind: ObjectKind;
}

/** Reads that leave fields out unless the full view is asked for (`?view=`). */
export interface ReadViews {
  /** The default view. */
  basic: string;
  /** The view with every field. */
  full: string;
  /** What the basic view leaves out. */
  hidden: readonly string[];
}

export interface ResourceTypeSpec {
  type: ResourceType;
  /** Payload JSON Schema name for `checkSchema` (`types/<type in lower case>`). */
  schema: string;
  /** Key of the object in payloads and request bodies (`product_version`, `flag_definition`). */
  payloadKey: string;
  /** URL collection name (`product-versions`). */
  plural: string;
  paths: ResourcePaths;
  /** Key of the objects in list and batchGet responses. */
  listKey: string;
  /** Payload field holding the object's id, or null when the server generates it. */
  idField: string | null;
  /** Views of reads, when the default read leaves fields out. */
  views: ReadViews | null;
  /**
   * The id of an object the client can know before creating it when it is not a payload field
   * (a workflow definition version's `<definition_version>,<workflow_definition_id>`).
   */
  derivedId?: (object: Fields) => string | undefined;
  parent: ListParent | null;
  match: Matching;
  /** How objects change after creation; null when they cannot. */
  update: UpdateRule | null;
  /** Objects never change once created, by any call or side effect: safe to cache forever. */
  immutable: boolean;
  activation: Activation | null;
  references: readonly ReferenceField[];
  /** Tie-break rank in the import order (packs.md 3). */
  priority: number;
  /** Rank of internal versions, when it differs (they come before the internal accounts on them). */
  internalPriority?: number;
  /** Top-level fields of the server's object: what `&{X:field}` may name. */
  responseFields: readonly string[];
}
