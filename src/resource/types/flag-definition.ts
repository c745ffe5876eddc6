import type { ResourceTypeSpec } from '../spec.js';

export const flagDefinition: ResourceTypeSpec = {
  type: 'FLAG_DEFINITION',
  schema: 'types/flag_definition',
  payloadKey: 'flag_definition',
  plural: 'flag-definitions',
  paths: {
    create: '/v1/flag-definitions',
    get: '/v1/flag-definitions/{id}',
    list: '/v1/flag-definitions',
    batchGet: '/v1/flag-definitions:batchGet',
  },
  listKey: 'flag_definitions',
  idField: 'id',
  views: null,
  parent: null,
  match: { scope: 'all', keys: [{ by: 'id' }] },
  update: null,
  immutable: true,
  activation: null,
  references: [],
  priority: 1,
  responseFields: [
    'id',
    'name',
    'description',
    'required_flag_level',
    'flag_visibility',
    'create_timestamp',
    'is_active',
  ],
};
