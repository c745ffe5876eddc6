import { Flags } from '@oclif/core';
import { StrataCommand } from '../../base.js';
import { serverDataDirFlag } from '../../config/data-dir.js';
import { EXIT, UsageError } from '../../errors.js';
import { Denominations } from '../../ledger/money.js';
import { BatchedLog } from '../../server/log.js';
import { startServer } from '../../server/server.js';
import { env } from '../../env.js';

export default class ServerStart extends StrataCommand {
  static override summary = 'Run the bundled server (Vault-compatible configuration and ledger API).';
  static override description =
    'Prints its address and, on the first start of an empty store, an admin token (once). Logs one JSON line per request on stderr. SIGTERM or SIGINT drain it: stop accepting, finish in-flight requests, close the storage, exit 0.';
  static override examples = [
    '<%= config.bin %> server start',
    '<%= config.bin %> server start --port 0 --data-dir /tmp/strata',
    '<%= config.bin %> server start --database postgres://postgres@127.0.0.1:5432/strata',
  ];
  static override flags = {
    host: Flags.string({ default: '127.0.0.1', description: 'Address to bind.' }),
    port: Flags.integer({ default: 8055, min: 0, max: 65535, description: 'Port (0: any free port).' }),
    ...serverDataDirFlag,
    database: Flags.string({
      description: 'sqlite:PATH or a postgres:// URL (default: SQLite under --data-dir).',
    }),
    denomination: Flags.string({
      multiple: true,
      description:
        'Ledger denomination as CODE=EXPONENT (repeatable), e.g. USDC=6; ISO 4217 codes are known, other 3-letter codes default to 2.',
    }),
    'require-approval': Flags.boolean({
      default: false,
      description:
        'Four-eyes: activations are stored as requests that a token of another actor with scope config:approve approves (strata approve) or rejects.',
    }),
    'tls-cert': Flags.string({ description: 'PEM certificate: serve HTTPS (with --tls-key).' }),
    'tls-key': Flags.string({ description: 'PEM private key of --tls-cert.' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(ServerStart);
    let denominations: Denominations;
    try {
      denominations = Denominations.fromSettings(flags.denomination ?? []);
    } catch (e) {
      throw new UsageError(`--denomination: ${(e as Error).message}`);
    }
    const log = new BatchedLog(process.stderr);
    const server = await startServer({
      host: flags.host,
      port: flags.port,
      dataDir: this.dataDir(flags),
      database: flags.database,
      tlsCert: flags['tls-cert'],
      tlsKey: flags['tls-key'],
      bootstrapToken: env('STRATA_BOOTSTRAP_TOKEN'),
      log,
      logLevel: flags.quiet ? 'error' : 'info',
      denominations,
      requireApproval: flags['require-approval'],
    });
    if (this.outputJson(flags)) {
      this.emit(
        JSON.stringify({
          url: server.url,
          storage: server.storage,
          require_approval: flags['require-approval'],
          ...(server.generatedToken !== undefined ? { bootstrap_token: server.generatedToken } : {}),
        }),
      );
    } else {
      this.emit(`strata server listening on ${server.url} (storage ${server.storage})`);
      if (flags['require-approval'])
        this.emit('four-eyes: activations wait for approval by another actor (strata approvals)');
      if (server.generatedToken !== undefined) {
        this.emit(`admin token (shown once, keep it safe): ${server.generatedToken}`);
      } else if (server.registeredBootstrapToken) {
        this.emit('admin token registered from STRATA_BOOTSTRAP_TOKEN');
      }
    }
    await new Promise<void>((resolve) => {
      const stop = (): void => {
        process.removeListener('SIGTERM', stop);
        process.removeListener('SIGINT', stop);
        server.close().then(
          () => {
            log.flush();
            resolve();
          },
          (e: unknown) => {
            process.stderr.write(`error E_SHUTDOWN ${String(e)}\n`);
            process.exitCode = EXIT.FAILURE;
            resolve();
          },
        );
      };
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
    });
  }
}
