import { closeSync, openSync, writeSync } from 'node:fs';
import { Args, Flags } from '@oclif/core';
import { StrataCommand } from '../base.js';
import { EXIT, StrataError } from '../errors.js';
import { importPaths, type ImportResult, type PlanResult } from '../deploy/import.js';
import { journalDir, junitFlag, limitFlags, readLimits, serverFlags, strictFlag } from '../deploy/flags.js';
import type { DeployEvent } from '../deploy/report.js';
import { env } from '../env.js';
import { formatImportResult, formatPlanResult } from '../ui/deploy.js';
import { dryRunExitCode, importExitCode } from '../ui/exit.js';
import { FirstLines } from '../ui/first-lines.js';
import { LineBatch } from '../ui/batch.js';
import { importSuite, planSuite } from '../ui/junit.js';
import { Progress, progressMode, type LiveLine } from '../ui/progress.js';
import { planWithTarget } from './plan.js';

/** How long a run interrupted once waits for requests in flight before it stops anyway. */
const INTERRUPT_GRACE_MS = 10_000;

export default class Import extends StrataCommand {
  static override summary = 'Import packs into an environment: in dependency order, idempotent, resumable.';
  static override description =
    'Validates first (any error: nothing is sent). The target (environment, URL, token source and scopes) is printed first on stderr; the token must hold read and config:write (config:activate to activate) before anything is written. A resource starts as soon as everything it references is done; --concurrency bounds requests in flight. Unchanged resources are not written, so re-importing an unchanged pack writes nothing. A failure blocks its dependents; independent resources continue. Resources of types strata does not import are listed as skipped, with the reason (--strict: they fail the import before anything is sent). With --activate-on-import, versions marked activate: true become current after a fully successful import (on a server that requires approval, they are left pending: exit 4). Every confirmed result is journaled under --journal-dir; --resume continues a run. Ctrl-C stops starting resources, waits for those in flight (at most 10 s; a second Ctrl-C stops at once) and exits 130 with the journal kept. Exit 0 SUCCESS, 2 PARTIAL SUCCESS, 1 FAILURE, 3 server unreachable, token refused or missing a scope, 4 activations left pending approval, 130 interrupted.';
  static override examples = [
    'STRATA_DEV_TOKEN=... <%= config.bin %> import packs/library/wallet_manifest.yaml --env dev --activate-on-import',
    '<%= config.bin %> import packs/bundle --url http://127.0.0.1:8055 --auth-token-file token.txt --output json',
    '<%= config.bin %> import packs/bundle --env staging --junit import.xml --events events.ndjson',
    '<%= config.bin %> import packs/bundle --env staging --resume',
  ];
  static override args = {
    path: Args.string({ required: true, description: 'manifest, pack, bundle or archive' }),
  };
  static override flags = {
    ...serverFlags,
    ...strictFlag,
    ...limitFlags,
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
    events: Flags.string({
      description:
        'Write NDJSON events (schemas/events.schema.json) as they happen to FILE; - = stdout, which then carries only the events (the text result goes to stderr).',
      helpValue: '<file>',
    }),
    ...junitFlag,
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
    const limits = readLimits(flags);
    const target = this.target(flags);
    const lines = new FirstLines(target, (t) => this.note(t), this.stderrStyle(flags), flags.quiet);
    if (flags['dry-run']) {
      const planned = await planWithTarget([args.path], target, lines, { strict: flags.strict, limits });
      this.junit(() => planSuite(planned, flags.strict));
      return this.complete(
        planned,
        json,
        () => formatPlanResult(planned, this.stdoutStyle(flags), flags.quiet),
        dryRunExitCode(planned),
      );
    }
    const progress = await this.progress(flags.quiet);
    // Written synchronously, in batches: what the batch holds reaches the file even when a second
    // Ctrl-C ends the process at once (a write stream would still have it in memory).
    const eventsFile =
      flags.events !== undefined && flags.events !== '-'
        ? openSync(this.openReport(flags.events, '--events'), 'a')
        : undefined;
    const eventLines =
      flags.events === undefined
        ? undefined
        : new LineBatch((text) =>
            eventsFile === undefined ? process.stdout.write(`${text}\n`) : writeSync(eventsFile, `${text}\n`),
          );
    const interrupt = this.interruptible(() => eventLines?.flush());
    try {
      const result = await importPaths({
        paths: [args.path],
        cwd: process.cwd(),
        target,
        dataDir: '.strata',
        journalDir: journalDir(flags),
        strict: flags.strict,
        limits,
        ...(flags.resume !== undefined ? { resume: flags.resume === 'latest' ? true : flags.resume } : {}),
        signal: interrupt.signal,
        onFindings: (findings) => lines.findings(findings),
        onConnected: (c) => lines.target(c.token),
        onEvent: (e: DeployEvent) => {
          interrupt.running();
          eventLines?.add(JSON.stringify(e));
          progress.on(e);
        },
      });
      progress.stop();
      eventLines?.flush();
      lines.flush();
      this.junit(() => importSuite(result, flags.strict));
      if (flags.events === '-' && !json) {
        // stdout carries the events alone: the text result goes to stderr.
        this.note(formatImportResult(result, this.stderrStyle(flags), flags.quiet));
        process.exitCode = importExitCode(result);
        return result;
      }
      return this.complete(
        result,
        json,
        () => formatImportResult(result, this.stdoutStyle(flags), flags.quiet),
        importExitCode(result),
      );
    } finally {
      progress.stop();
      eventLines?.flush();
      lines.flush();
      interrupt.done();
      if (eventsFile !== undefined) closeSync(eventsFile);
    }
  }

