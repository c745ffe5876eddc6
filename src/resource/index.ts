/**
 * The resource-type registry: one entry per type Strata imports (`./types/*`), read by validate,
 * plan, import, convert and the server, so each per-type fact is written once. Lookups and the
 * small pure functions over entries live here; natural keys in `./keys.ts`, update masks in
 * `./update.ts`, version numbers in `./version.ts`.
 */
import { isRecord } from '../util/record.js';
import type { Fields, ResourceType, ResourceTypeSpec } from './spec.js';
import { accountScheduleTag } from './types/account-schedule-tag.js';
import { calendarEvent } from './types/calendar-event.js';
import { calendar } from './types/calendar.js';
import { contractModuleVersion } from './types/contract-module-version.js';
import { contractModule } from './types/contract-module.js';
import { flagDefinition } from './types/flag-definition.js';
import { globalParameter } from './types/global-parameter.js';
import { internalAccount } from './types/internal-account.js';
import { smartContractModuleVersionsLink } from './types/smart-contract-module-versions-link.js';
import { smartContractVersion } from './types/smart-contract-version.js';
import { supervisorContractVersion } from './types/supervisor-contract-version.js';
import { supervisorContract } from './types/supervisor-contract.js';
import { workflowDefinitionVersion } from './types/workflow-definition-version.js';

export * from './spec.js';

const REGISTRY: Readonly<Record<ResourceType, ResourceTypeSpec>> = {
  CALENDAR: calendar,
  FLAG_DEFINITION: flagDefinition,
  ACCOUNT_SCHEDULE_TAG: accountScheduleTag,
  GLOBAL_PARAMETER: globalParameter,
  CONTRACT_MODULE: contractModule,
  CONTRACT_MODULE_VERSION: contractModuleVersion,
  SMART_CONTRACT_VERSION: smartContractVersion,
  INTERNAL_ACCOUNT: internalAccount,
  SMART_CONTRACT_MODULE_VERSIONS_LINK: smartContractModuleVersionsLink,
  SUPERVISOR_CONTRACT: supervisorContract,
  SUPERVISOR_CONTRACT_VERSION: supervisorContractVersion,
  CALENDAR_EVENT: calendarEvent,
  WORKFLOW_DEFINITION_VERSION: workflowDefinitionVersion,
};

/** Type names CLU knows that Strata does not import: validate warns, import and convert skip them. */
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
  return Object.hasOwn(REGISTRY, type);
}

export function resourceSpec(type: ResourceType): ResourceTypeSpec {
  return REGISTRY[type];
}

/** Tie-break rank in the import order; internal product versions come before internal accounts. */
export function typePriority(type: ResourceType, isInternal: boolean): number {
  const spec = REGISTRY[type];
  return isInternal ? (spec.internalPriority ?? spec.priority) : spec.priority;
}

/** The object under the type's payload key (`{product_version: {...}}` -> `{...}`); {} when absent. */
export function payloadObject(spec: ResourceTypeSpec, payload: unknown): Fields {
  const object = isRecord(payload) ? payload[spec.payloadKey] : undefined;
  return isRecord(object) ? object : {};
}

/** A path template with `{id}` filled in, URL-encoded. */
export function fillPath(template: string, id: string): string {
  return template.replace('{id}', encodeURIComponent(id));
}

/**
 * The server id of an object that the client knows before creating it: its payload id, or its
 * derived id. Undefined when the server generates it, or when it still holds a reference.
 */
export function offlineId(spec: ResourceTypeSpec, object: Fields): string | undefined {
  const id = spec.derivedId
    ? spec.derivedId(object)
    : spec.idField === null
      ? undefined
      : object[spec.idField];
  return typeof id === 'string' && !id.includes('&{') ? id : undefined;
}
