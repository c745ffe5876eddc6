/**
 * Python name resolution for one top-level statement: which identifiers refer to module-level
 * names (and so may be renamed or followed), which bind them, and which are evaluated while the
 * module runs (eager) rather than when a function is called (deferred).
 *
 * A small symbol table after Python's rules: a function's locals are its parameters and every
 * name bound in its body (assignment, augmented assignment, for, with/except `as`, walrus, del,
 * import, def, class) unless declared `global`/`nonlocal`; class bodies are a scope that nested
 * functions skip; comprehensions have their own scope for their loop variables, with the first
 * iterable evaluated outside; defaults, annotations, decorators and base classes are evaluated in
 * the enclosing scope. Match-statement patterns are not analysed (their captures count as uses).
 */
import type { PyNode as Node } from './syntax.js';

/** An identifier that refers to a module-level name. */
export interface ModuleName {
  name: string;
  node: Node;
  /** Binds the name (assignment target, def/class name) rather than reading it. */
  binding: boolean;
  /** Evaluated while the module body runs (not inside a function or lambda body). */
  eager: boolean;
  /** When the identifier is the object of `name.attr`: that attribute node. */
  attribute: Node | null;
}

const COMPREHENSIONS = new Set([
  'list_comprehension',
  'set_comprehension',
  'dictionary_comprehension',
  'generator_expression',
]);

const TARGET_CONTAINERS = new Set([
  'pattern_list',
  'tuple_pattern',
  'list_pattern',
  'tuple',
  'list',
  'parenthesized_expression',
  'list_splat_pattern',
  'list_splat',
  'expression_list',
  'as_pattern_target',
]);

class Scope {
  readonly locals = new Set<string>();
  readonly globals = new Set<string>();
  readonly nonlocals = new Set<string>();

  constructor(
    readonly kind: 'module' | 'function' | 'class' | 'comprehension',
    readonly parent: Scope | null,
    readonly deferred: boolean,
  ) {}

  /** Does `name`, used directly in this scope, refer to the module-level binding? */
  isModuleLevel(name: string): boolean {
    return resolvesToModule(this, name);
  }
}

function resolvesToModule(here: Scope, name: string): boolean {
  for (let s: Scope | null = here; s !== null && s.kind !== 'module'; s = s.parent) {
    if (s.globals.has(name)) return true;
    if (s.nonlocals.has(name)) continue;
    // A class body's names are visible in the class body only, not in its methods.
    if (s.locals.has(name) && (s.kind !== 'class' || s === here)) return false;
  }
  return true;
}

const named = (node: Node): Node[] => node.namedChildren.filter((c): c is Node => c !== null);

/** Names bound by an assignment target. */
function targetNames(node: Node, out: Set<string>): void {
  if (node.type === 'identifier') out.add(node.text);
  else if (TARGET_CONTAINERS.has(node.type)) for (const c of named(node)) targetNames(c, out);
}

/** Parameter names of a `parameters` / `lambda_parameters` node. */
function parameterNames(params: Node | null, out: Set<string>): void {
  if (params === null) return;
  for (const p of named(params)) {
    if (p.type === 'identifier') out.add(p.text);
    else if (p.type === 'default_parameter' || p.type === 'typed_default_parameter') {
      const n = p.childForFieldName('name');
      if (n !== null) targetNames(n, out);
    } else if (p.type === 'typed_parameter') {
      const first = named(p)[0];
      if (first?.type === 'identifier') out.add(first.text);
      else if (first !== undefined)
        for (const c of named(first)) if (c.type === 'identifier') out.add(c.text);
    } else if (p.type === 'list_splat_pattern' || p.type === 'dictionary_splat_pattern') {
      for (const c of named(p)) if (c.type === 'identifier') out.add(c.text);
    } else if (p.type === 'tuple_pattern') {
      targetNames(p, out);
    }
  }
}

