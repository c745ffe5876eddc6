import type { ResourceTypeSpec } from '../spec.js';

/** The payload may leave the id to the server: then its contract and code identify it. */
export const supervisorContractVersion: ResourceTypeSpec = {
  type: 'SUPERVISOR_CONTRACT_VERSION',
  schema: 'types/supervisor_contract_version',
  payloadKey: 'supervisor_contract_version',
  plural: 'supervisor-contract-versions',
  paths: {
    create: '/v1/supervisor-contract-versions',
    get: '/v1/supervisor-contract-versions/{id}',
    list: '/v1/supervisor-contract-versions',
    batchGet: '/v1/supervisor-contract-versions:batchGet',
  },
  listKey: 'supervisor_contract_versions',
  idField: 'id',
  views: null,
  parent: { field: 'supervisor_contract_id', filter: 'supervisor_contract_id' },
  match: {
    scope: 'all',
    keys: [{ by: 'id' }, { by: 'fields', fields: ['supervisor_contract_id', 'code'] }],
  },
  update: null,
  immutable: true,
  activation: null,
  references: [{ field: 'supervisor_contract_id', each: false, kind: 'SUPERVISOR_CONTRACT' }],
  priority: 11,
  responseFields: ['id', 'supervisor_contract_id', 'display_name', 'description', 'code', 'create_timestamp'],
};
