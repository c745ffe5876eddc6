/**
 * What activation acts on: a product (its current version) or a workflow definition (its default
 * version). One table, so activation, approval and history treat both alike.
 */
import { PRODUCT, WORKFLOW_DEFINITION } from '../config/kinds.js';

export type TargetKind = 'product' | 'workflow';

export interface TargetSpec {
  kind: TargetKind;
  /** Storage kind of the target object. */
  objectKind: typeof PRODUCT | typeof WORKFLOW_DEFINITION;
  /** Storage kind of its versions. */
  versionKind: 'SMART_CONTRACT_VERSION' | 'WORKFLOW_DEFINITION_VERSION';
  /** The target's field holding the active version. */
  currentField: string;
  /** The key naming the target in activations and requests. */
  idKey: 'product_id' | 'workflow_definition_id';
  /** Cause recorded for a direct activation. */
  directCause: string;
}

export const TARGETS: Record<TargetKind, TargetSpec> = {
  product: {
    kind: 'product',
    objectKind: PRODUCT,
    versionKind: 'SMART_CONTRACT_VERSION',
    currentField: 'current_version_id',
    idKey: 'product_id',
    directCause: 'ACTIVATE_VERSION',
  },
  workflow: {
    kind: 'workflow',
    objectKind: WORKFLOW_DEFINITION,
    versionKind: 'WORKFLOW_DEFINITION_VERSION',
    currentField: 'default_workflow_definition_version_id',
    idKey: 'workflow_definition_id',
    directCause: 'SET_DEFAULT_VERSION',
  },
};

/** The storage key of a target (`product:<id>`), used as parent of activations and requests. */
export function targetKey(kind: TargetKind, id: string): string {
  return `${kind}:${id}`;
}

/** The active version named in a target object's body ('' when none). */
export function currentOf(spec: TargetSpec, body: Record<string, unknown>): string {
  const v = body[spec.currentField];
  return typeof v === 'string' ? v : '';
}
