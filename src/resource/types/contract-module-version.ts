import type { ResourceTypeSpec } from '../spec.js';

/** The server generates the id: an existing version is the module's version with the same code. */
export const contractModuleVersion: ResourceTypeSpec = {
  type: 'CONTRACT_MODULE_VERSION',
  schema: 'types/contract_module_version',
  payloadKey: 'contract_module_version',
  plural: 'contract-module-versions',
  paths: {
    create: '/v1/contract-module-versions',
    get: '/v1/contract-module-versions/{id}',
    list: '/v1/contract-module-versions',
    batchGet: '/v1/contract-module-versions:batchGet',
  },
  listKey: 'contract_module_versions',
  idField: null,
  views: null,
  parent: { field: 'contract_module_id', filter: 'contract_module_id' },
  match: { scope: 'parent', keys: [{ by: 'fields', fields: ['code'] }] },
  update: null,
  immutable: true,
  activation: null,
  references: [{ field: 'contract_module_id', each: false, kind: 'CONTRACT_MODULE' }],
  priority: 5,
  responseFields: ['id', 'contract_module_id', 'display_name', 'description', 'code', 'create_timestamp'],
};
