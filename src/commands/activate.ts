import { Args } from '@oclif/core';
import { planActivation } from '../release/actions.js';
import { activationFlags, ActivationCommand, type ActivationResult } from '../release/activation-command.js';
import { releaseServerFlags } from '../release/command.js';
import { UsageError } from '../errors.js';

export default class Activate extends ActivationCommand {
  static override summary = "Make a version a product's current version (or a workflow's default version).";
  static override description =
    'Shows the change (from -> to; for a product, new accounts open on the new version and existing accounts stay), asks on a terminal, and needs --yes without one (exit 64, nothing done). VERSION is a version number (1.2.0) or a version id. The request id is derived from the environment, the target, the version, the current version and the reason, so running it again does not activate twice. On a server that requires approval the activation is left pending for another person (exit 4). Exit 0 done or already current, 1 error, 3 unreachable or refused, 4 pending approval.';
  static override examples = [
    '<%= config.bin %> activate current_account 1.3.0 --env production --reason "CHG-1042: new rates"',
    '<%= config.bin %> activate workflow ONBOARDING 2.0.0 --env staging --yes',
  ];
  static override args = {
    target: Args.string({ required: true, description: 'product id, or the word workflow' }),
    version: Args.string({
      required: true,
      description: 'version (number or id); after workflow: the workflow id',
    }),
    workflowVersion: Args.string({ required: false, description: 'after workflow ID: the version' }),
  };
  static override flags = { ...releaseServerFlags, ...activationFlags };

  async run(): Promise<ActivationResult> {
    const { args, flags } = await this.parse(Activate);
    const workflow = args.target === 'workflow' && args.workflowVersion !== undefined;
    if (!workflow && args.workflowVersion !== undefined) {
      throw new UsageError(
        `unexpected argument ${args.workflowVersion}`,
        'strata activate PRODUCT VERSION, or strata activate workflow ID VERSION',
      );
    }
    return this.activation(flags, 'activate', (client) =>
      planActivation(client, {
        kind: workflow ? 'workflow' : 'product',
        target: workflow ? args.version : args.target,
        version: workflow ? (args.workflowVersion as string) : args.version,
        reason: flags.reason ?? '',
      }),
    );
  }
}
