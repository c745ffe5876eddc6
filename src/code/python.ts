/**
 * Loading the Python parser: web-tree-sitter with the tree-sitter-python grammar, once per
 * process (web-tree-sitter's runtime is initialised process-wide). General-purpose on purpose:
 * `validate` (contract checks) and `render` (template inlining) share it. Nothing here executes
 * Python.
 *
 * Positions: raw tree-sitter points are never handed out as locations: use
 * `SourceText.location` / `PythonParser.locate` (1-based, UTF-16 columns), which also cope with
 * a binding that reports UTF-8 byte columns (the unit is probed at load time rather than assumed).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Language, Parser } from 'web-tree-sitter';
import type { Node, Tree } from 'web-tree-sitter';
import { env } from '../env.js';
import { SourceText, type PositionUnit, type SourceLocation } from './source-text.js';
import { syntaxErrors, type PySyntaxError } from './syntax-errors.js';

export type { Node, Point, Tree } from 'web-tree-sitter';

/** Environment variable that may name the grammar's .wasm file explicitly (packaged builds). */
export const PYTHON_WASM_ENV = 'STRATA_PYTHON_WASM';

export interface PythonParser {
  readonly language: Language;
  /** The unit the binding reports tree-sitter columns in (probed at load). */
  readonly positionUnit: PositionUnit;
  /** Parse code. The caller owns the tree and must call `tree.delete()` (or use `withTree`). */
  parse(code: string): Tree;
  /** Parse code, run `fn`, and free the tree whatever happens. Do not keep nodes past `fn`. */
  withTree<T>(code: string, fn: (tree: Tree, source: SourceText) => T): T;
  /** The text a tree (from this parser) was parsed from. */
  source(tree: Tree): SourceText;
  /** 1-based start (or end) location of a node of a tree from this parser. */
  locate(node: Node, edge?: 'start' | 'end'): SourceLocation;
  /**
   * Syntax errors, earliest first, at most MAX_SYNTAX_ERRORS: tree-sitter ERROR and MISSING
   * nodes, refined by a tokenizer pass (unclosed/unmatched brackets, unterminated strings) when
   * the tree has errors, plus what tree-sitter's grammar accepts but Python rejects (Python 2
   * print/exec statements, empty blocks, inconsistent indentation).
   */
  syntaxErrors(tree: Tree): PySyntaxError[];
}

let loading: Promise<PythonParser> | undefined;

/** Load web-tree-sitter and the Python grammar (once per process; later calls share it). */
export function loadPython(): Promise<PythonParser> {
  if (loading === undefined) {
    loading = createPythonParser();
    // A failed load (missing .wasm, say) is not cached: a later call may try again.
    loading.catch(() => {
      loading = undefined;
    });
  }
  return loading;
}

const require = createRequire(import.meta.url);

function tryResolve(specifier: string): string | undefined {
  try {
    return require.resolve(specifier);
  } catch {
    return undefined;
  }
}

/**
 * Locate tree-sitter-python's .wasm: the STRATA_PYTHON_WASM override, else the copy the build puts
 * beside this module (the published package ships it; tree-sitter-python is a devDependency), else
 * the package subpath, else next to the package's package.json (for when "exports" hides the
 * file), else a node_modules directory above this module.
 */
export function resolvePythonWasm(explicit: string | undefined = env(PYTHON_WASM_ENV)): string {
  if (explicit) {
    const abs = resolvePath(explicit);
    if (!existsSync(abs)) throw new Error(`${PYTHON_WASM_ENV} names ${abs}, which does not exist`);
    return abs;
  }
  const tried: string[] = [];
  const candidates: Array<() => string | undefined> = [
    () => {
      const packaged = join(dirname(fileURLToPath(import.meta.url)), 'tree-sitter-python.wasm');
      return existsSync(packaged) ? packaged : undefined;
    },
    () => tryResolve('tree-sitter-python/tree-sitter-python.wasm'),
    () => {
      // The package may restrict subpaths with "exports"; its package.json or main entry still
      // locate the package directory.
      const pkg = tryResolve('tree-sitter-python/package.json');
      if (pkg !== undefined) return join(dirname(pkg), 'tree-sitter-python.wasm');
      return undefined;
    },
    () => {
      let dir = dirname(fileURLToPath(import.meta.url));
      for (;;) {
        const candidate = join(dir, 'node_modules', 'tree-sitter-python', 'tree-sitter-python.wasm');
        if (existsSync(candidate)) return candidate;
        const parent = dirname(dir);
        if (parent === dir) return undefined;
        dir = parent;
      }
    },
  ];
  for (const candidate of candidates) {
    const path = candidate();
    if (path === undefined) continue;
    const abs = resolvePath(path);
    if (existsSync(abs)) return abs;
    tried.push(abs);
  }
  throw new Error(
    'Cannot find tree-sitter-python.wasm (the package ships it in dist/code/; reinstall strata-cli)' +
      (tried.length > 0 ? `; tried ${tried.join(', ')}` : '') +
      `; set ${PYTHON_WASM_ENV} to its path`,
  );
}

async function createPythonParser(): Promise<PythonParser> {
  // Point web-tree-sitter at its own runtime .wasm explicitly (its default is relative to its
  // script, which breaks when bundled); fall back to the default when it cannot be resolved.
  const runtimeWasm = tryResolve('web-tree-sitter/tree-sitter.wasm');
  await Parser.init(
    runtimeWasm !== undefined && existsSync(runtimeWasm)
      ? {
          locateFile: (file: string, prefix: string) =>
            file.endsWith('.wasm') ? runtimeWasm : prefix + file,
        }
      : undefined,
  );
  const language = await Language.load(resolvePythonWasm());
  const parser = new Parser();
  parser.setLanguage(language);
  const positionUnit = probePositionUnit(parser);
  const sources = new WeakMap<Tree, SourceText>();

  const parse = (code: string): Tree => {
    const tree = parser.parse(code);
    if (tree === null) throw new Error('tree-sitter returned no tree');
    sources.set(tree, new SourceText(code, positionUnit));
    return tree;
  };
  const source = (tree: Tree): SourceText => {
    const text = sources.get(tree);
    if (text === undefined) throw new Error('tree was not produced by this parser (or is a copy)');
    return text;
  };
  return {
    language,
    positionUnit,
    parse,
    withTree<T>(code: string, fn: (tree: Tree, source: SourceText) => T): T {
      const tree = parse(code);
      try {
        return fn(tree, source(tree));
      } finally {
        tree.delete();
      }
    },
    source,
    locate(node: Node, edge: 'start' | 'end' = 'start'): SourceLocation {
      return source(node.tree).location(edge === 'start' ? node.startPosition : node.endPosition);
    },
    syntaxErrors(tree: Tree): PySyntaxError[] {
      return syntaxErrors(tree, source(tree));
    },
  };
}

/** Which unit does this binding report columns in? `"é"` ends at column 3 in UTF-16, 4 in UTF-8. */
function probePositionUnit(parser: Parser): PositionUnit {
  const tree = parser.parse('"\u00e9"');
  if (tree === null) throw new Error('tree-sitter returned no tree');
  try {
    const column = tree.rootNode.firstNamedChild?.endPosition.column;
    if (column === 3) return 'utf16';
    if (column === 4) return 'utf8';
    throw new Error(`unexpected tree-sitter column unit (probe gave ${String(column)})`);
  } finally {
    tree.delete();
  }
}
