import {
  decisionArgs,
  DecisionCommand,
  decisionFlags,
  reasonFlag,
  type DecisionResult,
} from '../release/decision-command.js';

export default class Reject extends DecisionCommand {
  static override summary = 'Reject an activation request (four-eyes): nothing changes.';
  static override description =
    'Needs a token with scope config:approve of another person than the requester (else exit 3, E_SAME_ACTOR) and a --reason. Shows the request and asks on a terminal; --yes without one. Exit 0 rejected, 1 error, 3 unreachable or refused.';
  static override examples = [
    '<%= config.bin %> reject 3f2c... --env production --reason "not in the change window"',
  ];
  static override args = decisionArgs;
  static override flags = { ...decisionFlags, reason: reasonFlag(true) };

  async run(): Promise<DecisionResult> {
    const { args, flags } = await this.parse(Reject);
    return this.decision(args.id, 'reject', flags.reason ?? '', flags);
  }
}
