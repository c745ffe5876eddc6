import { Args } from '@oclif/core';
import { planRollback } from '../release/actions.js';
import { activationFlags, ActivationCommand, type ActivationResult } from '../release/activation-command.js';
import { releaseServerFlags } from '../release/command.js';
import { UsageError } from '../errors.js';

export default class Rollback extends ActivationCommand {
  static override summary = 'Activate the version that was current before the latest activation.';
  static override description =
    'Reads the history (strata history) and activates the from-version of the latest activation, like strata activate: shown, confirmed (--yes without a terminal), idempotent, left pending on a server that requires approval. Rolling back twice returns to where you started. Exit 0 done, 1 error (nothing to roll back to: E_NO_ROLLBACK), 3 unreachable or refused, 4 pending approval.';
  static override examples = [
    '<%= config.bin %> rollback current_account --env production --reason "INC-311"',
    '<%= config.bin %> rollback workflow ONBOARDING --env staging --yes',
  ];
  static override args = {
    target: Args.string({ required: true, description: 'product id, or the word workflow' }),
    workflow: Args.string({ required: false, description: 'after workflow: the workflow id' }),
  };
  static override flags = { ...releaseServerFlags, ...activationFlags };

  async run(): Promise<ActivationResult> {
    const { args, flags } = await this.parse(Rollback);
    if (args.workflow !== undefined && args.target !== 'workflow') {
      throw new UsageError(
        `unexpected argument ${args.workflow}`,
        'strata rollback PRODUCT, or strata rollback workflow ID',
      );
    }
    const workflow = args.workflow !== undefined;
    const target = workflow ? (args.workflow as string) : args.target;
    return this.activation(flags, 'roll back', (client) =>
      planRollback(client, {
        kind: workflow ? 'workflow' : 'product',
        target,
        reason: flags.reason ?? 'rollback',
      }),
    );
  }
}
