/** What `activate` and `rollback` share: show from -> to, confirm, send, report (exit 0, 1, 3, 4). */
import { Flags } from '@oclif/core';
import { EXIT } from '../errors.js';
import type { OutputFlags } from '../base.js';
import type { VaultClient } from '../client/client.js';
import type { TargetFlags } from '../config/config.js';
import { applyActivation, type ActivationPlan, type ActivationStatus } from './actions.js';
import { confirmFlags, ReleaseCommand } from './command.js';
import { formatActivation, formatPlan } from './format.js';
import { requiresApproval } from './remote.js';

export interface ActivationResult {
  environment: string | null;
  url: string;
  kind: 'product' | 'workflow';
  target: string;
  from_version_id: string | null;
  from_version: string | null;
  to_version_id: string;
  to_version: string;
  reason: string;
  status: ActivationStatus | 'CANCELLED';
  request_id: string | null;
  activation_request_id: string | null;
  replayed: boolean;
}

export const activationFlags = {
  ...confirmFlags,
  reason: Flags.string({ description: 'Why (recorded with the activation and shown by strata history).' }),
};

const EXIT_OF: Record<ActivationResult['status'], number> = {
  ACTIVATED: EXIT.OK,
  ALREADY_CURRENT: EXIT.OK,
  PENDING_APPROVAL: EXIT.PENDING,
  CANCELLED: EXIT.FAILURE,
};

export abstract class ActivationCommand extends ReleaseCommand {
  protected async activation(
    flags: TargetFlags & OutputFlags & { config?: string | undefined; quiet?: boolean; yes?: boolean },
    verb: string,
    plan: (client: VaultClient) => Promise<ActivationPlan>,
  ): Promise<ActivationResult> {
    const json = this.outputJson(flags);
    const result = await this.withSession(
      flags,
      ['read', 'config:activate'],
      `to ${verb}`,
      async ({ client, target }) => {
        const p = await plan(client);
        const base = {
          environment: target.environment,
          url: target.url,
          kind: p.kind,
          target: p.target,
          from_version_id: p.from?.id ?? null,
          from_version: p.from?.version ?? null,
          to_version_id: p.to.id,
          to_version: p.to.version,
          reason: p.reason,
        };
        const none = { request_id: null, activation_request_id: null, replayed: false };
        if (p.from?.id === p.to.id) return { ...base, status: 'ALREADY_CURRENT' as const, ...none };
        const pending = await requiresApproval(client);
        if (!flags.quiet) this.note(formatPlan(p, pending));
        if (!(await this.confirm(`${verb} ${p.target} ${p.to.version}?`, flags.yes))) {
          return { ...base, status: 'CANCELLED' as const, ...none };
        }
        return { ...base, ...(await applyActivation(client, target.url, p)) };
      },
    );
    return this.complete(
      result,
      json,
      () => formatActivation(result, this.stdoutStyle(flags)),
      EXIT_OF[result.status],
    );
  }
}
