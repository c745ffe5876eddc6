import { Args } from '@oclif/core';
import { serverFlags } from '../deploy/flags.js';
import { EXIT } from '../errors.js';
import { postBatches, readBatchFile, type PostResult } from '../ledger/remote.js';
import { LedgerCommand } from '../ledger/command.js';

export default class Post extends LedgerCommand {
  static override summary = 'Post posting instruction batches from an NDJSON or YAML file.';
  static override description =
    'Each line (NDJSON) or document or list item (YAML) is a batch, or a request {request_id, posting_instruction_batch}. Batches that share a customer account or a client transaction are posted in file order; others in parallel (--concurrency). A request id is derived from each batch content unless given, so posting the same file again (after an interruption, say) replays what was posted and posts the rest: nothing twice. YAML amounts may be unquoted and are read as written. Exit 0 all accepted, 2 some rejected or refused, 1 none accepted, 3 unreachable.';
  static override examples = [
    '<%= config.bin %> post batches.ndjson --concurrency 16',
    '<%= config.bin %> post transfers.yaml --json',
  ];
  static override args = {
    file: Args.string({ required: true, description: 'NDJSON (.ndjson, .jsonl) or YAML (.yaml, .yml) file' }),
  };
  static override flags = { ...serverFlags };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Post);
    const inputs = readBatchFile(args.file);
    const result = await this.withServer(flags, (client, target) =>
      postBatches(client, args.file, inputs, {
        concurrency: target.concurrency,
        onProgress: (done, total, last) => {
          if (flags.quiet) return;
          if (last.status !== 'ACCEPTED') {
            const why = last.error ? `${last.error.code} ${last.error.message}` : last.violations.join('; ');
            process.stderr.write(`${last.at} ${last.status} ${why}\n`);
          }
          if (done === total || done % 100 === 0) process.stderr.write(`posted ${done}/${total}\n`);
        },
      }),
    );
    this.emit(this.outputJson(flags) ? JSON.stringify(result) : summary(result));
    process.exitCode = exitCode(result);
  }
}

function summary(r: PostResult): string {
  const c = r.counts;
  return `${r.file}: ${c.batches} batches, ${c.accepted} accepted, ${c.rejected} rejected, ${c.errors} refused (${c.replayed} replayed)`;
}

export function exitCode(r: PostResult): number {
  if (r.counts.accepted === r.counts.batches) return EXIT.OK;
  return r.counts.accepted === 0 ? EXIT.FAILURE : EXIT.PARTIAL;
}
