import { Args, Flags } from '@oclif/core';
import { StrataCommand } from '../base.js';
import { EXIT, UsageError } from '../errors.js';
import { renderTemplates, RenderUsageError, type RenderResult } from '../render/service.js';
import { formatFinding } from '../ui/findings.js';
import type { Style } from '../ui/style.js';

export default class Render extends StrataCommand {
  static override summary = 'Render contract templates into single self-contained contracts.';
  static override description =
    'Inlines the feature modules a template imports (import a.b.c as c) into one Vault contract: only the objects the template reaches, renamed c_NAME, with merged imports and literal decorator arguments. The default output is contracts/x_rendered.py for contracts/template/x.py. The module root defaults to the nearest directory above the template from which its feature imports resolve. Exit 0 ok, 1 on errors or when --check finds a stale file.';
  static override examples = [
    '<%= config.bin %> render packs/library/savings/contracts/template/savings_account.py',
    '<%= config.bin %> render packs/library/savings/contracts/template/savings_account.py --check --no-git',
    '<%= config.bin %> render contracts/template/*.py --out-dir build --root library',
  ];
  static override strict = false;
  static override args = {
    template: Args.string({ required: true, description: 'contract template (.py)' }),
  };
  static override flags = {
    out: Flags.string({ char: 'o', description: 'Output file (one template only; not with --out-dir).' }),
    'out-dir': Flags.string({ description: 'Write <stem>_rendered.py files into this directory.' }),
    root: Flags.string({ description: 'Directory feature imports resolve from (a.b.c -> ROOT/a/b/c.py).' }),
    check: Flags.boolean({
      description: 'Do not write: exit 1 and print a diff when an output file is stale.',
    }),
    git: Flags.boolean({
      default: true,
      allowNo: true,
      description: 'Put the last git commit of each file in the section headers (--no-git to omit).',
    }),
    'basename-headers': Flags.boolean({ description: 'Name files in section headers by base name only.' }),
  };

  async run(): Promise<RenderResult> {
    const { flags, argv } = await this.parse(Render);
    let result: RenderResult;
    try {
      result = await renderTemplates(argv as string[], {
        cwd: process.cwd(),
        version: this.config.version,
        root: flags.root,
        out: flags.out,
        outDir: flags['out-dir'],
        check: flags.check,
        git: flags.git,
        basenameHeaders: flags['basename-headers'],
      });
    } catch (e) {
      if (e instanceof RenderUsageError) throw new UsageError(e.message, 'see strata render --help');
      throw e;
    }
    if (this.outputJson(flags)) this.emit(JSON.stringify(result, null, 2));
    else {
      // The command that brings a stale file up to date: the same options, without --check.
      const options = [
        flags.root !== undefined ? `--root ${flags.root}` : '',
        flags.out !== undefined ? `-o ${flags.out}` : '',
        flags['out-dir'] !== undefined ? `--out-dir ${flags['out-dir']}` : '',
        flags.git ? '' : '--no-git',
        flags['basename-headers'] ? '--basename-headers' : '',
      ].filter((o) => o !== '');
      this.print(result, options, this.stdoutStyle(flags), this.stderrStyle(flags), flags.quiet);
    }
    process.exitCode = result.status === 'OK' ? EXIT.OK : EXIT.FAILURE;
    return result;
  }

  private print(result: RenderResult, options: string[], out: Style, err: Style, quiet: boolean): void {
    for (const t of result.templates) {
      for (const e of t.errors) process.stderr.write(`${formatFinding({ ...e, severity: 'error' }, err)}\n`);
      if (t.diff !== undefined) process.stdout.write(t.diff);
      if (quiet && t.status !== 'stale') continue;
      const line =
        t.status === 'written'
          ? `${out.green('rendered')} ${t.template} -> ${t.output}`
          : t.status === 'unchanged'
            ? `${out.dim('unchanged')} ${t.output}`
            : t.status === 'up_to_date'
              ? `${out.green('up to date')} ${t.output}`
              : t.status === 'stale'
                ? `${err.red('stale')} ${t.output}: run ${[this.config.bin, 'render', t.template, ...options].join(' ')}`
                : `${out.red('failed')} ${t.template}: ${t.errors.length} error${t.errors.length === 1 ? '' : 's'}`;
      (t.status === 'stale' ? process.stderr : process.stdout).write(`${line}\n`);
    }
  }
}
