/**
 * Python parsing for Strata: web-tree-sitter with the tree-sitter-python grammar, loaded once per
 * process. General-purpose on purpose: `validate` (contract checks) and `render` (template
 * inlining) share it. Nothing here executes Python.
 *
 * Positions: every location this module returns is 1-based, with columns counted in UTF-16 code
 * units of the line, the unit `Finding.column` uses (so equal to characters for anything outside
 * the astral planes; an emoji counts 2). Raw tree-sitter points are never handed out as locations:
 * use `SourceText.location` / `PythonParser.locate`, which also cope with a binding that reports
 * UTF-8 byte columns (web-tree-sitter 0.25 reports UTF-16 units for string input; the unit is
 * probed at load time rather than assumed).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Language, Parser } from 'web-tree-sitter';
import { env } from '../env.js';
import type { Node, Point, Tree } from 'web-tree-sitter';

export type { Node, Point, Tree } from 'web-tree-sitter';

/** A syntax error in Python code. `line` and `column` are 1-based, in the code text. */
export interface PySyntaxError {
  line: number;
  column: number;
  message: string;
}

/** A 1-based position in a code text (column in UTF-16 code units of the line). */
export interface SourceLocation {
  line: number;
  column: number;
}

/** The unit tree-sitter columns come in. */
export type PositionUnit = 'utf16' | 'utf8';

/** At most this many syntax errors are reported per code text. */
export const MAX_SYNTAX_ERRORS = 5;

/** Environment variable that may name the grammar's .wasm file explicitly (packaged builds). */
export const PYTHON_WASM_ENV = 'STRATA_PYTHON_WASM';

/**
 * A code text with a line table, converting tree-sitter points and string indices to 1-based
 * locations. Lines are split on `\n` only, as tree-sitter counts rows (a CRLF line's `\r` is the
 * last character of the line, so columns are unaffected).
 */
export class SourceText {
  #lineStarts: number[] | undefined;

  constructor(
    readonly code: string,
    readonly unit: PositionUnit = 'utf16',
  ) {}

  /** UTF-16 index of the first character of each line (row). */
  get lineStarts(): readonly number[] {
    if (this.#lineStarts === undefined) {
      const starts = [0];
      const code = this.code;
      let i = code.indexOf('\n');
      while (i !== -1) {
        starts.push(i + 1);
        i = code.indexOf('\n', i + 1);
      }
      this.#lineStarts = starts;
    }
    return this.#lineStarts;
  }

  /** The text of a 0-based row, without its line break. */
  lineText(row: number): string {
    const starts = this.lineStarts;
    const start = starts[row];
    if (start === undefined) return '';
    const next = starts[row + 1];
    let end = next === undefined ? this.code.length : next - 1;
    if (end > start && this.code.charCodeAt(end - 1) === 13) end -= 1;
    return this.code.slice(start, end);
  }

  /** UTF-16 index into `code` of a tree-sitter point. */
  indexOf(point: Point): number {
    const starts = this.lineStarts;
    const lineStart = starts[point.row] ?? this.code.length;
    if (this.unit === 'utf16') return Math.min(lineStart + point.column, this.code.length);
    // UTF-8 byte column: walk the line's characters until that many bytes are consumed.
    const code = this.code;
    let bytes = 0;
    let i = lineStart;
    while (bytes < point.column && i < code.length) {
      const c = code.charCodeAt(i);
      if (c < 0x80) {
        bytes += 1;
        i += 1;
      } else if (c < 0x800) {
        bytes += 2;
        i += 1;
      } else if (c >= 0xd800 && c <= 0xdbff && i + 1 < code.length) {
        const d = code.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) {
          bytes += 4;
          i += 2;
        } else {
          bytes += 3;
          i += 1;
        }
      } else {
        bytes += 3;
        i += 1;
      }
    }
    return i;
  }

  /** 1-based location of a tree-sitter point. */
  location(point: Point): SourceLocation {
    const lineStart = this.lineStarts[point.row];
    if (lineStart === undefined) return this.locationOfIndex(this.code.length);
    return { line: point.row + 1, column: this.indexOf(point) - lineStart + 1 };
  }

  /** 1-based location of a UTF-16 index into `code`. */
  locationOfIndex(index: number): SourceLocation {
    const starts = this.lineStarts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] ?? 0) <= index) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: index - (starts[lo] ?? 0) + 1 };
  }
}

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
 * Locate tree-sitter-python's .wasm: the STRATA_PYTHON_WASM override, else the package subpath,
 * else next to the package's package.json (for when "exports" hides the file), else a
 * node_modules directory above this module.
 */
