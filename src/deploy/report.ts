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

/**
 * What `--events` writes, one JSON object per line (schemas/events.schema.json): the run starts
 * (with the total), each resource starts and ends (with its error), is blocked by a failed
 * ancestor or skipped as an unsupported type, each marked version is activated (or fails), and
 * the run finishes with its status and summary.
 */
export type DeployEvent =
  | { event: 'run_started'; at: string; run_id: string; command: 'import'; total: number; target: string }
  | { event: 'resource_started'; at: string; resource_id: string; resource_type: string }
  | {
      event: 'resource_result';
      at: string;
      resource_id: string;
      resource_type: string;
      action: ImportAction | PlanAction | 'failed';
      vault_id: string | null;
      error?: ReportError;
    }
  | {
      event: 'resource_blocked';
      at: string;
      resource_id: string;
      resource_type: string;
      blocked_by: string[];
    }
  | { event: 'resource_skipped'; at: string; resource_id: string; resource_type: string; reason: string }
  | {
      event: 'activation';
      at: string;
      resource_id: string;
      resource_type: string;
      target: string;
      version_id: string | null;
      action: 'activated' | 'unchanged' | 'failed' | 'pending';
      /** With `pending`: the activation request a second person approves (server start --require-approval). */
      activation_request_id?: string;
      error?: { code: string; message: string };
    }
  | {
      event: 'run_finished';
      at: string;
      run_id: string;
      status: string;
      summary: { counts: Record<string, number>; skipped: number; duration_ms: number; interrupted: boolean };
    };

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
