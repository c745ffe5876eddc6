/**
 * One template or feature module, read from its syntax tree: its imports (checked against the
 * rules), its top-level statements with what each defines and which module-level names it uses,
 * and the comments that belong to each statement.
 */
import type { PyNode as Node } from './syntax.js';
import type { PythonParser } from '../code/python.js';
import type { SourceLocation, SourceText } from '../code/source-text.js';
import type { PySyntaxError } from '../code/syntax-errors.js';
import { diagnostic, type RenderDiagnostic } from './diagnostics.js';
import { readImport, type ImportBinding, type ImportContext } from './imports.js';
import { moduleNames, type ModuleName } from './scope.js';
import { copyTree } from './syntax.js';
import { analyzeTree } from '../code/contract.js';
import type { CodeFactsStore } from '../code/cache.js';

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

/** What reading a module needs besides its text. */
export interface ModuleContext extends Omit<ImportContext, 'file' | 'locate'> {
  parser: PythonParser;
  /** Syntax verdicts remembered by content (shared with validate), or null. */
  codeFacts: CodeFactsStore | null;
}

/** Parse and read a module: its imports, its statements, and what the rules refuse in it. */
export function analyzeModule(
  input: ModuleInput,
  ctx: ModuleContext,
): { module: PyModule; errors: RenderDiagnostic[] } {
  const { root, source, syntaxErrors } = parseModule(input.code, ctx);
  const errors = syntaxErrors.map((e) =>
    diagnostic(
      'E_RENDER_SYNTAX',
      input.display,
      e,
      e.message,
      'fix the Python syntax; the renderer parses, never runs, code',
    ),
  );
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
  const locate = (node: Node) => source.location(node.startPosition);
  errors.push(
    ...readStatements(module, {
      root: ctx.root,
      resolveModule: ctx.resolveModule,
      file: input.display,
      locate,
    }),
  );
  errors.push(...nestedImports(module, locate));
  return { module, errors };
}

/**
 * The module's syntax tree, copied out of the parser (the parser's own tree is freed here), and
 * its syntax errors.
 */
function parseModule(
  code: string,
  ctx: Pick<ModuleContext, 'parser' | 'codeFacts'>,
): { root: Node; source: SourceText; syntaxErrors: PySyntaxError[] } {
  const tree = ctx.parser.parse(code);
  const source = ctx.parser.source(tree);
  try {
    // The syntax check is the costly part of reading a file; the code-facts store (shared with
    // validate, keyed by content) remembers its verdict for code seen before.
    let syntaxErrors = ctx.codeFacts?.get(code)?.syntaxErrors;
    if (syntaxErrors === undefined) {
      const facts = analyzeTree(ctx.parser, tree);
      ctx.codeFacts?.set(code, facts);
      syntaxErrors = facts.syntaxErrors;
    }
    return { root: copyTree(tree, source), source, syntaxErrors };
  } finally {
    tree.delete();
  }
}

/**
 * Read the top-level statements into `module` (imports into its bindings, the rest into its
 * statements with their attached comments and the names they bind); the import errors.
 */
function readStatements(module: PyModule, importCtx: ImportContext): RenderDiagnostic[] {
  const errors: RenderDiagnostic[] = [];
  const comments = new LeadingComments();
  let last: Statement | null = null;
  for (const node of module.root.namedChildren) {
    if (node.type === 'comment') {
      // A comment on the last line of the statement before belongs to it.
      if (last !== null && comments.empty && node.startPosition.row === last.node.endPosition.row) {
        last.textEnd = node.endIndex;
        comments.statementEnded(node.endPosition.row);
      } else {
        comments.add(node);
      }
      continue;
    }
    const startNode = comments.startOf(node);
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
    last = statementOf(node, startNode, module.statements.length);
    addStatement(module, last);
  }
  return errors;
}

/**
 * Comments between statements: the block right above a statement (no blank line between) is
 * attached to it.
 */
