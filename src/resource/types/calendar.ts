import type { ResourceTypeSpec } from '../spec.js';

/** Vault answers 409 when a calendar exists: packs usually say `on_conflict: SKIP`. */
export const calendar: ResourceTypeSpec = {
  type: 'CALENDAR',
  schema: 'types/calendar',
  payloadKey: 'calendar',
  plural: 'calendar',
  paths: {
    create: '/v1/calendar',
    get: '/v1/calendar/{id}',
    list: '/v1/calendars',
    batchGet: '/v1/calendar:batchGet',
  },
  listKey: 'calendars',
  idField: 'id',
  views: null,
  parent: null,
  match: { scope: 'all', keys: [{ by: 'id' }] },
  update: {
    path: '/v1/calendar/{id}:updateDetails',
    groups: [{ fields: ['is_active', 'display_name', 'description'], together: false }],
  },
  immutable: false,
  activation: null,
  references: [],
  priority: 0,
  responseFields: ['id', 'is_active', 'create_timestamp', 'display_name', 'description'],
};
