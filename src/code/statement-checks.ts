/**
 * Statement-level checks for what tree-sitter's grammar accepts and Python rejects: two statements
 * on one line without `;`, inconsistent indentation, a simple statement running on past its line,
 * `try` without a handler, Python 2 `print`/`exec` statements, empty blocks. One walk over the
 * statements; expressions are not entered.
 */
import type { Node } from 'web-tree-sitter';
import { nextStatementAfter, snippet, startsLine, type Diagnostic } from './diagnosis.js';
import type { SourceText } from './source-text.js';

const COMPOUND_STATEMENTS = new Set(
  (
    'if_statement for_statement while_statement try_statement with_statement function_definition ' +
    'class_definition decorated_definition match_statement case_clause'
  ).split(' '),
);

const TRY_HANDLERS = new Set(['except_clause', 'except_group_clause', 'finally_clause']);

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

/**
 * Add to `out` what Python rejects among the statements of `root`. `lineEnds` are the indices of
 * the line breaks that end logical lines (from the tokenizer pass).
 */
export function checkStatements(
  root: Node,
  source: SourceText,
  lineEnds: readonly number[],
  out: Diagnostic[],
): void {
  new StatementChecks(source, lineEnds, out).container(root, true);
}

class StatementChecks {
  /** A byte-order mark is not indentation. */
  readonly #bom: number;

  constructor(
    readonly source: SourceText,
    readonly lineEnds: readonly number[],
    readonly out: Diagnostic[],
  ) {
    this.#bom = source.code.charCodeAt(0) === 0xfeff ? 1 : 0;
  }

  #report(node: Node, message: string): void {
    this.out.push({ ...this.source.location(node.startPosition), message });
  }

  /** The statements of a module or block. */
  container(container: Node, isModule: boolean): void {
    if (container.hasError && !isModule) return;
    let expected: string | undefined = isModule ? '' : undefined;
    let prevEndRow = isModule ? -1 : (container.previousSibling?.endPosition.row ?? -1);
    let statements = 0;
    for (const stmt of container.namedChildren) {
      if (stmt === null || stmt.type === 'comment') continue;
      statements += 1;
      const firstOnLine = stmt.startPosition.row > prevEndRow;
      const prevRow = Math.max(prevEndRow, 0);
      prevEndRow = stmt.endPosition.row;
      if (stmt.isError || stmt.hasError) {
        if (!stmt.isError) this.descend(stmt);
        continue;
      }
      // The grammar lets two statements share a line without `;` (`import a b` parses as two).
      if (!firstOnLine && statements > 1 && stmt.previousSibling?.type !== ';') {
        this.#report(
          stmt,
          `invalid syntax near \`${snippet(stmt.text)}\` (missing comma, operator or line break before it?)`,
        );
      }
      if (firstOnLine) {
        const indent = this.#indentOf(stmt);
        if (expected === undefined) expected = indent;
        else if (indent !== expected) this.#report(stmt, this.#indentMessage(indent, expected, prevRow));
      }
      this.#lineBreak(stmt);
      this.#tryHandlers(stmt);
      this.#python2(stmt);
      this.descend(stmt);
    }
    if (!isModule && statements === 0 && container.parent !== null && !container.parent.hasError) {
      const header = container.parent;
      const keyword = header.child(0)?.text ?? header.type;
      this.#report(
        nextStatementAfter(header) ?? container,
        `expected an indented block after \`${keyword}\` on line ${header.startPosition.row + 1}`,
      );
    }
  }

  /**
   * The grammar lets a simple statement run on past a line break (`x =` / `y = 1` parses as
   * `x = y = 1`); Python ends the statement there.
   */
  #lineBreak(stmt: Node): void {
    if (COMPOUND_STATEMENTS.has(stmt.type)) return;
    const source = this.source;
    const from = source.indexOf(stmt.startPosition);
    const to = source.indexOf(stmt.endPosition);
    const end = firstAtOrAfter(this.lineEnds, from);
    if (end === undefined || end >= to) return;
    const before = source.code.slice(from, end).trimEnd();
    const last = before.slice(before.search(/\S+$/));
    this.out.push({
      ...source.locationOfIndex(end),
      message: `statement is incomplete at the end of the line (after \`${last}\`)`,
    });
  }

  #tryHandlers(stmt: Node): void {
    if (stmt.type !== 'try_statement') return;
    if (stmt.namedChildren.some((c) => c !== null && TRY_HANDLERS.has(c.type))) return;
    this.#report(
      nextStatementAfter(stmt) ?? stmt,
      `expected \`except\` or \`finally\` block after \`try\` on line ${stmt.startPosition.row + 1}`,
    );
  }

  /** `print >> f, x` is a valid Python 3 expression; other print/exec statements are not. */
  #python2(stmt: Node): void {
    const py2 =
      stmt.type === 'exec_statement' ||
      (stmt.type === 'print_statement' && !stmt.namedChildren.some((c) => c?.type === 'chevron'));
    if (!py2) return;
    const kw = stmt.type === 'print_statement' ? 'print' : 'exec';
    this.#report(stmt, `\`${kw}\` statement is Python 2 syntax: use \`${kw}(...)\``);
  }

  /** Blocks, clauses and definitions inside a statement. */
  descend(node: Node): void {
    for (const child of node.namedChildren) {
      if (child === null) continue;
      if (child.type === 'block') {
        this.container(child, false);
        continue;
      }
      const clause = child.type.endsWith('_clause') && child.type !== 'with_clause';
      const definition = child.type === 'function_definition' || child.type === 'class_definition';
      if (!clause && !definition && child.type !== 'decorator') continue;
      // `else:`, `except:`, a decorated `def` on its own line: indented like the statement.
      if (startsLine(child, this.source)) {
        const expected = this.#lineIndent(node.startPosition.row);
        const indent = this.#indentOf(child);
        if (indent !== expected) {
          this.#report(
            child,
            this.#indentMessage(indent, expected, Math.max(child.startPosition.row - 1, 0)),
          );
        }
      }
      if (clause || definition) this.descend(child);
    }
  }

  #indentOf(node: Node): string {
    const p = node.startPosition;
    const lineStart = this.source.lineStarts[p.row] ?? 0;
    return this.source.code.slice(lineStart + (p.row === 0 ? this.#bom : 0), this.source.indexOf(p));
  }

  /** Leading whitespace of a row. */
  #lineIndent(row: number): string {
    return /^[ \t\f]*/.exec(this.source.lineText(row).slice(row === 0 ? this.#bom : 0))?.[0] ?? '';
  }

  #indentMessage(indent: string, expected: string, prevRow: number): string {
    const both = indent + expected;
    if (both.includes('\t') && both.includes(' '))
      return 'inconsistent use of tabs and spaces in indentation';
    // Deeper than the line before: an unexpected indent; shallower: a dedent to a level that no
    // enclosing block has.
    return indent.length > expected.length && indent.length >= this.#lineIndent(prevRow).length
      ? 'unexpected indent'
      : 'unindent does not match any outer indentation level';
  }
}
