/** What `approve` and `reject` share: show the request, confirm, decide, report. */
import { Args, Flags } from '@oclif/core';
import type { OutputFlags } from '../base.js';
import type { TargetFlags } from '../config/config.js';
import { EXIT } from '../errors.js';
import { decide, readRequest } from './actions.js';
import { confirmFlags, ReleaseCommand, releaseServerFlags } from './command.js';
import { formatRequest, type NamedRequest } from './format.js';
import { named, VersionNames } from './names.js';

export interface DecisionResult {
  environment: string | null;
  url: string;
  status: 'APPROVED' | 'REJECTED' | 'CANCELLED';
  request: NamedRequest;
  request_id: string | null;
  replayed: boolean;
}

export const decisionArgs = {
  id: Args.string({ required: true, description: 'the activation request id (strata approvals)' }),
};
export const decisionFlags = { ...releaseServerFlags, ...confirmFlags };
export const reasonFlag = (required: boolean) =>
  Flags.string({
    required,
    description: required ? 'Why it is rejected (required).' : 'Why (recorded with the decision).',
  });

export abstract class DecisionCommand extends ReleaseCommand {
  protected async decision(
    id: string,
    decision: 'approve' | 'reject',
    reason: string,
    flags: TargetFlags & OutputFlags & { config?: string | undefined; quiet?: boolean; yes?: boolean },
  ): Promise<DecisionResult> {
    const result = await this.withSession(
      flags,
      ['read', 'config:approve'],
      `to ${decision}`,
      async ({ client, target }) => {
        const names = new VersionNames(client);
        const before = await named(names, await readRequest(client, id));
        if (!flags.quiet) this.note(formatRequest(before));
        const base = { environment: target.environment, url: target.url };
        if (!(await this.confirm(`${decision} activation request ${id}?`, flags.yes))) {
          return {
            ...base,
            status: 'CANCELLED' as const,
            request: before,
            request_id: null,
            replayed: false,
          };
        }
        const done = await decide(client, { id, decision, reason });
        return {
          ...base,
          status: decision === 'approve' ? ('APPROVED' as const) : ('REJECTED' as const),
          request: await named(names, done.request),
          request_id: done.request_id,
          replayed: done.replayed,
        };
      },
    );
    const text = (): string =>
      result.status === 'CANCELLED'
        ? 'cancelled: nothing was done'
        : `${result.status} activation request ${result.request.id}: ${result.request.target} ${result.request.from_version ?? 'no version'} -> ${result.request.to_version}${result.status === 'APPROVED' ? ' is active' : ' stays inactive'}${result.replayed ? ' (already done by an earlier run)' : ''}`;
    return this.complete(
      result,
      this.outputJson(flags),
      text,
      result.status === 'CANCELLED' ? EXIT.FAILURE : EXIT.OK,
    );
  }
}
