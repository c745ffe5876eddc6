import type { ResourceTypeSpec } from '../spec.js';

/** Created with its `initial_value` (a sibling of the payload key); the value is a separate object. */
export const globalParameter: ResourceTypeSpec = {
  type: 'GLOBAL_PARAMETER',
  schema: 'types/global_parameter',
  payloadKey: 'global_parameter',
  plural: 'global-parameters',
  paths: {
    create: '/v1/global-parameters',
    get: '/v1/global-parameters/{id}',
    list: '/v1/global-parameters',
    batchGet: '/v1/global-parameters:batchGet',
  },
  listKey: 'global_parameters',
  idField: 'id',
  views: null,
  parent: null,
  match: { scope: 'all', keys: [{ by: 'id' }] },
  update: null,
  immutable: true,
  activation: null,
  references: [],
  priority: 3,
  responseFields: ['id', 'display_name', 'description', 'number', 'str', 'denomination', 'date'],
};
