import { Flags } from '@oclif/core';
import { StrataCommand } from '../../base.js';
import { serverDataDirFlag } from '../../config/data-dir.js';
import { EXIT } from '../../errors.js';
import { verifyDatabase } from '../../server/ledger/verify.js';

export default class ServerVerify extends StrataCommand {
  static override summary = "Check the ledger's invariants in a data dir (or database), offline.";
  static override description =
    'Every batch nets to zero; stored balances equal balances recomputed from postings (and from their entries); no request id has two batches; event sequences have no gaps and every batch has its event; client transactions agree with their postings. Exit 0 when clean, 1 with findings (each names the rows involved). Read-only; safe while the server runs.';
  static override examples = [
    '<%= config.bin %> server verify',
    '<%= config.bin %> server verify --database postgres://postgres@127.0.0.1:5432/strata --json',
  ];
  static override flags = {
    ...serverDataDirFlag,
    database: Flags.string({ description: 'sqlite:PATH or a postgres:// URL.' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(ServerVerify);
    const report = await verifyDatabase({ dataDir: this.dataDir(flags), database: flags.database });
    if (this.outputJson(flags)) {
      this.emit(JSON.stringify(report));
    } else {
      const c = report.counts;
      for (const f of report.findings) this.emit(`${f.check} ${f.message} [${f.rows.join('; ')}]`);
      if (!flags.quiet || !report.ok) {
        process.stderr.write(
          `${report.ok ? 'clean' : `${report.findings.length} finding(s)`}: ${c.batches} batches, ${c.postings} postings, ${c.balances} balances, ${c.events} events, ${c.client_transactions} client transactions\n`,
        );
      }
    }
    process.exitCode = report.ok ? EXIT.OK : EXIT.FAILURE;
  }
}
