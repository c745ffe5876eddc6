/**
 * What each resource type's schema says about its server object (`x-strata` in
 * schemas/types/*.schema.json): payload key, path segment, id field, response fields. One source
 * for the validator (`&{X:field}` checks), convert and import, and the server.
 */
import { schemaDocument } from './index.js';
import { typeSchemaName, type ResourceType } from '../pack/types.js';

export interface TypeMeta {
  type: ResourceType;
  resourceKey: string;
  /** Path segment of the create endpoint: POST /v1/<plural>. */
  plural: string;
  /** Payload field holding the object's id, or null when the server generates it. */
  idField: string | null;
  responseFields: ReadonlySet<string>;
}

const cache = new Map<ResourceType, TypeMeta>();

export function typeMeta(type: ResourceType): TypeMeta {
  let meta = cache.get(type);
  if (!meta) {
    const raw = schemaDocument(`types/${typeSchemaName(type)}`)['x-strata'] as {
      resourceKey: string;
      plural: string;
      idField: string | null;
      responseFields: string[];
    };
    meta = {
      type,
      resourceKey: raw.resourceKey,
      plural: raw.plural,
      idField: raw.idField,
      responseFields: new Set(raw.responseFields),
    };
    cache.set(type, meta);
  }
  return meta;
}

/**
 * Where a type's objects are listed: its create path, except calendars, which Vault lists at
 * `/v1/calendars` (created at `/v1/calendar`). Shared by the server's routes and the client.
 */
export function listPath(type: ResourceType): string {
  return type === 'CALENDAR' ? '/v1/calendars' : `/v1/${typeMeta(type).plural}`;
}