export function resolvePythonWasm(): string {
  const explicit = env(PYTHON_WASM_ENV);
  if (explicit) {
    const abs = resolvePath(explicit);
    if (!existsSync(abs)) throw new Error(`${PYTHON_WASM_ENV} names ${abs}, which does not exist`);
    return abs;
  }
  const tried: string[] = [];
  const candidates: Array<() => string | undefined> = [
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
    'Cannot find tree-sitter-python.wasm (is the tree-sitter-python package installed?)' +
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
      return collectSyntaxErrors(tree, source(tree));
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

// ---------------------------------------------------------------------------------------------
// Syntax errors

/** `bodyEnd`: a header missing its colon leaves its body to error recovery up to there. */
type Diagnostic = PySyntaxError & { bodyEnd?: SourceLocation };

const COMPOUND_KEYWORDS = new Set(
  'if elif else while for def class with try except finally async'.split(' '),
);
/** Where an ERROR after an expression most likely means a missing comma. */
const BRACKETED = new Set(
  'list tuple set dictionary argument_list parameters parenthesized_expression subscript call'.split(' '),
);
const CLOSERS = new Set([')', ']', '}']);

function compareLoc(a: SourceLocation, b: SourceLocation): number {
  return a.line - b.line || a.column - b.column;
}

function snippet(text: string): string {
  const first = (text.trimStart().split('\n')[0] ?? '').trim();
  return first.length > 40 ? `${first.slice(0, 40)}…` : first;
}

function collectSyntaxErrors(tree: Tree, source: SourceText): PySyntaxError[] {
  const root = tree.rootNode;
  const out: Diagnostic[] = [];
  const scanned = scanPython(source.code);
  for (const e of scanned.escapes) out.push({ ...source.locationOfIndex(e.index), message: e.message });
  if (root.hasError) {
    const scan = scanned.error;
    const scanLoc = scan === null ? null : source.locationOfIndex(scan.index);
    if (scan !== null && scanLoc !== null) out.push({ ...scanLoc, message: scan.message });
    // ERROR nodes nest: recovery may wrap a long stretch of code, errors included, into one. The
    // innermost ones are precise; an enclosing one is reported only for a specific diagnosis.
    const treeErrors: Array<{ node: Node; start: SourceLocation; end: SourceLocation; outer: boolean }> = [];
    const record = (node: Node, outer: boolean): void => {
      treeErrors.push({
        node,
        start: source.location(node.startPosition),
        end: source.location(node.endPosition),
        outer,
      });
    };
    const visit = (node: Node): void => {
      for (const child of node.children) {
        if (child === null) continue;
        if (child.isMissing) {
          record(child, false);
        } else if (child.isError) {
          const before = treeErrors.length;
          visit(child);
          record(child, treeErrors.length > before);
        } else if (child.hasError) {
          visit(child);
        }
      }
    };
    if (root.isError) {
      const before = treeErrors.length;
      visit(root);
      record(root, treeErrors.length > before);
    } else {
      visit(root);
    }
    const treeDiagnostics: Diagnostic[] = [];
    for (const { node, start, end, outer } of treeErrors) {
      if (scan !== null && scanLoc !== null) {
        // The tokenizer error explains tree-sitter errors around it: any that spans it, a missing
        // closing bracket, and everything after a bracket that is never closed.
        if (compareLoc(start, scanLoc) <= 0 && compareLoc(scanLoc, end) <= 0) continue;
        if (node.isMissing && CLOSERS.has(node.type)) continue;
        if (scan.kind === 'unclosed' && compareLoc(start, scanLoc) >= 0) continue;
      }
      const diagnostic = describeTreeError(node, start, source, outer);
      if (diagnostic !== null) treeDiagnostics.push(diagnostic);
    }
    // After a header without its colon, tree errors in its body are artefacts of the recovery.
    for (const d of treeDiagnostics) {
      const explained = treeDiagnostics.some(
        (h) => h.bodyEnd !== undefined && compareLoc(h, d) < 0 && compareLoc(d, h.bodyEnd) < 0,
      );
      if (!explained) out.push(d);
    }
  }
  checkStatements(root, source, scanned.lineEnds, out);
  out.sort(compareLoc);
  const result: PySyntaxError[] = [];
  for (const d of out) {
    const last = result[result.length - 1];
    if (last !== undefined && last.line === d.line && last.column === d.column) continue;
    result.push({ line: d.line, column: d.column, message: d.message });
    if (result.length >= MAX_SYNTAX_ERRORS) break;
  }
  return result;
}

function describeTreeError(
  node: Node,
  start: SourceLocation,
  source: SourceText,
  outer: boolean,
): Diagnostic | null {
  if (node.isMissing) {
    const what = /^[a-z_]+$/.test(node.type) ? node.type.replace(/_/g, ' ') : `\`${node.type}\``;
    return { ...start, message: `missing ${what}` };
  }
  const children = node.children.filter((c): c is Node => c !== null);
  const first = children[0];
  const colonless = headerWithoutColon(node, source);
  if (colonless !== null) return colonless;
  const text = node.text;
  if (first !== undefined && first.type === '=' && node.parent !== null) {
    const parentType = node.parent.type;
    if (parentType === 'if_statement' || parentType === 'elif_clause' || parentType === 'while_statement') {
      return { ...start, message: 'unexpected `=` (use `==` to compare)' };
    }
  }
  // A statement cut short after an operator: `x = 1 +`.
  const lastLeaf = lastLeafOf(node);
  if (lastLeaf !== null && OPERATORS.has(lastLeaf.type) && children.length > 1) {
    const end = lastLeaf.endPosition;
    const rest = source.lineText(end.row).slice(source.location(end).column - 1);
    if (rest.trim() === '' || rest.trim().startsWith('#')) {
      return { ...source.location(end), message: `expected an expression after \`${lastLeaf.type}\`` };
    }
  }
  if (outer) return null;
  // One token: punctuation or a keyword is "unexpected"; a name or literal is usually missing an
  // operator or comma before it.
  const single = children.length === 1 && first !== undefined && first.childCount === 0;
  let message =
    text.trim() === ''
      ? 'invalid syntax'
      : single && !first.isNamed
        ? `unexpected \`${text}\``
        : `invalid syntax near \`${snippet(text)}\``;
  // Recovery may start an ERROR at the end of the line before the offending code.
  const anchor = children.find((c) => c.type !== 'comment');
  const at = anchor !== undefined && text.trim() !== '' ? source.location(anchor.startPosition) : start;
  // An expression directly after another inside brackets: usually a forgotten comma.
  const prev = node.previousSibling;
  let inBrackets = false;
  for (let p = node.parent, depth = 0; p !== null && depth < 3; p = p.parent, depth += 1) {
    if (BRACKETED.has(p.type)) {
      inBrackets = true;
      break;
    }
  }
  const expression = first !== undefined && first.isNamed;
  if (inBrackets && expression && prev !== null && prev.isNamed && prev.type !== 'comment' && !prev.isError) {
    message += ' (missing comma before it?)';
  }
  return { ...at, message };
}

/** Is this a compound statement keyword starting its line (`[a for a in b if]` is no header)? */
function isHeaderKeyword(node: Node | undefined, source: SourceText): node is Node {
  return node !== undefined && COMPOUND_KEYWORDS.has(node.type) && startsLine(node, source);
}

/**
 * A compound statement header without its colon (`if x` / `def f()` / `class A`), as an ERROR
 * shows it. Recovery may wrap much of what came before into the ERROR, or only the header's tail
 * or the token after it (`def f` + ERROR `(a)`, the usual shape under a decorator), so read the
 * ERROR's children in its place among its siblings, and take the last header keyword up to its
 * end whose header has no colon.
 */
function headerWithoutColon(node: Node, source: SourceText): Diagnostic | null {
  const present = (c: Node | null): c is Node => c !== null;
  const siblings = node.parent?.children.filter(present) ?? [node];
  const at = siblings.findIndex((c) => c.id === node.id);
  if (at < 0) return null;
  const children = node.children.filter(present);
  const line = [...siblings.slice(0, at), ...children, ...siblings.slice(at + 1)];
  for (let i = at + children.length - 1; i >= 0; i -= 1) {
    const keyword = line[i];
    if (!isHeaderKeyword(keyword, source)) continue;
    const header = logicalLine(line, i);
    const last = header.leaves[header.leaves.length - 1];
    if (last === undefined || header.colon) continue;
    // The ERROR must be in the header or right after it, not somewhere down the body.
    if (header.next !== null && node.startIndex > header.next.startIndex) return null;
    const indent = source.location(keyword.startPosition).column - 1;
    return {
      ...source.location(last.endPosition),
      message: 'missing `:`',
      bodyEnd: blockEnd(source, last.endPosition.row, indent),
    };
  }
  return null;
}

/** Start of the first line after `row` indented no deeper than `indent` (blank lines and comments aside). */
function blockEnd(source: SourceText, row: number, indent: number): SourceLocation {
  const rows = source.lineStarts.length;
  for (let r = row + 1; r < rows; r += 1) {
    const text = source.lineText(r);
    const rest = text.trimStart();
    if (rest !== '' && !rest.startsWith('#') && text.length - rest.length <= indent)
      return { line: r + 1, column: 1 };
  }
  return { line: rows + 1, column: 1 };
}

/** Tokens a statement cannot end with. */
const OPERATORS = new Set(
  (
    '+ - * / // % ** @ | & ^ << >> ~ = := == != < > <= >= <> += -= *= /= //= %= **= @= |= &= ^= <<= >>= ' +
    ', . -> and or not in is lambda await'
  ).split(' '),
);

function lastLeafOf(node: Node): Node | null {
  let n: Node | null = node;
  while (n !== null && n.childCount > 0) {
    let last: Node | null = n.lastChild;
    while (last !== null && last.type === 'comment') last = last.previousSibling;
    n = last;
  }
  return n;
}

/** Is this node the first thing on its line? */
function startsLine(node: Node, source: SourceText): boolean {
  const p = node.startPosition;
  const before = source.lineText(p.row).slice(0, source.location(p).column - 1);
  return before.trim() === '';
}

/**
 * The leaves of the logical line that starts at `children[from]` (continuing across rows while
 * brackets are open), whether it has a `:` outside brackets, and the leaf after it (if any).
 */
function logicalLine(children: Node[], from: number): { leaves: Node[]; colon: boolean; next: Node | null } {
  const leaves: Node[] = [];
  let colon = false;
  let next: Node | null = null;
  let depth = 0;
  let row = children[from]?.startPosition.row ?? 0;
  let done = false;
  const visit = (n: Node): void => {
    if (n.childCount === 0) {
      if (n.type === 'comment') return;
      if (n.startPosition.row > row && depth === 0) {
        done = true;
        next = n;
        return;
      }
      leaves.push(n);
      row = n.endPosition.row;
      if (n.type === '(' || n.type === '[' || n.type === '{') depth += 1;
      else if (n.type === ')' || n.type === ']' || n.type === '}') depth = Math.max(0, depth - 1);
      else if (n.type === ':' && depth === 0) colon = true;
      return;
    }
    for (const c of n.children) {
      if (c !== null) visit(c);
      if (done) return;
    }
  };
  for (let i = from; i < children.length && !done; i += 1) {
    const child = children[i];
    if (child !== undefined) visit(child);
  }
  return { leaves, colon, next };
}

const COMPOUND_STATEMENTS = new Set(
  (
    'if_statement for_statement while_statement try_statement with_statement function_definition ' +
    'class_definition decorated_definition match_statement case_clause'
  ).split(' '),
);

/** The first element of an ascending array that is >= value. */
function firstAtOrAfter(sorted: readonly number[], value: number): number | undefined {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] ?? 0) < value) lo = mid + 1;
    else hi = mid;
  }
  return sorted[lo];
}

