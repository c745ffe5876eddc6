import { Args, Flags } from '@oclif/core';
import { serverFlags } from '../deploy/flags.js';
import { readBalances } from '../ledger/remote.js';
import { formatBalances } from '../ledger/format.js';
import { LedgerCommand } from '../ledger/command.js';

export default class Balances extends LedgerCommand {
  static override summary = "An account's balances, live or as of a time.";
  static override description =
    'One line per balance (address, asset, denomination, phase): the amount in the account tside, exact.';
  static override examples = [
    '<%= config.bin %> balances acc-1',
    '<%= config.bin %> balances acc-1 --at 2024-03-01T00:00:00Z',
  ];
  static override args = { account: Args.string({ required: true, description: 'account id' }) };
  static override flags = {
    ...serverFlags,
    at: Flags.string({ description: 'As of this RFC 3339 time (backdated postings included).' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Balances);
    const result = await this.withServer(flags, (client) => readBalances(client, args.account, flags.at));
    if (this.outputJson(flags)) this.emit(JSON.stringify(result));
    else
      this.emit(
        `${args.account}${result.at ? ` as of ${result.at}` : ' (live)'}\n${formatBalances(result.balances)}`,
      );
  }
}
