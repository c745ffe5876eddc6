import { Flags } from '@oclif/core';
import { StrataCommand } from '../../../base.js';
import { serverDataDirFlag } from '../../../config/data-dir.js';
import { SCOPES } from '../../../server/auth.js';
import { createToken } from '../../../server/tokens.js';

export default class ServerTokenCreate extends StrataCommand {
  static override summary = 'Issue an API token for the server of a data dir (or database).';
  static override description =
    'Prints the token once on stdout; only its SHA-256 hash is stored. Works while the server runs.';
  static override examples = [
    '<%= config.bin %> server token create --scope config:write --scope read --name ci-import',
    '<%= config.bin %> server token create --scope admin --data-dir /var/lib/strata',
  ];
  static override flags = {
    scope: Flags.option({
      options: SCOPES,
      multiple: true,
      required: true,
      description: 'Scope (repeatable).',
    })(),
    name: Flags.string({
      default: 'cli',
      description: 'A name to recognise the token by (recorded with activations).',
    }),
    ...serverDataDirFlag,
    database: Flags.string({ description: 'sqlite:PATH or a postgres:// URL.' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(ServerTokenCreate);
    const issued = await createToken({
      scopes: flags.scope,
      name: flags.name,
      dataDir: this.dataDir(flags),
      database: flags.database,
    });
    if (this.outputJson(flags)) {
      this.emit(
        JSON.stringify({ token: issued.token, id: issued.id, name: issued.name, scopes: issued.scopes }),
      );
    } else {
      this.emit(issued.token);
      if (!flags.quiet)
        process.stderr.write(`token ${issued.id} (${issued.name}) with scopes ${issued.scopes.join(', ')}\n`);
    }
  }
}
