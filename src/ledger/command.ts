/** What the ledger commands share: the server flags, the target on stderr, API errors as exits. */
import { StrataCommand } from '../base.js';
import type { Target, TargetFlags } from '../config/config.js';
import { targetLine } from '../ui/target.js';
import type { VaultClient } from '../client/client.js';
import { commandError, connect } from './remote.js';

export abstract class LedgerCommand extends StrataCommand {
  /** Resolves the target, says it on stderr (never the token), and runs `fn` with a client. */
  protected async withServer<T>(
    flags: TargetFlags & { config?: string | undefined; quiet?: boolean },
    fn: (client: VaultClient, target: Target) => Promise<T>,
  ): Promise<T> {
    const target = this.target(flags);
    if (!flags.quiet) this.note(targetLine(target, null));
    const client = connect(target);
    try {
      return await fn(client, target);
    } catch (err) {
      throw commandError(err, target);
    } finally {
      await client.close();
    }
  }
}
