/** Storage kinds of the server's objects besides the resource types (whose kind is their type). */
import type { VersionedKind } from '../../resource/index.js';

export const PRODUCT = 'PRODUCT' satisfies VersionedKind;
export const WORKFLOW_DEFINITION = 'WORKFLOW_DEFINITION' satisfies VersionedKind;
/** A global parameter's value, created with the parameter from its `initial_value`. */
export const GLOBAL_PARAMETER_VALUE = 'GLOBAL_PARAMETER_VALUE';
/** A record of one activation: who made which version current, when, from which. */
export const ACTIVATION = 'ACTIVATION';
