/**
 * Static facts about smart contract code (Contracts API 4) for `validate`: metadata, declared
 * parameter names, feature imports left in an unrendered template. Read from the syntax tree only;
 * nothing is executed, and anything that cannot be decided statically is reported as unknown
 * rather than guessed.
 */
import type { Node, Tree } from 'web-tree-sitter';
import type { PythonParser } from './python.js';
import type { SourceText } from './source-text.js';
import type { PySyntaxError } from './syntax-errors.js';

/** A value with its 1-based position in the code text (column in UTF-16 code units). */
export interface Located<T> {
  value: T;
  line: number;
  column: number;
}

export interface CodeFacts {
  syntaxErrors: PySyntaxError[];
  /** Module-level `api = "..."` (string literal, or a name bound to one); the last binding wins. */
  api: Located<string> | null;
  /** Module-level `version = "..."`, same rules as `api`. */
  version: Located<string> | null;
  /**
   * Parameter names declared by the contract: the `name` of every `Parameter(...)` call in the
   * code, each a string literal or a module-level name bound to one (chains `A = B`, `+` and
   * implicit concatenation, f-strings of such names also resolve). Null when any Parameter's name
   * cannot be resolved statically, and when the code has syntax errors: the caller then skips the
   * check rather than guess.
   */
  declaredParameters: Set<string> | null;
  /**
   * Module-level imports (including inside module-level if/try/with blocks, not inside functions
   * or classes) of modules that are neither `contracts_api`, nor a `contracts_api_extensions`
   * module, nor a standard module contracts may use, nor `__future__`: feature imports of an
   * unrendered template. Located at the module name. `alias` is the `as` name of `import a.b as c`.
   */
  featureImports: Array<Located<{ module: string; alias: string | null }>>;
}

/** Standard modules contracts may use (renderer.md, "Allowed imports"), in the order merged imports list them. */
export const STANDARD_MODULE_ORDER = [
  'calendar',
  'collections',
  'datetime',
  'dateutil.parser',
  'dateutil.relativedelta',
  'decimal',
  'json',
  'math',
  'typing',
  'zoneinfo',
] as const;

/** Standard modules a contract may import, plus their parent package `dateutil`. */
export const CONTRACT_STANDARD_MODULES: ReadonlySet<string> = new Set([...STANDARD_MODULE_ORDER, 'dateutil']);

/** `contracts_api` or one of its submodules. */
export function isContractsApiModule(module: string): boolean {
  return module === 'contracts_api' || module.startsWith('contracts_api.');
}

/** A contracts-API extension types module (`...contracts_api_extensions...`). */
export function isContractsApiExtensionsModule(module: string): boolean {
  return module.includes('contracts_api_extensions');
}

/** Would importing this module make code an unrendered template? */
export function isFeatureModule(module: string): boolean {
  return !(
    isContractsApiModule(module) ||
    isContractsApiExtensionsModule(module) ||
    CONTRACT_STANDARD_MODULES.has(module) ||
    module === '__future__'
  );
}

/** Semantic Versioning 2.0.0; group 4 is the pre-release, group 5 the build. */
export const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

/** Is `s` a Semantic Versioning 2.0.0 version (`1.2.3`, `1.0.0-rc.1`, `1.0.0+build.5`)? */
export function isSemver(s: string): boolean {
  return SEMVER.test(s);
}

/** Parse code once and read its facts. Callers cache the result by content. */
export function analyzeCode(parser: PythonParser, code: string): CodeFacts {
  return parser.withTree(code, (tree) => analyzeTree(parser, tree));
}

/** Facts of an already parsed tree (from `parser.parse`); the tree stays the caller's. */
export function analyzeTree(parser: PythonParser, tree: Tree): CodeFacts {
  const syntaxErrors = parser.syntaxErrors(tree);
  const module = new ModuleScan(parser.source(tree));
  module.visitContainer(tree.rootNode);
  return {
    syntaxErrors,
    api: module.metadata('api'),
    version: module.metadata('version'),
    declaredParameters: syntaxErrors.length > 0 ? null : module.declaredParameters(tree.rootNode),
    featureImports: module.featureImports,
  };
}

