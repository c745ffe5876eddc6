/**
 * Reading tree-sitter's ERROR and MISSING nodes as Python would report them: the innermost error
 * of nested recovery, a header missing its colon, `=` for `==`, a statement cut short after an
 * operator, a forgotten comma between expressions in brackets.
 */
import type { Node } from 'web-tree-sitter';
import { compareLoc, snippet, startsLine, type Diagnostic } from './diagnosis.js';
import type { SourceLocation, SourceText } from './source-text.js';
import type { ScanError } from './tokenizer.js';

const COMPOUND_KEYWORDS = new Set(
  'if elif else while for def class with try except finally async'.split(' '),
);
/** Where an ERROR after an expression most likely means a missing comma. */
const BRACKETED = new Set(
  'list tuple set dictionary argument_list parameters parenthesized_expression subscript call'.split(' '),
);
const CLOSERS = new Set([')', ']', '}']);

interface ErrorNode {
  node: Node;
  start: SourceLocation;
  end: SourceLocation;
  /** An ERROR enclosing other errors. */
  outer: boolean;
}

/**
 * Diagnostics for tree-sitter's ERROR and MISSING nodes of a tree with errors, leaving out those
 * the tokenizer error `scan` already explains and those inside the body of a header missing its
 * colon (artefacts of the recovery).
 */
export function treeErrors(root: Node, source: SourceText, scan: ScanError | null): Diagnostic[] {
  const scanLoc = scan === null ? null : source.locationOfIndex(scan.index);
  const described: Diagnostic[] = [];
  for (const { node, start, end, outer } of errorNodes(root, source)) {
    if (scan !== null && scanLoc !== null) {
      // The tokenizer error explains tree-sitter errors around it: any that spans it, a missing
      // closing bracket, and everything after a bracket that is never closed.
      if (compareLoc(start, scanLoc) <= 0 && compareLoc(scanLoc, end) <= 0) continue;
      if (node.isMissing && CLOSERS.has(node.type)) continue;
      if (scan.kind === 'unclosed' && compareLoc(start, scanLoc) >= 0) continue;
    }
    const diagnostic = describeTreeError(node, start, source, outer);
    if (diagnostic !== null) described.push(diagnostic);
  }
  // After a header without its colon, tree errors in its body are artefacts of the recovery.
  return described.filter(
    (d) =>
      !described.some((h) => h.bodyEnd !== undefined && compareLoc(h, d) < 0 && compareLoc(d, h.bodyEnd) < 0),
  );
}

/**
 * The ERROR and MISSING nodes, innermost first. ERROR nodes nest: recovery may wrap a long
 * stretch of code, errors included, into one. The innermost ones are precise; an enclosing one
 * is reported only for a specific diagnosis.
 */
function errorNodes(root: Node, source: SourceText): ErrorNode[] {
  const found: ErrorNode[] = [];
  const record = (node: Node, outer: boolean): void => {
    found.push({
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
        const before = found.length;
        visit(child);
        record(child, found.length > before);
      } else if (child.hasError) {
        visit(child);
      }
    }
  };
  const before = found.length;
  visit(root);
  if (root.isError) record(root, found.length > before);
  return found;
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
