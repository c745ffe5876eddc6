/**
 * `strata render` as a service: finds the root, loads the template and the features it reaches
 * (each file read and parsed once), renders, and writes or compares the output. The filesystem
 * and git are an adapter passed in; nothing here prints.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { isContractsApiExtensionsModule, isContractsApiModule } from '../code/contract.js';
import { loadPython, type PythonParser } from '../code/python.js';
import { diagnostic, type RenderDiagnostic } from './diagnostics.js';
import { unifiedDiff } from './diff.js';
import { STANDARD_NAMES } from './imports.js';
import { analyzeModule, normaliseSource, type PyModule } from './module.js';
import { renderContract } from './render.js';

export interface RenderIO {
  /** File contents, or null when there is no such file. */
  readFile(path: string): string | null;
  isFile(path: string): boolean;
  isDirectory(path: string): boolean;
  writeFile(path: string, text: string): void;
  /** Last commit touching each file (absolute paths), when `dir` is in a git work tree. */
  lastCommits(files: string[], dir: string): Promise<Map<string, string>>;
}

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

export const nodeIO: RenderIO = {
  readFile(path) {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return null;
    }
  },
  isFile(path) {
    try {
      return statSync(path).isFile();
    } catch {
      return false;
    }
  },
  isDirectory(path) {
    try {
      return statSync(path).isDirectory();
    } catch {
      return false;
    }
  },
  writeFile(path, text) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  },
  async lastCommits(files, dir) {
    const out = new Map<string, string>();
    if (findGitTop(dir, (p) => existsSync(p)) === null) return out;
    await Promise.all(
      files.map(
        (file) =>
          new Promise<void>((done) => {
            execFile(
              'git',
              ['log', '-1', '--format=%H', '--', file],
              { cwd: dirname(file) },
              (err, stdout) => {
                const commit = stdout.trim();
                if (err === null && /^[0-9a-f]{7,64}$/.test(commit)) out.set(file, commit);
                done();
              },
            );
          }),
      ),
    );
    return out;
  },
};

/** The nearest directory at or above `dir` holding `.git`, or null. */
export function findGitTop(dir: string, exists: (path: string) => boolean): string | null {
  for (let d = resolve(dir); ; d = dirname(d)) {
    if (exists(join(d, '.git'))) return d;
    if (dirname(d) === d) return null;
  }
}

/** Default output path: `contracts/template/x.py` -> `contracts/x_rendered.py`, else beside the template. */
export function defaultOutput(template: string): string {
  const dir = dirname(template);
  const stem = basename(template).replace(/\.py$/, '');
  return join(basename(dir) === 'template' ? dirname(dir) : dir, `${stem}_rendered.py`);
}

/**
 * Feature modules a template imports (`import a.b.c as c` at the start of a line), to find the
 * root before parsing; the parse then checks every import properly.
 */
export function featureImportsOf(code: string): string[] {
  const modules: string[] = [];
  for (const m of code.matchAll(/^import[ \t]+([A-Za-z_][\w.]*)[ \t]+as[ \t]+\w+/gm)) {
    const module = m[1] as string;
    if (
      !isContractsApiModule(module) &&
      !isContractsApiExtensionsModule(module) &&
      !STANDARD_NAMES.has(module)
    ) {
      modules.push(module);
    }
  }
  return modules;
}

const moduleCandidates = (root: string, module: string): string[] => {
  const path = join(root, ...module.split('.'));
  return [`${path}.py`, join(path, '__init__.py')];
};

/**
 * The root a template's feature imports resolve from: the nearest directory at or above the
 * template's from which its first feature import resolves; else the git top level; else `cwd`.
 */
export function findRoot(
  template: string,
  features: string[],
  cwd: string,
  io: Pick<RenderIO, 'isFile'>,
  exists: (p: string) => boolean,
): string {
  const first = features[0];
  if (first !== undefined) {
    for (let d = dirname(template); ; d = dirname(d)) {
      if (moduleCandidates(d, first).some((p) => io.isFile(p))) return d;
      if (dirname(d) === d) break;
    }
  }
  return findGitTop(dirname(template), exists) ?? cwd;
}

const display = (cwd: string, path: string): string => {
  const rel = relative(cwd, path);
  if (rel === '') return '.';
  return !rel.startsWith('..') && !isAbsolute(rel) ? rel.split(sep).join('/') : path;
};

const md5 = (text: string): string => createHash('md5').update(text).digest('hex');

/** Render each template; write the outputs, or with `check` compare them with the files on disk. */
export async function renderTemplates(
  templates: string[],
  options: RenderOptions,
  io: RenderIO = nodeIO,
  exists: (path: string) => boolean = existsSync,
): Promise<RenderResult> {
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
          ? join(resolve(cwd, options.outDir), basename(defaultOutput(abs)))
          : defaultOutput(abs);
    const clash = [...outputs].find(([, o]) => o === out);
    if (clash !== undefined) {
      throw new RenderUsageError(`${clash[0]} and ${t} would both render to ${display(cwd, out)}`);
    }
    if (out === abs)
      throw new RenderUsageError(`the output path ${display(cwd, out)} is the template itself`);
    outputs.set(t, out);
  }
  const parser = await loadPython();
  const results: TemplateResult[] = [];
  for (const t of templates) {
    results.push(await renderOne(parser, t, outputs.get(t) as string, options, io, exists));
  }
  const status = results.some((r) => r.status === 'failed')
    ? 'FAILED'
    : results.some((r) => r.status === 'stale')
      ? 'STALE'
      : 'OK';
  return { status, templates: results };
}