const TRY_HANDLERS = new Set(['except_clause', 'except_group_clause', 'finally_clause']);

/** The statement that follows a node (in its block or any enclosing one), where Python notices. */
function nextStatementAfter(node: Node): Node | null {
  for (let n: Node | null = node; n !== null; n = n.parent) {
    for (let s = n.nextNamedSibling; s !== null; s = s.nextNamedSibling) {
      if (s.type !== 'comment') return s;
    }
  }
  return null;
}

// Statement-level checks for what the grammar accepts and Python rejects. One walk over the
// statements (expressions are not entered).

function checkStatements(
  root: Node,
  source: SourceText,
  lineEnds: readonly number[],
  out: Diagnostic[],
): void {
  // A byte-order mark is not indentation.
  const bom = source.code.charCodeAt(0) === 0xfeff ? 1 : 0;
  const indentOf = (node: Node): string => {
    const p = node.startPosition;
    const lineStart = source.lineStarts[p.row] ?? 0;
    return source.code.slice(lineStart + (p.row === 0 ? bom : 0), source.indexOf(p));
  };
  const walkContainer = (container: Node, isModule: boolean): void => {
    if (container.hasError && isModule === false) return;
    let expected: string | undefined = isModule ? '' : undefined;
    let prevEndRow = isModule ? -1 : (container.previousSibling?.endPosition.row ?? -1);
    let statements = 0;
    for (const stmt of container.namedChildren) {
      if (stmt === null) continue;
      if (stmt.type === 'comment') continue;
      statements += 1;
      const firstOnLine = stmt.startPosition.row > prevEndRow;
      const prevRow = Math.max(prevEndRow, 0);
      prevEndRow = stmt.endPosition.row;
      if (stmt.isError || stmt.hasError) {
        if (!stmt.isError) descend(stmt);
        continue;
      }
      // The grammar lets two statements share a line without `;` (`import a b` parses as two).
      if (!firstOnLine && statements > 1 && stmt.previousSibling?.type !== ';') {
        out.push({
          ...source.location(stmt.startPosition),
          message: `invalid syntax near \`${snippet(stmt.text)}\` (missing comma, operator or line break before it?)`,
        });
      }
      if (firstOnLine) {
        const indent = indentOf(stmt);
        if (expected === undefined) {
          expected = indent;
        } else if (indent !== expected) {
          out.push({
            ...source.location(stmt.startPosition),
            message: indentMessage(indent, expected, prevRow),
          });
        }
      }
      // The grammar lets a simple statement run on past a line break (`x =` / `y = 1` parses as
      // `x = y = 1`); Python ends the statement there.
      if (!COMPOUND_STATEMENTS.has(stmt.type)) {
        const from = source.indexOf(stmt.startPosition);
        const to = source.indexOf(stmt.endPosition);
        const end = firstAtOrAfter(lineEnds, from);
        if (end !== undefined && end < to) {
          const before = source.code.slice(from, end).trimEnd();
          const last = before.slice(before.search(/\S+$/));
          out.push({
            ...source.locationOfIndex(end),
            message: `statement is incomplete at the end of the line (after \`${last}\`)`,
          });
        }
      }
      if (
        stmt.type === 'try_statement' &&
        !stmt.namedChildren.some((c) => c !== null && TRY_HANDLERS.has(c.type))
      ) {
        out.push({
          ...source.location((nextStatementAfter(stmt) ?? stmt).startPosition),
          message: `expected \`except\` or \`finally\` block after \`try\` on line ${stmt.startPosition.row + 1}`,
        });
      }
      // `print >> f, x` is a valid Python 3 expression; other print/exec statements are not.
      const py2 =
        stmt.type === 'exec_statement' ||
        (stmt.type === 'print_statement' && !stmt.namedChildren.some((c) => c?.type === 'chevron'));
      if (py2) {
        const kw = stmt.type === 'print_statement' ? 'print' : 'exec';
        out.push({
          ...source.location(stmt.startPosition),
          message: `\`${kw}\` statement is Python 2 syntax: use \`${kw}(...)\``,
        });
      }
      descend(stmt);
    }
    if (!isModule && statements === 0 && container.parent !== null && !container.parent.hasError) {
      const header = container.parent;
      const keyword = header.child(0)?.text ?? header.type;
      out.push({
        ...source.location((nextStatementAfter(header) ?? container).startPosition),
        message: `expected an indented block after \`${keyword}\` on line ${header.startPosition.row + 1}`,
      });
    }
  };
  // Leading whitespace of a row, and the indentation message for a mismatch.
  const lineIndent = (row: number): string =>
    /^[ \t\f]*/.exec(source.lineText(row).slice(row === 0 ? bom : 0))?.[0] ?? '';
  const indentMessage = (indent: string, expected: string, prevRow: number): string => {
    const both = indent + expected;
    if (both.includes('\t') && both.includes(' '))
      return 'inconsistent use of tabs and spaces in indentation';
    // Deeper than the line before: an unexpected indent; shallower: a dedent to a level that no
    // enclosing block has.
    return indent.length > expected.length && indent.length >= lineIndent(prevRow).length
      ? 'unexpected indent'
      : 'unindent does not match any outer indentation level';
  };
  const descend = (node: Node): void => {
    for (const child of node.namedChildren) {
      if (child === null) continue;
      if (child.type === 'block') {
        walkContainer(child, false);
        continue;
      }
      const clause = child.type.endsWith('_clause') && child.type !== 'with_clause';
      const definition = child.type === 'function_definition' || child.type === 'class_definition';
      if (!clause && !definition && child.type !== 'decorator') continue;
      // `else:`, `except:`, a decorated `def` on its own line: indented like the statement.
      if (startsLine(child, source)) {
        const expected = lineIndent(node.startPosition.row);
        const indent = indentOf(child);
        if (indent !== expected) {
          out.push({
            ...source.location(child.startPosition),
            message: indentMessage(indent, expected, Math.max(child.startPosition.row - 1, 0)),
          });
        }
      }
      if (clause || definition) descend(child);
    }
  };
  walkContainer(root, true);
}