  /** Progress on stderr: a live line on a terminal, plain lines in CI logs, nothing under --quiet. */
  private async progress(quiet: boolean): Promise<Progress> {
    const mode = progressMode({
      quiet,
      tty: process.stderr.isTTY === true,
      columns: process.stderr.columns,
      ci: env('CI'),
    });
    let live: LiveLine | undefined;
    if (mode === 'live') {
      // ora (and its dependencies) load only for a person at a terminal.
      const spinner = (await import('ora')).default({ stream: process.stderr, text: 'importing' });
      live = {
        set: (text) => {
          spinner.text = text;
          if (!spinner.isSpinning) spinner.start();
        },
        stop: () => spinner.stop(),
      };
    }
    return new Progress({ mode, write: (line) => this.note(line), ...(live ? { live } : {}) });
  }

  /**
   * SIGINT always ends the run. Before any resource started: at once. After: no new resource
   * starts, those in flight finish and are journaled (the result says interrupted, exit 130); if
   * they take more than INTERRUPT_GRACE_MS, or on a second SIGINT, the process stops at once, exit
   * 130, with the journal as it stands (every confirmed result is already written).
   */
  private interruptible(beforeExit: () => void): { signal: AbortSignal; running(): void; done(): void } {
    const controller = new AbortController();
    let started = false;
    let timer: NodeJS.Timeout | undefined;
    const stopNow = (why: string) => {
      beforeExit();
      this.note(`interrupted: ${why}; the journal keeps every confirmed result (--resume continues)`);
      process.exit(EXIT.INTERRUPTED);
    };
    const onSigint = () => {
      if (!started) stopNow('nothing was written');
      if (controller.signal.aborted) stopNow('stopped at once (second Ctrl-C)');
      controller.abort();
      this.note(
        'interrupted: no new resource starts; waiting for those in flight (Ctrl-C again to stop at once)',
      );
      timer = setTimeout(() => stopNow('requests in flight did not finish in time'), INTERRUPT_GRACE_MS);
      timer.unref();
    };
    process.on('SIGINT', onSigint);
    return {
      signal: controller.signal,
      running: () => {
        started = true;
      },
      done: () => {
        if (timer) clearTimeout(timer);
        process.removeListener('SIGINT', onSigint);
      },
    };
  }
}
