import type { ResourceTypeSpec } from '../spec.js';

/** The server generates the id: an existing link is the version's link with the same aliases. */
export const smartContractModuleVersionsLink: ResourceTypeSpec = {
  type: 'SMART_CONTRACT_MODULE_VERSIONS_LINK',
  schema: 'types/smart_contract_module_versions_link',
  payloadKey: 'smart_contract_module_versions_link',
  plural: 'smart-contract-module-versions-links',
  paths: {
    create: '/v1/smart-contract-module-versions-links',
    get: '/v1/smart-contract-module-versions-links/{id}',
    list: '/v1/smart-contract-module-versions-links',
    batchGet: '/v1/smart-contract-module-versions-links:batchGet',
  },
  listKey: 'smart_contract_module_versions_links',
  idField: null,
  views: null,
  parent: { field: 'smart_contract_version_id', filter: 'smart_contract_version_ids' },
  match: { scope: 'parent', keys: [{ by: 'fields', fields: ['alias_to_contract_module_version_id'] }] },
  update: null,
  immutable: true,
  activation: null,
  references: [
    { field: 'smart_contract_version_id', each: false, kind: 'SMART_CONTRACT_VERSION' },
    { field: 'alias_to_contract_module_version_id', each: true, kind: 'CONTRACT_MODULE_VERSION' },
  ],
  priority: 9,
  responseFields: ['id', 'smart_contract_version_id', 'alias_to_contract_module_version_id'],
};
