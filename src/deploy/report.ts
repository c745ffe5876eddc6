/**
 * What plan and import report, per resource and per activation, and the progress events they
 * emit. One word per concept: plan predicts a `PlanAction`, import does an `ImportAction`, and a
 * resource that got neither is `Unfinished`.
 */
import { RequestError } from '../client/client.js';
import type { ResourceType } from '../resource/index.js';
import type { FieldChange } from './environment.js';

/** What plan predicts for a resource. */
export type PlanAction = 'create' | 'update' | 'unchanged' | 'conflict' | 'skip';

/** What import did to a resource. */
export type ImportAction = 'created' | 'updated' | 'unchanged' | 'skipped';

/** A resource that got no action: it failed, something it references failed, or the run stopped first. */
export type Unfinished = 'failed' | 'blocked' | 'not_started';

export interface ReportError {
  code: string;
  message: string;
  status?: number;
  field_violations?: Array<{ field: string; description: string }>;
}

export interface ResourceReport {
  pack: string | null;
  resource_id: string;
  resource_type: string;
  action: PlanAction | ImportAction | Unfinished;
  vault_id: string | null;
  request_id: string | null;
  changes: FieldChange[];
  error?: ReportError;
  blocked_by?: string[];
  /** plan, a product version it would create: its version number and the current one's. */
  version?: { version: string; current_version: string | null };
}

export interface ActivationReport {
  resource_id: string;
  resource_type: ResourceType;
  /** The product or workflow definition. */
  target: string;
  version_id: string | null;
  /** `pending`: the server requires approval; the activation waits as `activation_request_id`. */
  action: 'activate' | 'activated' | 'pending' | 'drift' | 'unchanged' | 'failed' | 'not_started';
  previous_version_id: string | null;
  activation_request_id?: string;
  error?: { code: string; message: string };
}

export interface DeployEvent {
  event: 'start' | 'result' | 'activation';
  resource_id: string;
  action?: string;
  at: string;
}

export interface DeployReport {
  resources: ResourceReport[];
  activations: ActivationReport[];
  interrupted: boolean;
}

/** An existing object the resource may not change (on_conflict, or a type that cannot be updated). */
export class Conflict extends Error {
  constructor(
    readonly changes: FieldChange[],
    message: string,
  ) {
    super(message);
  }
}

export function errorOf(err: unknown): ReportError {
  if (err instanceof RequestError) {
    return {
      code: err.code,
      message: err.message,
      ...(err.status ? { status: err.status } : {}),
      ...(err.fieldViolations.length > 0 ? { field_violations: err.fieldViolations } : {}),
    };
  }
  if (err instanceof Conflict) return { code: 'CONFLICT', message: err.message };
  return { code: 'ERROR', message: (err as Error).message };
}
