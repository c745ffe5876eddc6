/**
 * Where `strata render` reads: the module root a template's feature imports resolve from, a
 * module's candidate files, and paths as the user sees them. (Where it writes is
 * `resource/rendered-path.ts`, shared with the validator's hint.)
 */
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import { isContractsApiExtensionsModule, isContractsApiModule } from '../code/contract.js';
import { STANDARD_NAMES } from './imports.js';
import { findGitTop, type RenderIO } from './io.js';

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

/** The files module `a.b.c` may be under `root`: `a/b/c.py`, then `a/b/c/__init__.py`. */
export function moduleCandidates(root: string, module: string): string[] {
  const path = join(root, ...module.split('.'));
  return [`${path}.py`, join(path, '__init__.py')];
}

/**
 * The root a template's feature imports resolve from: the nearest directory at or above the
 * template's from which its first feature import resolves; else the git top level; else `cwd`.
 */
export function findRoot(
  template: string,
  features: string[],
  cwd: string,
  io: Pick<RenderIO, 'isFile' | 'exists'>,
): string {
  const first = features[0];
  if (first !== undefined) {
    for (let d = dirname(template); ; d = dirname(d)) {
      if (moduleCandidates(d, first).some((p) => io.isFile(p))) return d;
      if (dirname(d) === d) break;
    }
  }
  return findGitTop(dirname(template), io.exists) ?? cwd;
}

/** `path` relative to `cwd` with `/` separators when it is inside it, else as it is. */
export function displayPath(cwd: string, path: string): string {
  const rel = relative(cwd, path);
  if (rel === '') return '.';
  return !rel.startsWith('..') && !isAbsolute(rel) ? rel.split(sep).join('/') : path;
}