// ---------------------------------------------------------------------------------------------
// Tokenizer pass: Python's tokenizer reports these before the parser runs, and tree-sitter's
// error recovery tends to blur them, so find them directly.

export interface ScanError {
  /** UTF-16 index into the code. */
  index: number;
  kind: 'unmatched' | 'mismatch' | 'unclosed' | 'string' | 'escape';
  message: string;
}

const STRING_PREFIXES = new Set(['r', 'u', 'b', 'f', 't', 'br', 'rb', 'fr', 'rf', 'tr', 'rt']);

function isIdentChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c >= 0x80;
}

export interface ScanResult {
  /** The first tokenizer-level error, or null. */
  error: ScanError | null;
  /** Escapes in string literals that Python refuses (a truncated `\\u12`, say), at most a few. */
  escapes: ScanError[];
  /**
   * UTF-16 indices of the line breaks that end a logical line (outside brackets and strings, not
   * escaped by a backslash), ascending, up to the error if there is one.
   */
  lineEnds: number[];
}

/**
 * Tokenize Python code far enough to find what Python's tokenizer reports: an unterminated
 * string, a closing bracket with no or the wrong opener, or (at the end) the innermost bracket
 * never closed; and where logical lines end.
 */
export function scanPython(code: string): ScanResult {
  const stack: Array<{ ch: string; index: number }> = [];
  const lineEnds: number[] = [];
  const escapes: ScanError[] = [];
  const n = code.length;
  const fail = (error: ScanError): ScanResult => ({ error, escapes, lineEnds });
  let i = 0;
  while (i < n) {
    const c = code.charCodeAt(i);
    if (c === 10 /* \n */) {
      if (stack.length === 0) lineEnds.push(i);
      i += 1;
    } else if (c === 35 /* # */) {
      const nl = code.indexOf('\n', i);
      i = nl === -1 ? n : nl;
    } else if (c === 92 /* \ */) {
      // Line continuation: the line break after it does not end the logical line.
      i += code.startsWith('\r\n', i + 1) ? 3 : 2;
    } else if (c === 34 || c === 39 /* " ' */) {
      const end = skipString(code, i, '', escapes);
      if (end < 0) return fail(unterminated(code, i));
      i = end;
    } else if (isIdentChar(c)) {
      const start = i;
      while (i < n && isIdentChar(code.charCodeAt(i))) i += 1;
      const q = code.charCodeAt(i);
      const prefix = code.slice(start, i).toLowerCase();
      if ((q === 34 || q === 39) && STRING_PREFIXES.has(prefix)) {
        const end = skipString(code, i, prefix, escapes);
        if (end < 0) return fail(unterminated(code, start));
        i = end;
      }
    } else if (c === 40 || c === 91 || c === 123 /* ( [ { */) {
      stack.push({ ch: code[i] ?? '', index: i });
      i += 1;
    } else if (c === 41 || c === 93 || c === 125 /* ) ] } */) {
      const ch = code[i] ?? '';
      const open = stack.pop();
      if (open === undefined) return fail({ index: i, kind: 'unmatched', message: `unmatched \`${ch}\`` });
      const expected = open.ch === '(' ? ')' : open.ch === '[' ? ']' : '}';
      if (ch !== expected) {
        const openLine = lineOfIndex(code, open.index);
        const here = lineOfIndex(code, i);
        return fail({
          index: i,
          kind: 'mismatch',
          message:
            `closing \`${ch}\` does not match opening \`${open.ch}\`` +
            (openLine !== here ? ` on line ${openLine}` : ''),
        });
      }
      i += 1;
    } else {
      i += 1;
    }
  }
  const open = stack.pop();
  if (open !== undefined) {
    return fail({ index: open.index, kind: 'unclosed', message: `\`${open.ch}\` was never closed` });
  }
  return { error: null, escapes, lineEnds };
}