/** Names bound in a block (function body, class body, module statement), not entering nested scopes. */
export function boundNames(
  node: Node,
  scope: { locals: Set<string>; globals: Set<string>; nonlocals: Set<string> },
): void {
  switch (node.type) {
    case 'function_definition':
    case 'class_definition': {
      const n = node.childForFieldName('name');
      if (n !== null) scope.locals.add(n.text);
      return;
    }
    case 'decorated_definition': {
      const def = node.childForFieldName('definition');
      if (def !== null) boundNames(def, scope);
      return;
    }
    case 'lambda':
      return;
    case 'global_statement':
      for (const c of named(node)) if (c.type === 'identifier') scope.globals.add(c.text);
      return;
    case 'nonlocal_statement':
      for (const c of named(node)) if (c.type === 'identifier') scope.nonlocals.add(c.text);
      return;
    case 'assignment':
    case 'augmented_assignment': {
      const left = node.childForFieldName('left');
      if (left !== null) targetNames(left, scope.locals);
      const right = node.childForFieldName('right');
      if (right !== null) boundNames(right, scope);
      return;
    }
    case 'for_statement': {
      const left = node.childForFieldName('left');
      if (left !== null) targetNames(left, scope.locals);
      break;
    }
    case 'as_pattern': {
      const alias = node.childForFieldName('alias');
      if (alias !== null) targetNames(alias, scope.locals);
      break;
    }
    case 'named_expression': {
      const n = node.childForFieldName('name');
      if (n !== null) scope.locals.add(n.text);
      break;
    }
    case 'delete_statement':
      for (const c of named(node)) targetNames(c, scope.locals);
      return;
    case 'import_statement':
    case 'import_from_statement':
      for (const n of node.childrenForFieldName('name')) {
        if (n === null) continue;
        if (n.type === 'aliased_import') {
          const alias = n.childForFieldName('alias');
          if (alias !== null) scope.locals.add(alias.text);
        } else if (node.type === 'import_statement') {
          const top = n.text.split('.')[0];
          if (top !== undefined) scope.locals.add(top.trim());
        } else {
          scope.locals.add(n.text);
        }
      }
      return;
    default:
      break;
  }
  for (const c of named(node)) {
    // A comprehension's loop variables are its own; walrus targets inside still bind here.
    if (c.type === 'for_in_clause') {
      const right = c.childForFieldName('right');
      if (right !== null) boundNames(right, scope);
      continue;
    }
    boundNames(c, scope);
  }
}

/**
 * Every identifier in a top-level statement that refers to a module-level name, in source order
 * of the walk. Bindings at module level (the statement's definitions) have `binding: true`.
 */
export function moduleNames(statement: Node): ModuleName[] {
  const walker = new NameWalker();
  walker.walk(statement, new Scope('module', null, false));
  return walker.out;
}

class NameWalker {
  readonly out: ModuleName[] = [];

