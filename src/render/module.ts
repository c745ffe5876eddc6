/**
 * One template or feature module, read from its syntax tree: its imports (checked against the
 * rules), its top-level statements with what each defines and which module-level names it uses,
 * and the comments that belong to each statement.
 */
import type { PyNode as Node } from './syntax.js';
import type { PythonParser } from '../code/python.js';
import type { SourceText } from '../code/source-text.js';
import type { PySyntaxError } from '../code/syntax-errors.js';
import { diagnostic, type RenderDiagnostic } from './diagnostics.js';
import { readImport, type ImportBinding, type ImportContext } from './imports.js';
import { moduleNames, type ModuleName } from './scope.js';
import { copyTree } from './syntax.js';
import { analyzeTree } from '../code/contract.js';
import { codeFactsStore, type CodeFactsStore } from '../code/cache.js';

let store: CodeFactsStore | null | undefined;
function codeCache(): CodeFactsStore | null {
  if (store === undefined) store = codeFactsStore();
  return store;
}

export interface Statement {
  /** Position among the module's non-import statements. */
  index: number;
  node: Node;
  kind: 'def' | 'class' | 'assign' | 'other';
  /** The def/class name, for definitions. */
  name: string | null;
  /** UTF-16 range of the statement (decorators included). */
  start: number;
  end: number;
  /** The range with its attached comments: the comment lines right above, a comment after it on its last line. */
  textStart: number;
  textEnd: number;
  /** Blank lines in the source before the statement (or its leading comments). */
  blankBefore: number;
  /** Module-level names the statement binds. */
  defines: Set<string>;
  /** Identifiers in the statement that refer to module-level names. */
  names: ModuleName[];
}

export interface PyModule {
  /** Dotted module name; the template's is its file stem. */
  name: string;
  isTemplate: boolean;
  /** Absolute path. */
  file: string;
  /** The path diagnostics use. */
  display: string;
  /** Source text with line endings normalised to LF. */
  code: string;
  root: Node;
  source: SourceText;
  /** Import bindings in source order. */
  imports: ImportBinding[];
  /** Local name -> its (last) import binding. */
  importByName: Map<string, ImportBinding>;
  /** Non-import top-level statements in source order. */
  statements: Statement[];
  /** Module-level name -> indices of the statements that bind it, ascending. */
  definitions: Map<string, number[]>;
  /** Every module-level name bound anywhere, including by `global` declarations in functions. */
  bound: Set<string>;
}

const IMPORTS = new Set(['import_statement', 'import_from_statement', 'future_import_statement']);

/** Normalise line endings to LF and drop a byte-order mark. */
export function normaliseSource(text: string): string {
  const lf = text.replace(/\r\n?/g, '\n');
  return lf.charCodeAt(0) === 0xfeff ? lf.slice(1) : lf;
}

export interface ModuleInput {
  name: string;
  isTemplate: boolean;
  file: string;
  display: string;
  /** LF-normalised code. */
  code: string;
}

