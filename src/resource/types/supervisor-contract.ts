import type { ResourceTypeSpec } from '../spec.js';

export const supervisorContract: ResourceTypeSpec = {
  type: 'SUPERVISOR_CONTRACT',
  schema: 'types/supervisor_contract',
  payloadKey: 'supervisor_contract',
  plural: 'supervisor-contracts',
  paths: {
    create: '/v1/supervisor-contracts',
    get: '/v1/supervisor-contracts/{id}',
    list: '/v1/supervisor-contracts',
    batchGet: '/v1/supervisor-contracts:batchGet',
  },
  listKey: 'supervisor_contracts',
  idField: 'id',
  views: null,
  parent: null,
  match: { scope: 'all', keys: [{ by: 'id' }] },
  update: null,
  immutable: true,
  activation: null,
  references: [],
  priority: 10,
  responseFields: ['id', 'display_name'],
};