class LeadingComments {
  #pending: Node[] = [];
  #prevEndRow = -1;

  get empty(): boolean {
    return this.#pending.length === 0;
  }

  statementEnded(row: number): void {
    this.#prevEndRow = row;
  }

  add(comment: Node): void {
    const previous = this.#pending[this.#pending.length - 1];
    const prevRow = previous === undefined ? this.#prevEndRow : previous.endPosition.row;
    // A blank line between comments detaches the ones above it.
    if (previous !== undefined && comment.startPosition.row > prevRow + 1) this.#pending = [];
    this.#pending.push(comment);
  }

  /** Where the statement's text starts (its attached comments, or itself); clears the block. */
  startOf(node: Node): Node {
    const first = this.#pending[0];
    const lastComment = this.#pending[this.#pending.length - 1];
    const attached = lastComment !== undefined && node.startPosition.row === lastComment.endPosition.row + 1;
    this.#pending = [];
    this.#prevEndRow = node.endPosition.row;
    return attached && first !== undefined ? first : node;
  }
}

function statementKind(node: Node): Statement['kind'] {
  const definition = node.type === 'decorated_definition' ? node.childForFieldName('definition') : node;
  if (definition?.type === 'function_definition') return 'def';
  if (definition?.type === 'class_definition') return 'class';
  return node.type === 'expression_statement' && node.namedChildren[0]?.type === 'assignment'
    ? 'assign'
    : 'other';
}

function statementOf(node: Node, startNode: Node, index: number): Statement {
  const kind = statementKind(node);
  const definition = node.type === 'decorated_definition' ? node.childForFieldName('definition') : node;
  const names = moduleNames(node);
  return {
    index,
    node,
    kind,
    name: kind === 'def' || kind === 'class' ? (definition?.childForFieldName('name')?.text ?? null) : null,
    start: node.startIndex,
    end: node.endIndex,
    textStart: startNode.startIndex,
    textEnd: node.endIndex,
    blankBefore: Math.max(0, startNode.startPosition.row - prevRowBefore(startNode) - 1),
    // What the statement binds when the module runs (a `global` assignment inside a function
    // binds only when the function is called).
    defines: new Set(names.filter((n) => n.binding && n.eager).map((n) => n.name)),
    names,
  };
}

function addStatement(module: PyModule, statement: Statement): void {
  module.statements.push(statement);
  for (const n of statement.names) if (n.binding) module.bound.add(n.name);
  for (const name of statement.defines) {
    const list = module.definitions.get(name);
    if (list === undefined) module.definitions.set(name, [statement.index]);
    else list.push(statement.index);
  }
}

/** Imports are allowed at module level only (not in functions, classes or module-level blocks). */
function nestedImports(module: PyModule, locate: (node: Node) => SourceLocation): RenderDiagnostic[] {
  return module.root
    .descendantsOfType([...IMPORTS])
    .filter((node) => node.parent?.type !== 'module')
    .map((node) =>
      diagnostic(
        'E_RENDER_IMPORT',
        module.display,
        locate(node),
        `import inside a block: \`${node.text.split('\n')[0] ?? ''}\``,
        'move imports to the top level of the module',
      ),
    );
}

/** Row where the previous non-comment-or-comment sibling of a node ends (-1 at the top). */
function prevRowBefore(node: Node): number {
  const prev = node.previousSibling;
  return prev === null ? -1 : prev.endPosition.row;
}

/** The value a statement assigns to `name` (`name = v`, `A = name = v`, `name: T = v`), or null. */
export function assignedValue(s: Statement | undefined, name: string): Node | null {
  if (s === undefined || s.kind !== 'assign') return null;
  let node: Node | null | undefined = s.node.namedChildren[0];
  let found = false;
  while (node?.type === 'assignment') {
    const left = node.childForFieldName('left');
    if (left?.type === 'identifier' && left.text === name) found = true;
    node = node.childForFieldName('right');
  }
  return found && node !== null && node !== undefined ? node : null;
}