/** Parse and read a module. The caller owns `module.tree` (delete it when done). */
export function analyzeModule(
  parser: PythonParser,
  input: ModuleInput,
  ctx: Omit<ImportContext, 'file' | 'locate'>,
): { module: PyModule; errors: RenderDiagnostic[] } {
  const tree = parser.parse(input.code);
  const source = parser.source(tree);
  let syntaxErrors: PySyntaxError[];
  let root: Node;
  try {
    // The syntax check is the costly part of reading a file; the code-facts cache (shared with
    // validate, keyed by content) remembers its verdict for code seen before.
    const cached = codeCache()?.get(input.code);
    if (cached) {
      syntaxErrors = cached.syntaxErrors;
    } else {
      const facts = analyzeTree(parser, tree);
      codeCache()?.set(input.code, facts);
      syntaxErrors = facts.syntaxErrors;
    }
    root = copyTree(tree, source);
  } finally {
    tree.delete();
  }
  const locate = (node: Node) => source.location(node.startPosition);
  const errors: RenderDiagnostic[] = [];
  for (const e of syntaxErrors) {
    errors.push(
      diagnostic(
        'E_RENDER_SYNTAX',
        input.display,
        e,
        e.message,
        'fix the Python syntax; the renderer parses, never runs, code',
      ),
    );
  }
  const module: PyModule = {
    ...input,
    root,
    source,
    imports: [],
    importByName: new Map(),
    statements: [],
    definitions: new Map(),
    bound: new Set(),
  };
  if (errors.length > 0) return { module, errors };

  const importCtx: ImportContext = { ...ctx, file: input.display, locate };
  const children = root.namedChildren.filter((c): c is Node => c !== null);
  let prevEndRow = -1;
  let pendingComments: Node[] = [];
  let last: Statement | null = null;
  const indexOf = (node: Node, edge: 'start' | 'end') => (edge === 'start' ? node.startIndex : node.endIndex);

  for (const node of children) {
    if (node.type === 'comment') {
      // A comment on the last line of the statement before belongs to it.
      if (
        last !== null &&
        node.startPosition.row === last.node.endPosition.row &&
        pendingComments.length === 0
      ) {
        last.textEnd = indexOf(node, 'end');
        prevEndRow = node.endPosition.row;
        continue;
      }
      const previous = pendingComments[pendingComments.length - 1];
      const prevRow = previous === undefined ? prevEndRow : previous.endPosition.row;
      // A blank line between comments detaches the ones above it.
      if (previous !== undefined && node.startPosition.row > prevRow + 1) pendingComments = [];
      pendingComments.push(node);
      continue;
    }
    const first = pendingComments[0];
    const lastComment = pendingComments[pendingComments.length - 1];
    const attached = lastComment !== undefined && node.startPosition.row === lastComment.endPosition.row + 1;
    const startNode = attached && first !== undefined ? first : node;
    pendingComments = [];
    prevEndRow = node.endPosition.row;
    if (IMPORTS.has(node.type)) {
      const { bindings, errors: importErrors } = readImport(node, importCtx);
      errors.push(...importErrors);
      for (const b of bindings) {
        module.imports.push(b);
        module.importByName.set(b.local, b);
      }
      last = null;
      continue;
    }
    const definition = node.type === 'decorated_definition' ? node.childForFieldName('definition') : node;
    const kind =
      definition?.type === 'function_definition'
        ? 'def'
        : definition?.type === 'class_definition'
          ? 'class'
          : node.type === 'expression_statement' && node.namedChildren[0]?.type === 'assignment'
            ? 'assign'
            : 'other';
    const names = moduleNames(node);
    // What the statement binds when the module runs (a `global` assignment inside a function
    // binds only when the function is called).
    const defines = new Set(names.filter((n) => n.binding && n.eager).map((n) => n.name));
    const statement: Statement = {
      index: module.statements.length,
      node,
      kind,
      name: kind === 'def' || kind === 'class' ? (definition?.childForFieldName('name')?.text ?? null) : null,
      start: indexOf(node, 'start'),
      end: indexOf(node, 'end'),
      textStart: indexOf(startNode, 'start'),
      textEnd: indexOf(node, 'end'),
      blankBefore: Math.max(0, startNode.startPosition.row - prevRowBefore(startNode) - 1),
      defines,
      names,
    };
    module.statements.push(statement);
    for (const n of names) if (n.binding) module.bound.add(n.name);
    for (const name of defines) {
      const list = module.definitions.get(name);
      if (list === undefined) module.definitions.set(name, [statement.index]);
      else list.push(statement.index);
    }
    last = statement;
  }

  // Imports are allowed at module level only (not in functions, classes or module-level blocks).
  for (const node of root.descendantsOfType([...IMPORTS])) {
    if (node === null || node.parent?.type === 'module') continue;
    errors.push(
      diagnostic(
        'E_RENDER_IMPORT',
        input.display,
        locate(node),
        `import inside a block: \`${node.text.split('\n')[0] ?? ''}\``,
        'move imports to the top level of the module',
      ),
    );
  }
  return { module, errors };
}

/** Row where the previous non-comment-or-comment sibling of a node ends (-1 at the top). */
function prevRowBefore(node: Node): number {
  const prev = node.previousSibling;
  return prev === null ? -1 : prev.endPosition.row;
}
