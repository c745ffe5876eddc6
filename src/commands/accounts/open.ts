import { Flags } from '@oclif/core';
import { serverFlags } from '../../deploy/flags.js';
import { openAccount } from '../../ledger/remote.js';
import { LedgerCommand } from '../../ledger/command.js';

export default class AccountsOpen extends LedgerCommand {
  static override summary = 'Open a customer account on a product (its current version).';
  static override description =
    'The request id is derived from the flags, so running the same command again answers with the same account instead of opening a second one.';
  static override examples = [
    '<%= config.bin %> accounts open --product current_account --customer alice --denomination GBP',
  ];
  static override flags = {
    ...serverFlags,
    product: Flags.string({ required: true, description: 'Product id (an imported product).' }),
    customer: Flags.string({ required: true, description: 'Customer id (the stakeholder).' }),
    denomination: Flags.string({
      multiple: true,
      default: ['GBP'],
      description: 'Permitted denomination (repeatable).',
    }),
    id: Flags.string({ description: 'Account id (default: the server generates one).' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(AccountsOpen);
    const { account, replayed } = await this.withServer(flags, (client) =>
      openAccount(client, {
        product: flags.product,
        customer: flags.customer,
        denominations: flags.denomination,
        id: flags.id,
      }),
    );
    if (this.outputJson(flags)) this.emit(JSON.stringify({ account, replayed }));
    else
      this.emit(
        `${replayed ? 'already opened' : 'opened'} account ${account.id} on ${account.product_id} (version ${account.product_version_id}) for ${account.stakeholder_ids.join(', ')}`,
      );
  }
}
