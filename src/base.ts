/**
 * The base of every command: common flags and the one error boundary. Commands parse flags, call
 * one service, render its typed result and return it; errors end here with their code, hint and
 * exit code, as text on stderr and, under --output json, as the JSON error result on stdout.
 */
import { existsSync, readFileSync, accessSync, constants } from 'node:fs';
import { Command, Errors, Flags, type Interfaces } from '@oclif/core';
import { errorJson, StrataError } from './errors.js';
import { readConfig, resolveTarget, type Target, type TargetFlags } from './config/config.js';
import { env } from './env.js';
import { styleFor, type Style } from './ui/style.js';
import { printable, redact } from './ui/text.js';
import { usageErrorFrom, type CommandShape } from './ui/usage.js';

// oclif's FlagOutput and ArgOutput, which it does not export.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Output = { [name: string]: any };

export interface OutputFlags {
  output?: 'text' | 'json' | undefined;
  json?: boolean;
  'no-color'?: boolean;
}

/** Whether argv (not yet parsed, or unparseable) asks for JSON, with the variables. */
export function argvWantsJson(argv: readonly string[], variables: NodeJS.ProcessEnv = process.env): boolean {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') break;
    if (a === '--json' || a === '--output=json') return true;
    if (a === '--output=text') return false;
    if (a === '--output') return argv[i + 1] === 'json';
  }
  return (variables.STRATA_OUTPUT || variables.CLU_OUTPUT) === 'json';
}

export abstract class StrataCommand extends Command {
  static override baseFlags = {
    output: Flags.option({
      options: ['text', 'json'] as const,
      env: 'STRATA_OUTPUT',
      helpGroup: 'GLOBAL',
      description: 'Result format on stdout (also CLU_OUTPUT).',
    })(),
    json: Flags.boolean({ helpGroup: 'GLOBAL', description: 'Same as --output json.' }),
    'no-color': Flags.boolean({
      aliases: ['nocolor'],
      helpGroup: 'GLOBAL',
      description: 'No colour (also --nocolor, NO_COLOR, CLU_NOCOLOR).',
    }),
    verbose: Flags.boolean({ helpGroup: 'GLOBAL', description: 'More detail on stderr.' }),
    quiet: Flags.boolean({ helpGroup: 'GLOBAL', description: 'Errors and the final status only.' }),
  };

  /** Values this run must never print (the token), whatever prints them. */
  protected readonly secrets = new Set<string>();
  #json: boolean | undefined;

  protected override async parse<F extends Output, B extends Output, A extends Output>(
    options?: Interfaces.Input<F, B, A>,
    argv: string[] = this.argv,
  ): Promise<Interfaces.ParserOutput<F, B, A>> {
    try {
      const parsed = await super.parse(options, argv);
      this.#json = this.outputJson(parsed.flags as OutputFlags);
      return parsed;
    } catch (err) {
      throw usageErrorFrom(err, this.shape(options));
    }
  }

  private shape(options: { flags?: object; args?: object; examples?: unknown } | undefined): CommandShape {
    const ctor = this.constructor as typeof Command;
    const examples = (ctor.examples ?? []).map((e) => (typeof e === 'string' ? e : e.command));
    return {
      name: (this.id ?? '').replace(/:/g, ' '),
      flags: { ...(options?.flags ?? ctor.flags ?? {}), ...StrataCommand.baseFlags } as CommandShape['flags'],
      args: (options?.args ?? ctor.args ?? {}) as CommandShape['args'],
      examples,
      bin: this.config.bin,
    };
  }

  /** `--json` or `--output json` (flag, then STRATA_OUTPUT, then CLU_OUTPUT). */
  protected outputJson(flags: OutputFlags): boolean {
    if (flags.json === true) return true;
    if (flags.output !== undefined) return flags.output === 'json';
    return env('CLU_OUTPUT') === 'json';
  }

  protected noColor(flags: OutputFlags): boolean {
    return flags['no-color'] === true || !/^(|0|false|no|off)$/i.test(env('CLU_NOCOLOR') ?? '');
  }

  protected stdoutStyle(flags: OutputFlags): Style {
    return styleFor(process.stdout, this.noColor(flags));
  }

  protected stderrStyle(flags: OutputFlags): Style {
    return styleFor(process.stderr, this.noColor(flags));
  }

  /** Writes the result to stdout (no secret, ever). */
  protected emit(text: string): void {
    const safe = redact(text, this.secrets);
    process.stdout.write(safe.endsWith('\n') ? safe : `${safe}\n`);
  }

  /** Writes a line of progress, a warning or a log line to stderr (no secret; content escaped by the caller). */
  protected note(text: string): void {
    process.stderr.write(`${redact(text, this.secrets)}\n`);
  }

  /** Renders the typed result (JSON or text), sets the exit code, returns the result. */
  protected complete<R>(result: R, json: boolean, text: () => string, exitCode: number): R {
    if (json) this.emit(JSON.stringify(result, null, 2));
    else {
      const rendered = text();
      if (rendered !== '') this.emit(rendered);
    }
    process.exitCode = exitCode;
    return result;
  }

  /** The target of a server-facing command, from flags, variables and the config file. */
  protected target(flags: TargetFlags & { config?: string | undefined }): Target {
    const loaded = readConfig({ path: flags.config, cwd: process.cwd(), env: process.env });
    const target = resolveTarget(flags, process.env, loaded, {
      readSecret: (path) => readFileSync(path === '-' ? 0 : path, 'utf8'),
      readable: (path) => {
        try {
          accessSync(path, constants.R_OK);
          return existsSync(path);
        } catch {
          return false;
        }
      },
    });
    this.secrets.add(target.token);
    return target;
  }

  protected override async catch(
    err: Error & { exitCode?: number; oclif?: { exit?: number } },
  ): Promise<void> {
    if (err instanceof Errors.ExitError) throw err;
    const json = this.#json ?? argvWantsJson(this.argv);
    const style = styleFor(
      process.stderr,
      this.argv.includes('--no-color') || this.argv.includes('--nocolor'),
    );
    const failure =
      err instanceof StrataError
        ? err
        : new StrataError('E_INTERNAL', `this is a bug in strata: ${err.stack ?? err.message}`);
    const message = printable(redact(failure.message, this.secrets));
    process.stderr.write(`${style.red('error')} ${failure.code} ${message}\n`);
    if (failure.hint) process.stderr.write(`  hint: ${printable(redact(failure.hint, this.secrets))}\n`);
    if (json) {
      const body = { status: 'ERROR', error: errorJson(failure) };
      process.stdout.write(`${redact(JSON.stringify(body, null, 2), this.secrets)}\n`);
    }
    process.exitCode = failure.exitCode;
  }
}
