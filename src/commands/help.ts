import { Args, loadHelpClass } from '@oclif/core';
import { StrataCommand } from '../base.js';
import { EXIT } from '../errors.js';
import { unknownCommand } from '../hooks/not-found.js';

export default class Help extends StrataCommand {
  static override summary = 'Show help for strata, or for one command.';
  static override examples = [
    '<%= config.bin %> help',
    '<%= config.bin %> help import',
    '<%= config.bin %> help server token create',
  ];
  static override strict = false;
  static override args = {
    command: Args.string({ required: false, description: 'command to show help for' }),
  };

  async run(): Promise<void> {
    const { argv } = await this.parse(Help);
    const words = (argv as string[]).filter((w) => !w.startsWith('-'));
    const id = words.join(':');
    if (id !== '' && !this.config.findCommand(id) && !this.config.findTopic(id)) {
      const commands = this.config.commands.filter((c) => !c.hidden).map((c) => c.id.replace(/:/g, ' '));
      throw unknownCommand(words, commands, this.config.bin);
    }
    const HelpClass = await loadHelpClass(this.config);
    await new HelpClass(this.config, this.config.pjson.oclif.helpOptions ?? {}).showHelp(
      id === '' ? [] : [id],
    );
    process.exitCode = EXIT.OK;
  }
}
