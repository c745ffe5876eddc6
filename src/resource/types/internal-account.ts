import type { ResourceTypeSpec } from '../spec.js';

/**
 * Opens on its product's current version; not immutable, because upgrading the product's internal
 * accounts (`ADD_VERSION_UPGRADE_INTERNAL_ACCOUNTS`) moves it to a new version.
 */
export const internalAccount: ResourceTypeSpec = {
  type: 'INTERNAL_ACCOUNT',
  schema: 'types/internal_account',
  payloadKey: 'internal_account',
  plural: 'internal-accounts',
  paths: {
    create: '/v1/internal-accounts',
    get: '/v1/internal-accounts/{id}',
    list: '/v1/internal-accounts',
    batchGet: '/v1/internal-accounts:batchGet',
  },
  listKey: 'internal_accounts',
  idField: 'id',
  views: null,
  parent: { field: 'product_id', filter: 'product_id' },
  match: { scope: 'all', keys: [{ by: 'id' }] },
  update: null,
  immutable: false,
  activation: null,
  references: [{ field: 'product_id', each: false, kind: 'PRODUCT' }],
  priority: 7,
  responseFields: [
    'id',
    'product_id',
    'product_version_id',
    'permitted_denominations',
    'status',
    'create_timestamp',
    'accounting',
    'details',
  ],
};
