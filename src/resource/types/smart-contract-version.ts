import type { ResourceTypeSpec } from '../spec.js';

/**
 * A product version. The server generates its id; its identity is the product and the version
 * number in its code. Activation makes it the product's current version.
 */
export const smartContractVersion: ResourceTypeSpec = {
  type: 'SMART_CONTRACT_VERSION',
  schema: 'types/smart_contract_version',
  payloadKey: 'product_version',
  plural: 'product-versions',
  paths: {
    create: '/v1/product-versions',
    get: '/v1/product-versions/{id}',
    list: '/v1/product-versions',
    batchGet: '/v1/product-versions:batchGet',
  },
  listKey: 'product_versions',
  idField: null,
  // Code is large: reads leave it out unless asked for.
  views: {
    basic: 'PRODUCT_VERSION_VIEW_BASIC',
    full: 'PRODUCT_VERSION_VIEW_INCLUDE_CODE',
    hidden: ['code'],
  },
  parent: { field: 'product_id', filter: 'product_id' },
  match: { scope: 'parent', keys: [{ by: 'version' }] },
  update: null,
  immutable: true,
  activation: {
    targetField: 'product_id',
    targetKind: 'PRODUCT',
    targetPath: '/v1/products/{id}',
    currentField: 'current_version_id',
    request: (product, versionId, requestId) => ({
      method: 'POST',
      path: `/v1/products/${encodeURIComponent(product)}:activateVersion`,
      body: { request_id: requestId, product_version_id: versionId },
    }),
  },
  references: [],
  priority: 8,
  internalPriority: 6,
  responseFields: [
    'id',
    'product_id',
    'display_name',
    'code',
    'params',
    'tags',
    'description',
    'summary',
    'supported_denominations',
    'display_version_number',
    'create_timestamp',
    'is_internal',
  ],
};
