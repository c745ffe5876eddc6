/**
 * `strata render` as a service: finds the root, loads the template and the features it reaches
 * (each file read and parsed once), renders, and writes or compares the output. The filesystem,
 * git and the code-facts store are an adapter passed in (`RenderIO`); nothing here prints.
 */
import { createHash } from 'node:crypto';
import { basename, join, relative, resolve, sep } from 'node:path';
import { loadPython, type PythonParser } from '../code/python.js';
import { diagnostic, type RenderDiagnostic } from './diagnostics.js';
import { withProvenanceOf } from './headers.js';
import { nodeIO, type RenderIO } from './io.js';
import { loadModules, type LoadedModules } from './load.js';
import { normaliseSource } from './module.js';
import { displayPath, featureImportsOf, findRoot } from './paths.js';
import { renderedContractPath } from '../resource/rendered-path.js';
import { renderContract } from './render.js';

export interface RenderOptions {
  cwd: string;
  /** Version printed on the first line of the output. */
  version: string;
  /** Module root; by default found from the template (see `findRoot`). */
  root?: string | undefined;
  /** Output file (one template only). */
  out?: string | undefined;
  /** Output directory: `<dir>/<stem>_rendered.py`. */
  outDir?: string | undefined;
  /** Compare with the file on disk instead of writing (content only: headers' `git:` parts are ignored). */
  check?: boolean;
  /** Include `git:<commit>` in section headers (default true). */
  git?: boolean;
  /** Section headers name files by base name only. */
  basenameHeaders?: boolean;
}

export type TemplateStatus = 'written' | 'unchanged' | 'up_to_date' | 'stale' | 'failed';

export interface TemplateResult {
  template: string;
  output: string;
  root: string;
  status: TemplateStatus;
  /** Unified diff from the file on disk to a fresh render keeping the file's `git:` parts (`--check`, when stale). */
  diff?: string;
  /** Feature modules in output order with the number of objects taken from each. */
  sections: Array<{ module: string; file: string; objects: number }>;
  errors: RenderDiagnostic[];
}

export interface RenderResult {
  status: 'OK' | 'STALE' | 'FAILED';
  templates: TemplateResult[];
}

export class RenderUsageError extends Error {}

/** What rendering one template needs besides its paths. */
interface RenderContext {
  parser: PythonParser;
  options: RenderOptions;
  io: RenderIO;
}

/** Render each template; write the outputs, or with `check` compare them with the files on disk. */
export async function renderTemplates(
  templates: string[],
  options: RenderOptions,
  io: RenderIO = nodeIO(),
): Promise<RenderResult> {
  const outputs = outputPaths(templates, options);
  const ctx: RenderContext = { parser: await loadPython(), options, io };
  const results: TemplateResult[] = [];
  for (const [template, output] of outputs) results.push(await renderOne(ctx, template, output));
  const status = results.some((r) => r.status === 'failed')
    ? 'FAILED'
    : results.some((r) => r.status === 'stale')
      ? 'STALE'
      : 'OK';
  return { status, templates: results };
}

/** The output path of each template (absolute), or a usage error. */
function outputPaths(templates: string[], options: RenderOptions): Map<string, string> {
  if (templates.length === 0) throw new RenderUsageError('no template given');
  if (options.out !== undefined && templates.length > 1) {
    throw new RenderUsageError(
      '-o/--out names one output file, but several templates were given (use --out-dir)',
    );
  }
  if (options.out !== undefined && options.outDir !== undefined) {
    throw new RenderUsageError('--out and --out-dir cannot be used together');
  }
  const cwd = options.cwd;
  const outputs = new Map<string, string>();
  for (const t of templates) {
    const abs = resolve(cwd, t);
    const out =
      options.out !== undefined
        ? resolve(cwd, options.out)
        : options.outDir !== undefined
          ? join(resolve(cwd, options.outDir), basename(renderedContractPath(abs)))
          : renderedContractPath(abs);
    const clash = [...outputs].find(([, o]) => o === out);
    if (clash !== undefined) {
      throw new RenderUsageError(`${clash[0]} and ${t} would both render to ${displayPath(cwd, out)}`);
    }
    if (out === abs)
      throw new RenderUsageError(`the output path ${displayPath(cwd, out)} is the template itself`);
    outputs.set(t, out);
  }
  return outputs;
}

