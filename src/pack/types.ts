/**
 * The resource types Strata imports, in the tie-break priority of the import order (packs.md 3),
 * and the type names CLU knows that Strata does not import.
 */
export const RESOURCE_TYPES = [
  'CALENDAR',
  'FLAG_DEFINITION',
  'ACCOUNT_SCHEDULE_TAG',
  'GLOBAL_PARAMETER',
  'CONTRACT_MODULE',
  'CONTRACT_MODULE_VERSION',
  'SMART_CONTRACT_VERSION',
  'INTERNAL_ACCOUNT',
  'SMART_CONTRACT_MODULE_VERSIONS_LINK',
  'SUPERVISOR_CONTRACT',
  'SUPERVISOR_CONTRACT_VERSION',
  'CALENDAR_EVENT',
  'WORKFLOW_DEFINITION_VERSION',
] as const;

export type ResourceType = (typeof RESOURCE_TYPES)[number];

export const UNSUPPORTED_TYPES: ReadonlySet<string> = new Set([
  'ACCOUNT',
  'PROCESSING_GROUP',
  'POSTINGS_API_CLIENT',
  'RESTRICTION_SET_DEFINITION_VERSION',
  'ROLE',
  'POLICY',
  'SERVICE_ACCOUNT',
  'PAYMENT_DEVICE',
  'PAYMENT_DEVICE_LINK',
  'PLAN',
  'GLOBAL_PARAMETER_VALUE',
]);

export function isResourceType(type: string): type is ResourceType {
  return (RESOURCE_TYPES as readonly string[]).includes(type);
}

/**
 * Tie-break rank in the import order. Internal smart contract versions come before internal
 * accounts (which reference them), other smart contract versions after.
 */
export function typePriority(type: ResourceType, isInternal: boolean): number {
  switch (type) {
    case 'CALENDAR':
      return 0;
    case 'FLAG_DEFINITION':
      return 1;
    case 'ACCOUNT_SCHEDULE_TAG':
      return 2;
    case 'GLOBAL_PARAMETER':
      return 3;
    case 'CONTRACT_MODULE':
      return 4;
    case 'CONTRACT_MODULE_VERSION':
      return 5;
    case 'SMART_CONTRACT_VERSION':
      return isInternal ? 6 : 8;
    case 'INTERNAL_ACCOUNT':
      return 7;
    case 'SMART_CONTRACT_MODULE_VERSIONS_LINK':
      return 9;
    case 'SUPERVISOR_CONTRACT':
      return 10;
    case 'SUPERVISOR_CONTRACT_VERSION':
      return 11;
    case 'CALENDAR_EVENT':
      return 12;
    case 'WORKFLOW_DEFINITION_VERSION':
      return 13;
  }
}

/** Payload key of each type (the object inside the payload and the request body). */
export const PAYLOAD_KEY: Record<ResourceType, string> = {
  CALENDAR: 'calendar',
  FLAG_DEFINITION: 'flag_definition',
  ACCOUNT_SCHEDULE_TAG: 'account_schedule_tag',
  GLOBAL_PARAMETER: 'global_parameter',
  CONTRACT_MODULE: 'contract_module',
  CONTRACT_MODULE_VERSION: 'contract_module_version',
  SMART_CONTRACT_VERSION: 'product_version',
  INTERNAL_ACCOUNT: 'internal_account',
  SMART_CONTRACT_MODULE_VERSIONS_LINK: 'smart_contract_module_versions_link',
  SUPERVISOR_CONTRACT: 'supervisor_contract',
  SUPERVISOR_CONTRACT_VERSION: 'supervisor_contract_version',
  CALENDAR_EVENT: 'calendar_event',
  WORKFLOW_DEFINITION_VERSION: 'workflow_definition_version',
};

/** Schema file name (under schemas/types/) of each type. */
export function typeSchemaName(type: ResourceType): string {
  return type.toLowerCase();
}

/**
 * Types whose objects belong to a parent object: the payload field naming it and the query
 * parameter that filters the type's list by it (repeatable). Shared by the server and the client.
 */
export const LIST_PARENTS: Partial<Record<ResourceType, { field: string; filter: string }>> = {
  SMART_CONTRACT_VERSION: { field: 'product_id', filter: 'product_id' },
  INTERNAL_ACCOUNT: { field: 'product_id', filter: 'product_id' },
  CALENDAR_EVENT: { field: 'calendar_id', filter: 'calendar_ids' },
  CONTRACT_MODULE_VERSION: { field: 'contract_module_id', filter: 'contract_module_id' },
  SMART_CONTRACT_MODULE_VERSIONS_LINK: {
    field: 'smart_contract_version_id',
    filter: 'smart_contract_version_ids',
  },
  SUPERVISOR_CONTRACT_VERSION: { field: 'supervisor_contract_id', filter: 'supervisor_contract_id' },
  WORKFLOW_DEFINITION_VERSION: { field: 'workflow_definition_id', filter: 'workflow_definition_id' },
};
