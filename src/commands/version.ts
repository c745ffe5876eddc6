import { StrataCommand } from '../base.js';
import { EXIT } from '../errors.js';
import { VERSION } from '../version.js';

/** `version`: what CLU pipelines run first (`clu version`); the same line as --version. */
export interface VersionResult {
  name: string;
  version: string;
  node: string;
  platform: string;
}

export default class Version extends StrataCommand {
  static override summary = 'Print the version of strata (as --version and -v do).';
  static override description =
    'CLU compatibility: pipelines written for CLU run `clu version` first. The text is the same line as --version; --output json gives {name, version, node, platform}.';
  static override examples = ['<%= config.bin %> version', '<%= config.bin %> version --output json'];

  async run(): Promise<VersionResult> {
    const { flags } = await this.parse(Version);
    const result: VersionResult = {
      name: this.config.bin,
      version: VERSION,
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
    };
    return this.complete(result, this.outputJson(flags), () => this.config.userAgent, EXIT.OK);
  }
}