const md5 = (text: string): string => createHash('md5').update(text).digest('hex');

async function renderOne(ctx: RenderContext, template: string, output: string): Promise<TemplateResult> {
  const { options, io } = ctx;
  const cwd = options.cwd;
  const abs = resolve(cwd, template);
  const result: TemplateResult = {
    template: displayPath(cwd, abs),
    output: displayPath(cwd, output),
    root: '',
    status: 'failed',
    sections: [],
    errors: [],
  };
  const text = io.isFile(abs) ? io.readFile(abs) : null;
  if (text === null) {
    result.errors.push(
      diagnostic(
        'E_RENDER_READ',
        result.template,
        { line: 1, column: 1 },
        'cannot read the template file',
        'check the path',
      ),
    );
    return result;
  }
  const root =
    options.root !== undefined
      ? resolve(cwd, options.root)
      : findRoot(abs, featureImportsOf(normaliseSource(text)), cwd, io);
  result.root = displayPath(cwd, root);
  if (!io.isDirectory(root)) {
    result.errors.push(
      diagnostic(
        'E_RENDER_READ',
        result.root,
        { line: 1, column: 1 },
        'the root is not a directory',
        'check --root',
      ),
    );
    return result;
  }
  const loaded = loadModules(
    { parser: ctx.parser, io, cwd, root },
    { name: basename(abs).replace(/\.py$/, ''), file: abs, display: result.template, text },
  );
  result.errors.push(...loaded.errors);
  if (result.errors.length > 0) return result;

  const rendered = renderContract({
    template: loaded.template,
    features: loaded.features,
    version: options.version,
    header: await headersOf(ctx, loaded, root),
  });
  result.errors.push(...rendered.errors);
  result.sections = rendered.sections;
  if (rendered.text === null) return result;
  Object.assign(result, await settle(ctx, output, result.output, rendered.text));
  return result;
}

/** Each module's section header: its path, the md5 of its text and (with git) its last commit. */
async function headersOf(ctx: RenderContext, loaded: LoadedModules, root: string) {
  const { options, io } = ctx;
  const commits =
    options.git === false
      ? new Map<string, string>()
      : await io.lastCommits(
          loaded.modules.map((m) => m.file),
          root,
        );
  return (m: LoadedModules['template']) => ({
    path: options.basenameHeaders === true ? basename(m.file) : relative(root, m.file).split(sep).join('/'),
    md5: md5(loaded.texts.get(m) ?? m.code),
    git: commits.get(m.file) ?? null,
  });
}

/** Write the render, or with `check` compare it with the file on disk. */
async function settle(
  { options, io }: RenderContext,
  output: string,
  shown: string,
  text: string,
): Promise<Pick<TemplateResult, 'status' | 'diff'>> {
  // A checkout that converts line endings (core.autocrlf) holds the same render with CRLF.
  const onDisk = io.readFile(output);
  const existing = onDisk === null ? null : onDisk.replace(/\r\n/g, '\n');
  if (options.check === true) {
    // Provenance is not content: the fresh render takes the file's own `git:` parts wherever a
    // section's path and md5 match, so only code and md5s can make a file stale.
    const expected = existing === null ? text : withProvenanceOf(existing, text);
    if (existing === expected) return { status: 'up_to_date' };
    // The diff library is loaded only for a stale file: loading it costs every run ~15 ms.
    const { unifiedDiff } = await import('./diff.js');
    const from = existing === null ? '/dev/null' : `${shown} (on disk)`;
    return { status: 'stale', diff: unifiedDiff(existing ?? '', expected, from, `${shown} (rendered)`) };
  }
  if (existing === text) return { status: 'unchanged' };
  io.writeFile(output, text);
  return { status: 'written' };
}