  #record(node: Node, scope: Scope, binding: boolean, attribute: Node | null = null): void {
    if (scope.isModuleLevel(node.text)) {
      this.out.push({ name: node.text, node, binding, eager: !scope.deferred, attribute });
    }
  }

  /** An assignment target: its names bind, anything else in it (`a[i]`, `a.b`) is read. */
  #target(node: Node, scope: Scope): void {
    if (node.type === 'identifier') this.#record(node, scope, true);
    else if (TARGET_CONTAINERS.has(node.type)) for (const c of named(node)) this.#target(c, scope);
    else this.walk(node, scope);
  }

  /** The children of `node`, with `targetChild` (if any) as an assignment target. */
  #withTarget(node: Node, targetChild: Node | null, scope: Scope): void {
    for (const c of named(node)) {
      if (targetChild !== null && c.equals(targetChild)) this.#target(c, scope);
      else this.walk(c, scope);
    }
  }

  walk(node: Node, scope: Scope): void {
    switch (node.type) {
      case 'identifier':
        this.#record(node, scope, false);
        return;
      case 'attribute':
        this.#attribute(node, scope);
        return;
      case 'keyword_argument': {
        const value = node.childForFieldName('value');
        if (value !== null) this.walk(value, scope);
        return;
      }
      case 'decorated_definition':
        for (const c of named(node)) this.walk(c, scope);
        return;
      case 'function_definition': {
        const name = node.childForFieldName('name');
        if (name !== null) this.#record(name, scope, true);
        this.#functionLike(node, scope);
        return;
      }
      case 'lambda':
        this.#functionLike(node, scope);
        return;
      case 'class_definition':
        this.#classDefinition(node, scope);
        return;
      case 'assignment':
        this.#assignment(node, scope);
        return;
      case 'augmented_assignment':
        this.#augmentedAssignment(node, scope);
        return;
      case 'for_statement':
        this.#withTarget(node, node.childForFieldName('left'), scope);
        return;
      case 'as_pattern':
        this.#withTarget(node, node.childForFieldName('alias'), scope);
        return;
      case 'named_expression':
        this.#namedExpression(node, scope);
        return;
      case 'delete_statement':
        for (const c of named(node)) this.#target(c, scope);
        return;
      case 'global_statement':
        for (const c of named(node)) if (c.type === 'identifier') this.#record(c, scope, false);
        return;
      case 'nonlocal_statement':
      case 'import_statement':
      case 'import_from_statement':
      case 'future_import_statement':
      case 'case_pattern':
        return;
      default:
        if (COMPREHENSIONS.has(node.type)) this.#comprehension(node, scope);
        else for (const c of named(node)) this.walk(c, scope);
    }
  }

  #attribute(node: Node, scope: Scope): void {
    const object = node.childForFieldName('object');
    if (object === null) return;
    // tree-sitter-python reads `[*a.b]` (a lone splat in a list) as `(*a).b`.
    const splatted = object.type === 'list_splat' ? named(object)[0] : undefined;
    if (object.type === 'identifier') this.#record(object, scope, false, node);
    else if (splatted?.type === 'identifier') this.#record(splatted, scope, false, node);
    else this.walk(object, scope);
  }

  #functionLike(fn: Node, scope: Scope): void {
    const params = fn.childForFieldName('parameters');
    // Defaults and annotations run in the enclosing scope, when the def runs.
    if (params !== null) {
      for (const p of named(params)) {
        const value = p.childForFieldName('value');
        if (value !== null) this.walk(value, scope);
        const type = p.childForFieldName('type');
        if (type !== null) this.walk(type, scope);
      }
    }
    const ret = fn.childForFieldName('return_type');
    if (ret !== null) this.walk(ret, scope);
    const inner = new Scope('function', scope, true);
    parameterNames(params, inner.locals);
    const body = fn.childForFieldName('body');
    if (body === null) return;
    if (fn.type === 'lambda') {
      this.walk(body, inner);
      return;
    }
    boundNames(body, inner);
    for (const p of inner.globals) inner.locals.delete(p);
    for (const p of inner.nonlocals) inner.locals.delete(p);
    this.walk(body, inner);
  }

  #classDefinition(node: Node, scope: Scope): void {
    const name = node.childForFieldName('name');
    if (name !== null) this.#record(name, scope, true);
    const bases = node.childForFieldName('superclasses');
    if (bases !== null) this.walk(bases, scope);
    const body = node.childForFieldName('body');
    if (body === null) return;
    const inner = new Scope('class', scope, scope.deferred);
    boundNames(body, inner);
    this.walk(body, inner);
  }

  #assignment(node: Node, scope: Scope): void {
    const left = node.childForFieldName('left');
    const type = node.childForFieldName('type');
    const right = node.childForFieldName('right');
    if (type !== null) this.walk(type, scope);
    if (right !== null) this.walk(right, scope);
    // An annotation without a value binds nothing (`x: int` at module level).
    if (left === null || (right === null && left.type === 'identifier')) return;
    this.#target(left, scope);
  }

  #augmentedAssignment(node: Node, scope: Scope): void {
    const left = node.childForFieldName('left');
    const right = node.childForFieldName('right');
    if (right !== null) this.walk(right, scope);
    if (left === null) return;
    // `X += 1` reads X, then binds it.
    if (left.type === 'identifier') this.#record(left, scope, false);
    this.#target(left, scope);
  }

  #namedExpression(node: Node, scope: Scope): void {
    const value = node.childForFieldName('value');
    if (value !== null) this.walk(value, scope);
    const name = node.childForFieldName('name');
    // The walrus binds in the enclosing function, even inside a comprehension.
    let s = scope;
    while (s.kind === 'comprehension' && s.parent !== null) s = s.parent;
    if (name !== null) this.#record(name, s, true);
  }

  /** The first iterable is evaluated outside; loop variables are the comprehension's own. */
  #comprehension(node: Node, scope: Scope): void {
    const clauses = named(node).filter((c) => c.type === 'for_in_clause');
    const first = clauses[0]?.childForFieldName('right');
    if (first) this.walk(first, scope);
    const inner = new Scope('comprehension', scope, scope.deferred);
    for (const clause of clauses) {
      const left = clause.childForFieldName('left');
      if (left !== null) targetNames(left, inner.locals);
    }
    for (const c of named(node)) {
      if (c.type !== 'for_in_clause') {
        this.walk(c, inner);
        continue;
      }
      const left = c.childForFieldName('left');
      for (const part of named(c)) {
        if (left !== null && part.equals(left)) this.#target(part, inner);
        else if (!(first && part.equals(first))) this.walk(part, inner);
      }
    }
  }
}
