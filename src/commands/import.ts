import { createWriteStream, writeFileSync, type WriteStream } from 'node:fs';
import { Args, Flags } from '@oclif/core';
import { StrataCommand } from '../base.js';
import { StrataError } from '../errors.js';
import { importPaths, type ImportResult, type PlanResult } from '../deploy/import.js';
import { journalDir, serverFlags } from '../deploy/flags.js';
import { formatImportResult, formatPlanResult, junitReport } from '../ui/deploy.js';
import { dryRunExitCode, importExitCode } from '../ui/exit.js';
import { FirstLines } from '../ui/first-lines.js';
import { LineBatch } from '../ui/batch.js';
import { planWithTarget } from './plan.js';

/** Opens a report file before the run, so a bad path fails first, with nothing written. */
function openReport(path: string, flag: string): WriteStream {
  try {
    writeFileSync(path, '');
  } catch (e) {
    throw new StrataError(
      'E_OUTPUT_FILE',
      `cannot create ${path} (${flag}): ${(e as { code?: string }).code ?? 'error'}`,
      'check that its directory exists and is writable',
    );
  }
  return createWriteStream(path, { flags: 'a' });
}

export default class Import extends StrataCommand {
  static override summary = 'Import packs into an environment: in dependency order, idempotent, resumable.';
  static override description =
    'Validates first (any error: nothing is sent). The target (environment, URL, token source and scopes) is printed first on stderr; the token must hold read and config:write (config:activate to activate) before anything is written. A resource starts as soon as everything it references is done; --concurrency bounds requests in flight. Unchanged resources are not written, so re-importing an unchanged pack writes nothing. A failure blocks its dependents; independent resources continue. With --activate-on-import, versions marked activate: true become current after a fully successful import (on a server that requires approval, they are left pending: exit 4). Every confirmed result is journaled under --journal-dir; --resume continues a run. Exit 0 SUCCESS, 2 PARTIAL SUCCESS, 1 FAILURE, 3 server unreachable, token refused or missing a scope, 4 activations left pending approval, 130 interrupted.';
  static override examples = [
    'STRATA_DEV_TOKEN=... <%= config.bin %> import packs/library/wallet_manifest.yaml --env dev --activate-on-import',
    '<%= config.bin %> import packs/bundle --url http://127.0.0.1:8055 --auth-token-file token.txt --output json',
    '<%= config.bin %> import packs/bundle --env staging --resume',
  ];
  static override args = {
    path: Args.string({ required: true, description: 'manifest, pack, bundle or archive' }),
  };
  static override flags = {
    ...serverFlags,
    'activate-on-import': Flags.boolean({
      allowNo: true,
      description:
        'Activate versions marked activate: true after full success (STRATA_ACTIVATE_ON_IMPORT, CLU_ACTIVATE_ON_IMPORT).',
    }),
    'dry-run': Flags.boolean({ description: 'Plan only: print what would happen, with import exit codes.' }),
    resume: Flags.string({
      description: 'Skip what a previous run confirmed (the latest run when no id is given).',
      fallback: '' as string,
    }),
    events: Flags.string({ description: 'Write NDJSON events as they happen to FILE (- = stdout).' }),
    junit: Flags.string({ description: 'Write a JUnit report (one test case per resource) to FILE.' }),
  };

  async run(): Promise<ImportResult | PlanResult> {
    // `--resume` may stand without a run id (the latest run); oclif flags always take a value.
    const at = this.argv.indexOf('--resume');
    if (at !== -1 && (at === this.argv.length - 1 || this.argv[at + 1]?.startsWith('-')))
      this.argv.splice(at + 1, 0, 'latest');
    const { args, flags } = await this.parse(Import);
    const json = this.outputJson(flags);
    if (flags.events === '-' && json)
      throw new StrataError(
        'E_OUTPUT_CONFLICT',
        '--events - and --output json both write to stdout',
        'write the events to a file (--events events.ndjson), or the result as text',
      );
    const target = this.target(flags);
    const lines = new FirstLines(target, (t) => this.note(t), this.stderrStyle(flags), flags.quiet);
    if (flags['dry-run']) {
      const planned = await planWithTarget([args.path], target, lines);
      return this.complete(
        planned,
        json,
        () => formatPlanResult(planned, this.stdoutStyle(flags)),
        dryRunExitCode(planned),
      );
    }
    const events =
      flags.events === undefined
        ? undefined
        : flags.events === '-'
          ? process.stdout
          : openReport(flags.events, '--events');
    if (flags.junit !== undefined) openReport(flags.junit, '--junit').end();
    const controller = new AbortController();
    const onSigint = () => controller.abort();
    process.once('SIGINT', onSigint);
    // A terminal that reports no width (some CI pseudo-terminals) would make ora redraw endlessly.
    const tty = process.stderr.isTTY === true && (process.stderr.columns ?? 0) > 0 && !flags.quiet;
    // ora (and its dependencies) load only for a person at a terminal.
    const spinner = tty
      ? (await import('ora')).default({ stream: process.stderr, text: 'importing' }).start()
      : undefined;
    let done = 0;
    const inFlight = new Set<string>();
    // Progress and events in batches, not a synchronous write per line.
    const progress = new LineBatch((text) => this.note(text));
    const eventLines = events ? new LineBatch((text) => events.write(`${text}\n`)) : undefined;
    try {
      const result = await importPaths({
        paths: [args.path],
        cwd: process.cwd(),
        target,
        dataDir: '.strata',
        journalDir: journalDir(flags),
        ...(flags.resume !== undefined ? { resume: flags.resume === 'latest' ? true : flags.resume } : {}),
        signal: controller.signal,
        onFindings: (findings) => lines.findings(findings),
        onConnected: (c) => lines.target(c.token),
        onEvent: (e) => {
          eventLines?.add(JSON.stringify(e));
          if (e.event === 'start') inFlight.add(e.resource_id);
          if (e.event === 'result') {
            inFlight.delete(e.resource_id);
            done++;
            if (!spinner && !flags.quiet) progress.add(`${e.at} ${e.action ?? ''} ${e.resource_id}`);
          }
          if (spinner)
            spinner.text = `${done} done, ${inFlight.size} in flight: ${[...inFlight].slice(0, 3).join(', ')}`;
        },
      });
      spinner?.stop();
      progress.flush();
      eventLines?.flush();
      lines.flush();
      if (flags.junit) writeFileSync(flags.junit, junitReport(result));
      return this.complete(
        result,
        json,
        () => formatImportResult(result, this.stdoutStyle(flags)),
        importExitCode(result),
      );
    } finally {
      spinner?.stop();
      progress.flush();
      eventLines?.flush();
      lines.flush();
      process.removeListener('SIGINT', onSigint);
      if (events && events !== process.stdout) (events as NodeJS.WritableStream).end();
    }
  }
}