async function renderOne(
  parser: PythonParser,
  template: string,
  output: string,
  options: RenderOptions,
  io: RenderIO,
  exists: (path: string) => boolean,
): Promise<TemplateResult> {
  const cwd = options.cwd;
  const abs = resolve(cwd, template);
  const result: TemplateResult = {
    template: display(cwd, abs),
    output: display(cwd, output),
    root: '',
    status: 'failed',
    sections: [],
    errors: [],
  };
  const raw = io.isFile(abs) ? io.readFile(abs) : null;
  if (raw === null) {
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
  const code = normaliseSource(raw);
  const root =
    options.root !== undefined
      ? resolve(cwd, options.root)
      : findRoot(abs, featureImportsOf(code), cwd, io, exists);
  result.root = display(cwd, root) || '.';
  if (!io.isDirectory(root)) {
    result.errors.push(
      diagnostic(
        'E_RENDER_READ',
        display(cwd, root),
        { line: 1, column: 1 },
        'the root is not a directory',
        'check --root',
      ),
    );
    return result;
  }

  const resolved = new Map<string, string | null>();
  const resolveModule = (module: string): string | null => {
    let file = resolved.get(module);
    if (file === undefined) {
      file = /^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$/.test(module)
        ? (moduleCandidates(root, module).find((p) => io.isFile(p)) ?? null)
        : null;
      resolved.set(module, file);
    }
    return file;
  };
  const ctx = { root: result.root, resolveModule };
  const modules: PyModule[] = [];
  const texts = new Map<PyModule, string>();
  const stem = basename(abs).replace(/\.py$/, '');
  const first = analyzeModule(
    parser,
    { name: stem, isTemplate: true, file: abs, display: result.template, code },
    ctx,
  );
  modules.push(first.module);
  texts.set(first.module, raw.replace(/\r\n?/g, '\n'));
  result.errors.push(...first.errors);
  const features = new Map<string, PyModule>();
  // Breadth-first through feature imports; each module is read and parsed once.
  const queue: PyModule[] = [first.module];
  for (let m = queue.shift(); m !== undefined; m = queue.shift()) {
    for (const b of m.imports) {
      if (b.kind !== 'feature' || features.has(b.module)) continue;
      const text = io.readFile(b.file);
      if (text === null) {
        result.errors.push(
          diagnostic('E_RENDER_READ', m.display, b.at, `cannot read ${display(cwd, b.file)}`),
        );
        continue;
      }
      const featureCode = normaliseSource(text);
      const loaded = analyzeModule(
        parser,
        {
          name: b.module,
          isTemplate: false,
          file: b.file,
          display: display(cwd, b.file),
          code: featureCode,
        },
        ctx,
      );
      features.set(b.module, loaded.module);
      modules.push(loaded.module);
      texts.set(loaded.module, text.replace(/\r\n?/g, '\n'));
      result.errors.push(...loaded.errors);
      queue.push(loaded.module);
    }
  }
  if (result.errors.length > 0) return result;

  const commits =
    options.git === false
      ? new Map<string, string>()
      : await io.lastCommits(
          modules.map((m) => m.file),
          root,
        );
  const rendered = renderContract({
    template: first.module,
    features,
    version: options.version,
    header: (m) => ({
      path: options.basenameHeaders === true ? basename(m.file) : relative(root, m.file).split(sep).join('/'),
      md5: md5(texts.get(m) ?? m.code),
      git: commits.get(m.file) ?? null,
    }),
  });
  result.errors.push(...rendered.errors);
  result.sections = rendered.sections;
  if (rendered.text === null) return result;

  // A checkout that converts line endings (core.autocrlf) holds the same render with CRLF.
  const onDisk = io.readFile(output);
  const existing = onDisk === null ? null : onDisk.replace(/\r\n/g, '\n');
  if (options.check === true) {
    // Provenance is not content: the fresh render takes the file's own `git:` parts wherever a
    // section's path and md5 match, so only code and md5s can make a file stale.
    const expected = existing === null ? rendered.text : withProvenanceOf(existing, rendered.text);
    if (existing === expected) {
      result.status = 'up_to_date';
    } else {
      result.status = 'stale';
      result.diff = unifiedDiff(
        existing ?? '',
        expected,
        existing === null ? '/dev/null' : `${result.output} (on disk)`,
        `${result.output} (rendered)`,
      );
    }
  } else if (existing === rendered.text) {
    result.status = 'unchanged';
  } else {
    io.writeFile(output, rendered.text);
    result.status = 'written';
  }
  return result;
}

/** A section header: `# Objects below have been imported from:`, the path, `# md5:<hex>[ git:<commit>]`. */
const SECTION_HEADER =
  /^(# Objects below have been imported from:\n# {4}.*\n# md5:[0-9a-f]{32})( git:[0-9a-f]+)?$/gm;

/**
 * `rendered` with each section header's `git:` part replaced by the one `existing` has for the
 * same path and md5 (none when `existing` has none): the two then differ only where content does.
 */
export function withProvenanceOf(existing: string, rendered: string): string {
  const provenance = new Map<string, string>();
  for (const m of existing.matchAll(SECTION_HEADER)) provenance.set(m[1] as string, m[2] ?? '');
  return rendered.replace(SECTION_HEADER, (header: string, identity: string) => {
    const kept = provenance.get(identity);
    return kept === undefined ? header : identity + kept;
  });
}