/**
 * Index just past the string whose quote is at `q`, or -1 when it is unterminated. Escapes that
 * Python refuses in a non-raw literal are added to `escapes`.
 */
function skipString(code: string, q: number, prefix: string, escapes: ScanError[]): number {
  const quote = code[q] ?? '"';
  const triple = code.startsWith(quote.repeat(3), q);
  const raw = prefix.includes('r');
  const bytes = prefix.includes('b');
  const n = code.length;
  let j = q + (triple ? 3 : 1);
  while (j < n) {
    const c = code[j];
    if (c === '\\') {
      if (!raw) {
        const problem = badEscape(code, j, bytes);
        if (problem !== null && escapes.length < MAX_SYNTAX_ERRORS) {
          escapes.push({ index: j, kind: 'escape', message: problem });
        }
      }
      j += code.startsWith('\r\n', j + 1) ? 3 : 2;
      continue;
    }
    if (!triple && (c === '\n' || c === '\r')) return -1;
    if (c === quote) {
      if (!triple) return j + 1;
      if (code.startsWith(quote.repeat(3), j)) return j + 3;
    }
    j += 1;
  }
  return -1;
}

const HEX = /^[0-9a-fA-F]*/;

/** What is wrong with the escape at `code[at]` (a backslash), or null. */
function badEscape(code: string, at: number, bytes: boolean): string | null {
  const kind = code[at + 1];
  const digits = (count: number) => (HEX.exec(code.slice(at + 2, at + 2 + count))?.[0].length ?? 0) === count;
  if (kind === 'x') return digits(2) ? null : 'truncated `\\x` escape in string literal (needs 2 hex digits)';
  if (bytes) return null;
  if (kind === 'u') return digits(4) ? null : 'truncated `\\u` escape in string literal (needs 4 hex digits)';
  if (kind === 'U') {
    if (!digits(8)) return 'truncated `\\U` escape in string literal (needs 8 hex digits)';
    return parseInt(code.slice(at + 2, at + 10), 16) > 0x10ffff
      ? 'illegal Unicode character in `\\U` escape'
      : null;
  }
  if (kind === 'N')
    return /^\{[A-Za-z0-9 -]+\}/.test(code.slice(at + 2, at + 200)) ? null : 'malformed `\\N{...}` escape';
  return null;
}

function unterminated(code: string, start: number): ScanError {
  let q = start;
  while (q < code.length && code[q] !== '"' && code[q] !== "'") q += 1;
  const quote = code[q] ?? '"';
  const triple = code.startsWith(quote.repeat(3), q);
  return {
    index: start,
    kind: 'string',
    message: triple ? 'unterminated triple-quoted string literal' : 'unterminated string literal',
  };
}

function lineOfIndex(code: string, index: number): number {
  let line = 1;
  for (let i = code.indexOf('\n'); i !== -1 && i < index; i = code.indexOf('\n', i + 1)) line += 1;
  return line;
}
