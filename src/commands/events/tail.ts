import { Flags } from '@oclif/core';
import { serverFlags } from '../../deploy/flags.js';
import { tailEvents } from '../../ledger/remote.js';
import { LedgerCommand } from '../../ledger/command.js';

export default class EventsTail extends LedgerCommand {
  static override summary = 'Print events as NDJSON, from a sequence, optionally following new ones.';
  static override description =
    'One JSON object per line: {sequence, topic, key, timestamp, payload}. Without --follow it stops at the last event; with --follow it waits for more until interrupted (exit 0). Resume with --from LAST_SEQUENCE.';
  static override examples = [
    '<%= config.bin %> events tail --from 0',
    '<%= config.bin %> events tail --topic vault.core_api.v1.postings.posting_instruction_batch.created --follow',
  ];
  static override flags = {
    ...serverFlags,
    topic: Flags.string({ multiple: true, description: 'Only this topic (repeatable).' }),
    from: Flags.integer({ default: 0, min: 0, description: 'Print events after this sequence.' }),
    follow: Flags.boolean({ description: 'Keep waiting for new events.' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(EventsTail);
    const stop = new AbortController();
    const interrupt = (): void => stop.abort();
    process.once('SIGINT', interrupt);
    process.once('SIGTERM', interrupt);
    try {
      await this.withServer(flags, (client) =>
        tailEvents(
          client,
          { from: flags.from, topics: flags.topic ?? [], follow: flags.follow, signal: stop.signal },
          (e) => this.emit(JSON.stringify(e)),
        ),
      );
    } finally {
      process.removeListener('SIGINT', interrupt);
      process.removeListener('SIGTERM', interrupt);
    }
  }
}
