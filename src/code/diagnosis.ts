/** What the syntax checks share: the error type, and small readings of nodes and lines. */
import type { Node } from 'web-tree-sitter';
import type { SourceLocation, SourceText } from './source-text.js';

/** A syntax error in Python code. `line` and `column` are 1-based, in the code text. */
export interface PySyntaxError {
  line: number;
  column: number;
  message: string;
}

/** `bodyEnd`: a header missing its colon leaves its body to error recovery up to there. */
export type Diagnostic = PySyntaxError & { bodyEnd?: SourceLocation };

export function compareLoc(a: SourceLocation, b: SourceLocation): number {
  return a.line - b.line || a.column - b.column;
}

export function snippet(text: string): string {
  const first = (text.trimStart().split('\n')[0] ?? '').trim();
  return first.length > 40 ? `${first.slice(0, 40)}…` : first;
}

/** Is this node the first thing on its line? */
export function startsLine(node: Node, source: SourceText): boolean {
  const p = node.startPosition;
  const before = source.lineText(p.row).slice(0, source.location(p).column - 1);
  return before.trim() === '';
}

/** The statement that follows a node (in its block or any enclosing one), where Python notices. */
export function nextStatementAfter(node: Node): Node | null {
  for (let n: Node | null = node; n !== null; n = n.parent) {
    for (let s = n.nextNamedSibling; s !== null; s = s.nextNamedSibling) {
      if (s.type !== 'comment') return s;
    }
  }
  return null;
}
