import { createWriteStream, writeFileSync } from 'node:fs';
import { Args, Flags } from '@oclif/core';
import { StrataCommand } from '../base.js';
import { EXIT } from '../errors.js';
import { readConfig, resolveTarget } from '../config/config.js';
import { importPaths, readSecretFile } from '../deploy/import.js';
import { serverFlags } from '../deploy/flags.js';
import { formatImportResult, junitReport } from '../ui/deploy.js';
import { writeFindings } from '../ui/findings.js';
import { dryRunExitCode, planCommandResult } from './plan.js';

export default class Import extends StrataCommand {
  static override summary = 'Import packs into an environment: in dependency order, idempotent, resumable.';
  static override description =
    'Validates first (any error: nothing is sent). A resource starts as soon as everything it references is done; --concurrency bounds requests in flight. Unchanged resources are not written, so re-importing an unchanged pack writes nothing. A failure blocks its dependents; independent resources continue. With --activate-on-import, versions marked activate: true become current after a fully successful import. Every confirmed result is journaled under --data-dir/runs; --resume continues a run. Exit 0 SUCCESS, 2 PARTIAL SUCCESS, 1 FAILURE, 3 server unreachable or token refused, 130 interrupted.';
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
      description: 'Activate versions marked activate: true after full success (STRATA_ACTIVATE_ON_IMPORT).',
    }),
    'dry-run': Flags.boolean({ description: 'Plan only: print what would happen, with import exit codes.' }),
    resume: Flags.string({
      description: 'Skip what a previous run confirmed (the latest run when no id is given).',
      fallback: '' as string,
    }),
    events: Flags.string({ description: 'Write NDJSON events as they happen to FILE (- = stdout).' }),
    junit: Flags.string({ description: 'Write a JUnit report (one test case per resource) to FILE.' }),
  };

  async run(): Promise<void> {
    // `--resume` may stand without a run id (the latest run); oclif flags always take a value.
    const at = this.argv.indexOf('--resume');
    if (at !== -1 && (at === this.argv.length - 1 || this.argv[at + 1]?.startsWith('-')))
      this.argv.splice(at + 1, 0, 'latest');
    const { args, flags } = await this.parse(Import);
    const config = readConfig({ path: flags.config, cwd: process.cwd(), env: process.env });
    const target = resolveTarget(flags, process.env, config, readSecretFile);
    if (flags['dry-run']) {
      const planned = await planCommandResult(
        [args.path],
        target,
        this.outputJson(flags),
        this.stdoutStyle(flags['no-color']),
        (findings) => writeFindings(findings, this.stderrStyle(flags['no-color']), flags.quiet),
      );
      this.emit(planned.text);
      process.exitCode = dryRunExitCode(planned.result);
      return;
    }
    const controller = new AbortController();
    const onSigint = () => controller.abort();
    process.once('SIGINT', onSigint);
    const events = flags.events
      ? flags.events === '-'
        ? process.stdout
        : createWriteStream(flags.events)
      : undefined;
    // A terminal that reports no width (some CI pseudo-terminals) would make ora redraw endlessly.
    const tty = process.stderr.isTTY === true && (process.stderr.columns ?? 0) > 0 && !flags.quiet;
    // ora (and its dependencies) load only for a person at a terminal.
    const spinner = tty
      ? (await import('ora')).default({ stream: process.stderr, text: 'importing' }).start()
      : undefined;
    let done = 0;
    const inFlight = new Set<string>();
    try {
      const result = await importPaths({
        paths: [args.path],
        cwd: process.cwd(),
        target,
        dataDir: flags['data-dir'],
        ...(flags.resume !== undefined ? { resume: flags.resume === 'latest' ? true : flags.resume } : {}),
        signal: controller.signal,
        onFindings: (findings) => writeFindings(findings, this.stderrStyle(flags['no-color']), flags.quiet),
        onEvent: (e) => {
          events?.write(`${JSON.stringify(e)}\n`);
          if (e.event === 'start') inFlight.add(e.resource_id);
          if (e.event === 'result') {
            inFlight.delete(e.resource_id);
            done++;
            if (!spinner && !flags.quiet)
              process.stderr.write(`${e.at} ${e.action ?? ''} ${e.resource_id}\n`);
          }
          if (spinner)
            spinner.text = `${done} done, ${inFlight.size} in flight: ${[...inFlight].slice(0, 3).join(', ')}`;
        },
      });
      spinner?.stop();
      if (flags.junit) writeFileSync(flags.junit, junitReport(result));
      if (this.outputJson(flags)) this.emit(JSON.stringify(result, null, 2));
      else this.emit(formatImportResult(result, this.stdoutStyle(flags['no-color'])));
      process.exitCode = controller.signal.aborted
        ? EXIT.INTERRUPTED
        : result.status === 'SUCCESS'
          ? EXIT.OK
          : result.status === 'PARTIAL SUCCESS'
            ? EXIT.PARTIAL
            : EXIT.FAILURE;
    } finally {
      spinner?.stop();
      process.removeListener('SIGINT', onSigint);
      if (events && events !== process.stdout) (events as NodeJS.WritableStream).end();
    }
  }
}