/** How a module-level name is bound: to an expression, or by something opaque (def, import, for, +=). */
type Binding = Node | 'opaque';

const UNRESOLVED = Symbol('unresolved');
type Resolved = string | typeof UNRESOLVED;

const COMPOUND_STATEMENTS = new Set([
  'if_statement',
  'try_statement',
  'with_statement',
  'for_statement',
  'while_statement',
  'match_statement',
  'case_clause',
]);

/** One pass over module-level statements, collecting bindings, imports and metadata. */
class ModuleScan {
  readonly bindings = new Map<string, Binding[]>();
  readonly featureImports: Array<Located<{ module: string; alias: string | null }>> = [];
  /** Names `Parameter` is known by: itself, and `from contracts_api import Parameter as P` aliases. */
  readonly parameterNames = new Set(['Parameter']);
  readonly #resolved = new Map<string, Resolved>();
  readonly #resolving = new Set<string>();

  constructor(readonly source: SourceText) {}

  #bind(name: string, binding: Binding): void {
    const list = this.bindings.get(name);
    if (list === undefined) this.bindings.set(name, [binding]);
    else list.push(binding);
  }

  #locate(node: Node): { line: number; column: number } {
    return this.source.location(node.startPosition);
  }

  /** Statements of the module, or of a block that still runs in module scope. */
  visitContainer(container: Node): void {
    for (const stmt of container.namedChildren) {
      if (stmt !== null) this.#visitStatement(stmt);
    }
  }

  #visitStatement(stmt: Node): void {
    switch (stmt.type) {
      case 'expression_statement':
        for (const expr of stmt.namedChildren) {
          if (expr === null) continue;
          if (expr.type === 'assignment') this.#assignment(expr);
          else if (expr.type === 'augmented_assignment') this.#bindOpaque(expr.childForFieldName('left'));
        }
        return;
      case 'import_statement':
        this.#importStatement(stmt);
        return;
      case 'import_from_statement':
        this.#importFrom(stmt);
        return;
      case 'future_import_statement':
        return;
      case 'function_definition':
      case 'class_definition':
        this.#bindOpaque(stmt.childForFieldName('name'));
        return;
      case 'decorated_definition':
        this.#bindOpaque(stmt.childForFieldName('definition')?.childForFieldName('name') ?? null);
        return;
      default:
        if (COMPOUND_STATEMENTS.has(stmt.type)) this.#compound(stmt);
    }
  }

  /** if/try/with/for/while/match at module level: their blocks still bind module names. */
  #compound(node: Node): void {
    if (node.type === 'for_statement') this.#bindOpaque(node.childForFieldName('left'));
    for (const child of node.namedChildren) {
      if (child === null) continue;
      if (child.type === 'block') {
        this.visitContainer(child);
      } else if (child.type.endsWith('_clause')) {
        if (child.type === 'except_clause') this.#bindOpaque(child.childForFieldName('alias'));
        this.#compound(child);
      } else if (child.type === 'with_item') {
        const value = child.childForFieldName('value');
        if (value?.type === 'as_pattern') this.#bindOpaque(value.childForFieldName('alias'));
      }
    }
  }

  /** Every identifier in a target (`a`, `a, b`, `[a, *b]`) is bound opaquely. */
  #bindOpaque(target: Node | null): void {
    if (target === null) return;
    if (target.type === 'identifier') {
      this.#bind(target.text, 'opaque');
      return;
    }
    if (target.type === 'attribute' || target.type === 'subscript') return;
    for (const child of target.namedChildren) if (child !== null) this.#bindOpaque(child);
  }

  #assignment(node: Node): void {
    // `A = B = value` nests: assignment(left A, right assignment(left B, right value)).
    const targets: Node[] = [];
    let value: Node | null = node;
    while (value !== null && value.type === 'assignment') {
      const left = value.childForFieldName('left');
      if (left !== null) targets.push(left);
      value = value.childForFieldName('right');
    }
    if (value === null) return; // `x: int` annotates without binding
    for (const target of targets) this.#bindTarget(target, value);
  }

  #bindTarget(target: Node, value: Node): void {
    if (target.type === 'identifier') {
      this.#bind(target.text, value);
      return;
    }
    const isSequence = (n: Node) =>
      n.type === 'pattern_list' ||
      n.type === 'tuple_pattern' ||
      n.type === 'list_pattern' ||
      n.type === 'tuple';
    const isValues = (n: Node) => n.type === 'expression_list' || n.type === 'tuple' || n.type === 'list';
    if (isSequence(target) && isValues(value)) {
      const targets = target.namedChildren.filter((n): n is Node => n !== null && n.type !== 'comment');
      const values = value.namedChildren.filter((n): n is Node => n !== null && n.type !== 'comment');
      const starred = [...targets, ...values].some(
        (n) => n.type === 'list_splat_pattern' || n.type === 'list_splat',
      );
      if (!starred && targets.length === values.length) {
        targets.forEach((t, i) => {
          const v = values[i];
          if (v !== undefined) this.#bindTarget(t, v);
        });
        return;
      }
    }
    this.#bindOpaque(target);
  }

  #importStatement(stmt: Node): void {
    for (const name of stmt.childrenForFieldName('name')) {
      if (name === null) continue;
      if (name.type === 'aliased_import') {
        const dotted = name.childForFieldName('name');
        const alias = name.childForFieldName('alias');
        if (dotted === null) continue;
        this.#import(dotted, dotted.text, alias?.text ?? null);
        if (alias !== null) this.#bind(alias.text, 'opaque');
      } else {
        this.#import(name, name.text, null);
        const top = name.text.split('.')[0];
        if (top !== undefined) this.#bind(top, 'opaque');
      }
    }
  }

  #importFrom(stmt: Node): void {
    const moduleNode = stmt.childForFieldName('module_name');
    if (moduleNode === null) return;
    const module = moduleNode.text.replace(/\s+/g, '');
    this.#import(moduleNode, module, null);
    for (const name of stmt.childrenForFieldName('name')) {
      if (name === null) continue;
      const imported = name.type === 'aliased_import' ? name.childForFieldName('name') : name;
      const local = name.type === 'aliased_import' ? name.childForFieldName('alias') : name;
      if (local === null) continue;
      this.#bind(local.text, 'opaque');
      if (isContractsApiModule(module) && imported?.text === 'Parameter') this.parameterNames.add(local.text);
    }
  }

  #import(node: Node, module: string, alias: string | null): void {
    const name = module.replace(/\s+/g, '');
    if (isFeatureModule(name))
      this.featureImports.push({ value: { module: name, alias }, ...this.#locate(node) });
  }

  /** Located value of the metadata name `api` / `version`, or null. */
  metadata(name: string): Located<string> | null {
    const bindings = this.bindings.get(name);
    const last = bindings?.[bindings.length - 1];
    if (last === undefined || last === 'opaque') return null;
    const value = this.resolve(last);
    return value === UNRESOLVED ? null : { value, ...this.#locate(last) };
  }

  /** The string an expression evaluates to, when that is decidable from literals and module names. */
  resolve(node: Node): Resolved {
    switch (node.type) {
      case 'string':
        return this.#string(node);
      case 'concatenated_string': {
        let out = '';
        for (const part of node.namedChildren) {
          if (part === null || part.type === 'comment') continue;
          const s = this.resolve(part);
          if (s === UNRESOLVED) return UNRESOLVED;
          out += s;
        }
        return out;
      }
      case 'parenthesized_expression': {
        const inner = node.namedChildren.filter((n): n is Node => n !== null && n.type !== 'comment');
        return inner.length === 1 && inner[0] !== undefined ? this.resolve(inner[0]) : UNRESOLVED;
      }
      case 'binary_operator': {
        if (node.childForFieldName('operator')?.type !== '+') return UNRESOLVED;
        const left = node.childForFieldName('left');
        const right = node.childForFieldName('right');
        if (left === null || right === null) return UNRESOLVED;
        const l = this.resolve(left);
        if (l === UNRESOLVED) return UNRESOLVED;
        const r = this.resolve(right);
        return r === UNRESOLVED ? UNRESOLVED : l + r;
      }
      case 'identifier':
        return isShadowed(node) ? UNRESOLVED : this.#name(node.text);
      default:
        return UNRESOLVED;
    }
  }

  /** A module-level name: resolvable when every binding of it resolves, to the same string. */
  #name(name: string): Resolved {
    const cached = this.#resolved.get(name);
    if (cached !== undefined) return cached;
    if (this.#resolving.has(name)) return UNRESOLVED; // A = B, B = A
    this.#resolving.add(name);
    let result: Resolved = UNRESOLVED;
    const bindings = this.bindings.get(name);
    if (bindings !== undefined) {
      for (const binding of bindings) {
        const value = binding === 'opaque' ? UNRESOLVED : this.resolve(binding);
        if (value === UNRESOLVED || (result !== UNRESOLVED && value !== result)) {
          result = UNRESOLVED;
          break;
        }
        result = value;
      }
    }
    this.#resolving.delete(name);
    this.#resolved.set(name, result);
    return result;
  }

  #string(node: Node): Resolved {
    const start = node.firstChild;
    if (start === null || start.type !== 'string_start') return UNRESOLVED;
    const prefix = start.text.replace(/['"]+$/, '').toLowerCase();
    if (prefix.includes('b') || prefix.includes('t')) return UNRESOLVED; // bytes, template strings
    const raw = prefix.includes('r');
    if (!prefix.includes('f')) {
      const text = node.text;
      const quote = start.text.slice(prefix.length);
      const body = text.slice(start.text.length, text.length - quote.length);
      return raw ? body : decodeEscapes(body);
    }
    // f-string: literal parts and `{NAME}` interpolations of resolvable names.
    let out = '';
    for (const child of node.children) {
      if (child === null) continue;
      if (child.type === 'string_content') {
        const text = child.text.replace(/\{\{/g, '{').replace(/\}\}/g, '}');
        const decoded = raw ? text : decodeEscapes(text);
        if (decoded === UNRESOLVED) return UNRESOLVED;
        out += decoded;
      } else if (child.type === 'interpolation') {
        if (child.childForFieldName('format_specifier') !== null) return UNRESOLVED;
        if (child.childForFieldName('type_conversion') !== null) return UNRESOLVED;
        const expr = child.childForFieldName('expression');
        if (expr === null) return UNRESOLVED;
        const value = this.resolve(expr);
        if (value === UNRESOLVED) return UNRESOLVED;
        out += value;
      } else if (child.type !== 'string_start' && child.type !== 'string_end') {
        return UNRESOLVED;
      }
    }
    return out;
  }

  /** Names of all `Parameter(...)` calls, or null when any is not statically known. */
  declaredParameters(root: Node): Set<string> | null {
    const names = new Set<string>();
    const code = this.source.code;
    // Only walk when a Parameter name occurs in the text at all.
    if (![...this.parameterNames].some((n) => code.includes(n))) return names;
    const calls: Node[] = [];
    collectCalls(root, this.parameterNames, calls);
    for (const call of calls) {
      const name = this.#parameterName(call);
      if (name === UNRESOLVED) return null;
      names.add(name);
    }
    return names;
  }

  #parameterName(call: Node): Resolved {
    const args = call.childForFieldName('arguments');
    if (args === null || args.type !== 'argument_list') return UNRESOLVED;
    let positional: Node | undefined;
    let splat = false;
    for (const arg of args.namedChildren) {
      if (arg === null || arg.type === 'comment') continue;
      if (arg.type === 'keyword_argument') {
        if (arg.childForFieldName('name')?.text === 'name') {
          const value = arg.childForFieldName('value');
          return value === null ? UNRESOLVED : this.resolve(value);
        }
      } else if (arg.type === 'list_splat' || arg.type === 'dictionary_splat') {
        splat = true;
      } else if (positional === undefined) {
        positional = arg;
      }
    }
    if (splat || positional === undefined) return UNRESOLVED;
    return this.resolve(positional);
  }
}

/**
 * Calls whose callee is one of `names` (`Parameter(...)`, `x.Parameter(...)`), anywhere in the
 * tree (a helper function may build parameters too). The search for call nodes runs inside
 * tree-sitter; only calls are filtered here.
 */
function collectCalls(root: Node, names: ReadonlySet<string>, out: Node[]): void {
  for (const node of root.descendantsOfType('call')) {
    if (node === null) continue;
    const fn = node.childForFieldName('function');
    const callee = fn === null ? null : fn.type === 'attribute' ? fn.childForFieldName('attribute') : fn;
    if (callee !== null && callee.type === 'identifier' && names.has(callee.text)) out.push(node);
  }
}

const COMPREHENSIONS = new Set([
  'list_comprehension',
  'set_comprehension',
  'dictionary_comprehension',
  'generator_expression',
]);

/**
 * Is this name, used inside a function, lambda or comprehension, possibly one of their own
 * parameters or loop variables rather than the module-level name? (Conservative: a whole-word
 * match in the parameter list or loop target counts.)
 */
function isShadowed(identifier: Node): boolean {
  const word = new RegExp(`(^|[^\\w])${identifier.text}($|[^\\w])`, 'u');
  for (let n = identifier.parent; n !== null; n = n.parent) {
    if (n.type === 'function_definition' || n.type === 'lambda') {
      const params = n.childForFieldName('parameters');
      if (params !== null && word.test(params.text)) return true;
    } else if (COMPREHENSIONS.has(n.type)) {
      for (const clause of n.namedChildren) {
        if (clause?.type !== 'for_in_clause') continue;
        const left = clause.childForFieldName('left');
        if (left !== null && word.test(left.text)) return true;
      }
    }
  }
  return false;
}

/** Decode Python escape sequences of a non-raw str literal body. */
function decodeEscapes(body: string): Resolved {
  if (!body.includes('\\')) return body;
  let out = '';
  let failed = false;
  const re =
    /\\(\r\n|\n|\r|[\\'"abfnrtv]|[0-7]{1,3}|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|N\{[^}]*\}|[\s\S]?)/g;
  let last = 0;
  for (let m = re.exec(body); m !== null; m = re.exec(body)) {
    out += body.slice(last, m.index);
    last = m.index + m[0].length;
    const e = m[1] ?? '';
    const simple: Record<string, string> = {
      '\\': '\\',
      "'": "'",
      '"': '"',
      a: '\x07',
      b: '\b',
      f: '\f',
      n: '\n',
      r: '\r',
      t: '\t',
      v: '\v',
    };
    if (e === '\n' || e === '\r' || e === '\r\n') continue;
    const s = simple[e];
    if (s !== undefined) out += s;
    else if (/^[0-7]/.test(e)) out += String.fromCodePoint(parseInt(e, 8));
    else if (/^[xuU]/.test(e)) {
      const cp = parseInt(e.slice(1), 16);
      if (cp > 0x10ffff) failed = true;
      else out += String.fromCodePoint(cp);
    } else if (e.startsWith('N{'))
      failed = true; // named characters: no name table here
    else out += `\\${e}`; // unknown escapes stay as written
  }
  out += body.slice(last);
  return failed ? UNRESOLVED : out;
}
