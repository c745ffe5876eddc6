/**
 * The base of every command: common flags and the one error boundary. Commands parse flags, call
 * one service, render its result; errors end here with their code, hint and exit code.
 */
import { Command, Errors, Flags } from '@oclif/core';
import { EXIT, StrataError } from './errors.js';
import { styleFor, type Style } from './ui/style.js';

export abstract class StrataCommand extends Command {
  static override baseFlags = {
    output: Flags.option({
      options: ['text', 'json'] as const,
      env: 'STRATA_OUTPUT',
      helpGroup: 'GLOBAL',
      description: 'Result format on stdout.',
    })(),
    json: Flags.boolean({ helpGroup: 'GLOBAL', description: 'Same as --output json.' }),
    'no-color': Flags.boolean({ helpGroup: 'GLOBAL', description: 'No colour (also NO_COLOR).' }),
    verbose: Flags.boolean({ helpGroup: 'GLOBAL', description: 'More detail on stderr.' }),
    quiet: Flags.boolean({ helpGroup: 'GLOBAL', description: 'Errors only.' }),
  };

  protected outputJson(flags: { output?: 'text' | 'json' | undefined; json?: boolean }): boolean {
    return flags.json === true || flags.output === 'json';
  }

  protected stdoutStyle(noColor: boolean): Style {
    return styleFor(process.stdout, noColor);
  }

  protected stderrStyle(noColor: boolean): Style {
    return styleFor(process.stderr, noColor);
  }

  /** Writes the result to stdout. */
  protected emit(text: string): void {
    process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  protected override async catch(
    err: Error & { exitCode?: number; oclif?: { exit?: number } },
  ): Promise<void> {
    const style = styleFor(process.stderr, process.argv.includes('--no-color'));
    if (err instanceof StrataError) {
      process.stderr.write(`${style.red('error')} ${err.code} ${err.message}\n`);
      if (err.hint) process.stderr.write(`  hint: ${err.hint}\n`);
      process.exitCode = err.exitCode;
      return;
    }
    if (err instanceof Errors.CLIError && 'parse' in err) {
      process.stderr.write(
        `${style.red('error')} E_USAGE ${err.message.split('\n')[0]}\n  hint: see ${this.config.bin} ${this.id ?? ''} --help\n`,
      );
      process.exitCode = EXIT.USAGE;
      return;
    }
    if (err instanceof Errors.ExitError) throw err;
    process.stderr.write(
      `${style.red('error')} E_INTERNAL this is a bug in strata: ${err.stack ?? err.message}\n`,
    );
    process.exitCode = EXIT.FAILURE;
  }
}
