import type { ResourceTypeSpec } from '../spec.js';

/** The server generates the id, so an existing module is recognised by its display name. */
export const contractModule: ResourceTypeSpec = {
  type: 'CONTRACT_MODULE',
  schema: 'types/contract_module',
  payloadKey: 'contract_module',
  plural: 'contract-modules',
  paths: {
    create: '/v1/contract-modules',
    get: '/v1/contract-modules/{id}',
    list: '/v1/contract-modules',
    batchGet: '/v1/contract-modules:batchGet',
  },
  listKey: 'contract_modules',
  idField: null,
  views: null,
  parent: null,
  match: { scope: 'all', keys: [{ by: 'fields', fields: ['display_name'] }] },
  update: null,
  immutable: true,
  activation: null,
  references: [],
  priority: 4,
  responseFields: ['id', 'display_name', 'description', 'create_timestamp'],
};
