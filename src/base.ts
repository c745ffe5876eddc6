/**
 * The base of every command: common flags and the one error boundary. Commands parse flags, call
 * one service, render its typed result and return it; errors end here with their code, hint and
 * exit code, as text on stderr and, under --output json, as the JSON error result on stdout.
 */
import { existsSync, readFileSync, accessSync, constants, writeFileSync } from 'node:fs';
import { Command, Errors, Flags, type Interfaces } from '@oclif/core';
import { errorJson, StrataError } from './errors.js';
import {
  readConfig,
  resolveTarget,
  type ConfigFile,
  type Target,
  type TargetFlags,
} from './config/config.js';
import { env } from './env.js';
import { styleFor, type Style } from './ui/style.js';
import { printable, redact } from './ui/text.js';
import { usageErrorFrom, type CommandShape } from './ui/usage.js';
import { errorSuite, junitXml, type Suite } from './ui/junit.js';
import { serverDataDir } from './config/data-dir.js';

// oclif's FlagOutput and ArgOutput, which it does not export.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Output = { [name: string]: any };

export interface OutputFlags {
  output?: 'text' | 'json' | undefined;
  json?: boolean;
  'no-color'?: boolean;
}

/** The value of `--name VALUE` or `--name=VALUE` in argv (not yet parsed, or unparseable). */
export function argvValue(argv: readonly string[], name: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--') break;
    if (a === name) return argv[i + 1];
    if (a.startsWith(`${name}=`)) return a.slice(name.length + 1);
  }
  return undefined;
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
  /** The JUnit report this run writes (`--junit`), also when it ends in an error. */
  #junit: string | undefined;
  /** The config file as output settings see it (null: none, or one that does not parse). */
  #config: ConfigFile | null | undefined;

  protected override async parse<F extends Output, B extends Output, A extends Output>(
    options?: Interfaces.Input<F, B, A>,
    argv: string[] = this.argv,
  ): Promise<Interfaces.ParserOutput<F, B, A>> {
    try {
      const parsed = await super.parse(options, argv);
      this.#json = this.outputJson(parsed.flags as OutputFlags);
      const junit = (parsed.flags as { junit?: unknown }).junit;
      if (typeof junit === 'string') this.#junit = this.openReport(junit, '--junit');
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

  /**
   * `--json` or `--output json` (flag, then STRATA_OUTPUT, then CLU_OUTPUT, then the config file's
   * `defaults.output` or CLU's flat `output`).
   */
  protected outputJson(flags: OutputFlags): boolean {
    if (flags.json === true) return true;
    if (flags.output !== undefined) return flags.output === 'json';
    const variable = env('CLU_OUTPUT');
    if (variable !== undefined && variable !== '') return variable === 'json';
    const config = this.configForOutput();
    return (config?.defaults?.output ?? config?.output) === 'json';
  }

  /** `--no-color`/`--nocolor`, CLU_NOCOLOR, or CLU's `nocolor: true` in the config file (NO_COLOR: see styleFor). */
  protected noColor(flags: OutputFlags): boolean {
    if (flags['no-color'] === true) return true;
    const variable = env('CLU_NOCOLOR');
    if (variable !== undefined && variable !== '') return !/^(0|false|no|off)$/i.test(variable);
    return this.configForOutput()?.nocolor === true;
  }

  /**
   * The config file, for the output settings only: a file that cannot be read means no setting
   * here (the commands that need the file report it, with its position).
   */
  private configForOutput(): ConfigFile | null {
    if (this.#config === undefined) {
      try {
        const path = argvValue(this.argv, '--config');
        this.#config = readConfig({ path, cwd: process.cwd(), env: process.env }).config;
      } catch {
        this.#config = null;
      }
    }
    return this.#config;
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

  /**
   * Creates (empties) a report file before the run, so a bad path fails first, with nothing
   * written to the server; returns the path.
   */
  protected openReport(path: string, flag: string): string {
    try {
      writeFileSync(path, '');
    } catch (e) {
      throw new StrataError(
        'E_OUTPUT_FILE',
        `cannot create ${path} (${flag}): ${(e as { code?: string }).code ?? 'error'}`,
        'check that its directory exists and is writable',
      );
    }
    return path;
  }

  /** Writes the JUnit report of the result, when `--junit` asked for one (no secret, ever). */
  protected junit(suite: () => Suite): void {
    if (this.#junit !== undefined) writeFileSync(this.#junit, redact(junitXml(suite()), this.secrets));
  }

  /** The JUnit report of a run that ended in an error: one failing test case, never none. */
  private junitOfError(failure: StrataError): void {
    const ctor = this.constructor as typeof Command;
    const path = this.#junit ?? (ctor.flags?.junit ? argvValue(this.argv, '--junit') : undefined);
    if (path === undefined || path === '' || failure.code === 'E_OUTPUT_FILE') return;
    try {
      const suite = errorSuite((this.id ?? '').replace(/:/g, ' '), errorJson(failure));
      writeFileSync(path, redact(junitXml(suite), this.secrets));
    } catch {
      // The error being reported says more than a report file that cannot be written.
    }
  }

  /** The server's data directory (`--data-dir`), with a note on stderr when the old default is used. */
  protected dataDir(flags: {
    'data-dir'?: string | undefined;
    database?: string | undefined;
    quiet?: boolean;
  }): string {
    const { dir, note } = serverDataDir(flags['data-dir'], process.cwd());
    if (note !== undefined && flags.database === undefined && flags.quiet !== true) this.note(note);
    return dir;
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
    this.junitOfError(failure);
    if (json) {
      const body = { status: 'ERROR', error: errorJson(failure) };
      process.stdout.write(`${redact(JSON.stringify(body, null, 2), this.secrets)}\n`);
    }
    process.exitCode = failure.exitCode;
  }
}
