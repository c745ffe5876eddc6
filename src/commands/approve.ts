import {
  decisionArgs,
  DecisionCommand,
  decisionFlags,
  reasonFlag,
  type DecisionResult,
} from '../release/decision-command.js';

export default class Approve extends DecisionCommand {
  static override summary = 'Approve an activation request (four-eyes): the activation is applied.';
  static override description =
    'Needs a token with scope config:approve of another person than the requester (else exit 3, E_SAME_ACTOR). The activation is applied atomically, only if the version active when the request was made is still active (else exit 1, E_STALE_ACTIVATION: reject it and request again). Shows the request and asks on a terminal; --yes without one. Exit 0 approved, 1 error, 3 unreachable or refused.';
  static override examples = [
    '<%= config.bin %> approve 3f2c... --env production --reason "checked CHG-1042"',
  ];
  static override args = decisionArgs;
  static override flags = { ...decisionFlags, reason: reasonFlag(false) };

  async run(): Promise<DecisionResult> {
    const { args, flags } = await this.parse(Approve);
    return this.decision(args.id, 'approve', flags.reason ?? '', flags);
  }
}
