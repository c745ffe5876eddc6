/**
 * The thirteen resource types as the server exposes them: the schemas' metadata (`typeMeta`, the
 * one reading of `x-strata`), the parent relations shared with the client (`LIST_PARENTS`), and
 * the response keys of lists.
 */
import { typeMeta } from '../../schema/meta.js';
import {
  LIST_PARENTS,
  PAYLOAD_KEY,
  RESOURCE_TYPES,
  typeSchemaName,
  type ResourceType,
} from '../../pack/types.js';

export interface TypeInfo {
  type: ResourceType;
  /** Schema name for `checkSchema` (`types/<type_lower_snake>`). */
  schema: string;
  /** Payload key in bodies (`product_version`, `flag_definition`...). */
  key: string;
  /** URL plural (`/v1/<plural>`). */
  plural: string;
  /** Key of the list and batchGet responses (snake_case plural). */
  listKey: string;
  /** Payload field holding the object id, or null when the server generates it. */
  idField: string | null;
  /** Payload field naming the object this one belongs to (filters lists). */
  parentField: string | null;
  /** Query parameter filtering lists by parent (repeatable). */
  listFilter: string | null;
}

/** Vault names the calendar collections in the singular in URLs but not in response keys. */
const LIST_KEYS: Partial<Record<ResourceType, string>> = {
  CALENDAR: 'calendars',
  CALENDAR_EVENT: 'calendar_events',
};

function load(type: ResourceType): TypeInfo {
  const schema = `types/${typeSchemaName(type)}`;
  const x = typeMeta(type);
  if (x.resourceKey !== PAYLOAD_KEY[type]) {
    throw new Error(`bug: schemas/${schema}.schema.json has no matching x-strata block for ${type}`);
  }
  const parent = LIST_PARENTS[type];
  return {
    type,
    schema,
    key: x.resourceKey,
    plural: x.plural,
    listKey: LIST_KEYS[type] ?? x.plural.replace(/-/g, '_'),
    idField: x.idField,
    parentField: parent?.field ?? null,
    listFilter: parent?.filter ?? null,
  };
}

let cache: ReadonlyMap<ResourceType, TypeInfo> | undefined;

export function typeInfos(): ReadonlyMap<ResourceType, TypeInfo> {
  cache ??= new Map(RESOURCE_TYPES.map((t) => [t, load(t)]));
  return cache;
}

export function typeInfo(type: ResourceType): TypeInfo {
  const info = typeInfos().get(type);
  if (!info) throw new Error(`bug: unknown resource type ${type}`);
  return info;
}

/** Server-side object kinds besides the resource types. */
export const PRODUCT = 'PRODUCT';
export const WORKFLOW_DEFINITION = 'WORKFLOW_DEFINITION';
export const GLOBAL_PARAMETER_VALUE = 'GLOBAL_PARAMETER_VALUE';
export const ACTIVATION = 'ACTIVATION';
