/**
 * The syntax check: what Python would refuse in a code text, earliest first. Three passes, each in
 * its own module: the tokenizer pass (`tokenizer.ts`: brackets, strings, escapes), tree-sitter's
 * ERROR and MISSING nodes (`tree-errors.ts`), and what the grammar accepts but Python rejects
 * (`statement-checks.ts`: Python 2 statements, empty blocks, inconsistent indentation).
 */
import type { Tree } from 'web-tree-sitter';
import { compareLoc, type Diagnostic, type PySyntaxError } from './diagnosis.js';
import type { SourceText } from './source-text.js';
import { checkStatements } from './statement-checks.js';
import { scanPython } from './tokenizer.js';
import { treeErrors } from './tree-errors.js';

export type { PySyntaxError } from './diagnosis.js';

/** At most this many syntax errors are reported per code text. */
export const MAX_SYNTAX_ERRORS = 5;

/** Syntax errors of a tree parsed from `source.code`, earliest first, at most MAX_SYNTAX_ERRORS. */
export function syntaxErrors(tree: Tree, source: SourceText): PySyntaxError[] {
  const root = tree.rootNode;
  const out: Diagnostic[] = [];
  const scanned = scanPython(source.code, MAX_SYNTAX_ERRORS);
  for (const e of scanned.escapes) out.push({ ...source.locationOfIndex(e.index), message: e.message });
  if (root.hasError) {
    const scan = scanned.error;
    if (scan !== null) out.push({ ...source.locationOfIndex(scan.index), message: scan.message });
    out.push(...treeErrors(root, source, scan));
  }
  checkStatements(root, source, scanned.lineEnds, out);
  return earliest(out);
}

/** The first MAX_SYNTAX_ERRORS diagnostics by location, one per location. */
function earliest(diagnostics: Diagnostic[]): PySyntaxError[] {
  diagnostics.sort(compareLoc);
  const result: PySyntaxError[] = [];
  for (const d of diagnostics) {
    const last = result[result.length - 1];
    if (last !== undefined && last.line === d.line && last.column === d.column) continue;
    result.push({ line: d.line, column: d.column, message: d.message });
    if (result.length >= MAX_SYNTAX_ERRORS) break;
  }
  return result;
}
