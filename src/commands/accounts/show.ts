import { Args } from '@oclif/core';
import { serverFlags } from '../../deploy/flags.js';
import { showAccount } from '../../ledger/remote.js';
import { formatBalances } from '../../ledger/format.js';
import { LedgerCommand } from '../../ledger/command.js';

export default class AccountsShow extends LedgerCommand {
  static override summary = 'Show an account and its live balances.';
  static override examples = ['<%= config.bin %> accounts show acc-1'];
  static override args = { id: Args.string({ required: true, description: 'account id' }) };
  static override flags = { ...serverFlags };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(AccountsShow);
    const shown = await this.withServer(flags, (client) => showAccount(client, args.id));
    if (this.outputJson(flags)) {
      this.emit(JSON.stringify(shown));
      return;
    }
    const a = shown.account;
    this.emit(
      [
        `account ${a.id} ${a.status}`,
        `  product ${a.product_id} (version ${a.product_version_id})`,
        `  stakeholders ${a.stakeholder_ids.join(', ')}; denominations ${a.permitted_denominations.join(', ')}`,
        `  opened ${a.opening_timestamp}`,
        formatBalances(shown.balances),
      ].join('\n'),
    );
  }
}
