/**
 * Decorator constant substitution: Vault reads `@requires(...)` and `@fetch_account_data(...)`
 * arguments without running the contract, so they must be literals. This evaluates a keyword
 * value built from literals and module-level constants (strings, numbers, lists, tuples, dicts,
 * `*LIST` and `**DICT` unpacking, chains `A = B`, `alias.NAME` across modules) and prints it back
 * as a Python literal, keeping each string literal's original spelling.
 */
import type { PyNode as Node } from './syntax.js';

export type Literal =
  | { kind: 'atom'; text: string }
  | { kind: 'list' | 'tuple'; items: Literal[] }
  | { kind: 'dict'; entries: Array<[Literal, Literal]> };

/** Where a constant's value comes from, or why it has none. */
export type ConstantLookup<M> = { module: M; value: Node } | { error: string };

/** A name in an expression: `name`, or `alias.name`. */
export interface ConstantRef {
  alias: string | null;
  name: string;
}

export interface ConstantScope<M> {
  /** The value expression a module-level name or `alias.name` is bound to; null: not a name. */
  lookup(module: M, ref: ConstantRef): ConstantLookup<M> | null;
}

/** The reference an identifier or `alias.name` node makes, or null. */
function refOf(n: Node): ConstantRef | null {
  if (n.type === 'identifier') return { alias: null, name: n.text };
  if (n.type !== 'attribute') return null;
  const object = n.childForFieldName('object');
  const attr = n.childForFieldName('attribute');
  if (object?.type !== 'identifier' || attr === null) return null;
  return { alias: object.text, name: attr.text };
}

/** `[*a.b]` parses as attribute(list_splat(a), b): the splatted reference, or null. */
function splatAttribute(n: Node): ConstantRef | null {
  if (n.type !== 'attribute') return null;
  const object = n.childForFieldName('object');
  const inner = object?.type === 'list_splat' ? object.namedChildren[0] : null;
  const attr = n.childForFieldName('attribute');
  if (inner?.type !== 'identifier' || attr === null) return null;
  return { alias: inner.text, name: attr.text };
}

export class NotLiteral extends Error {
  constructor(
    readonly node: Node,
    message: string,
  ) {
    super(message);
  }
}

const named = (node: Node): Node[] =>
  node.namedChildren.filter((c): c is Node => c !== null && c.type !== 'comment');

/** Evaluate `node` (in `module`) to a literal, or throw NotLiteral naming the offending part. */
export function evaluateLiteral<M>(node: Node, module: M, scope: ConstantScope<M>): Literal {
  return new LiteralEvaluator(scope).evaluate(node, module);
}

class LiteralEvaluator<M> {
  /** Constants being evaluated: one met again is defined in terms of itself. */
  readonly #visiting = new Set<Node>();

  constructor(readonly scope: ConstantScope<M>) {}

  evaluate(n: Node, m: M): Literal {
    switch (n.type) {
      case 'string':
        if (n.descendantsOfType('interpolation').length > 0) {
          throw new NotLiteral(n, `f-string ${n.text} is not a literal`);
        }
        return { kind: 'atom', text: n.text };
      case 'concatenated_string':
        for (const part of named(n)) this.evaluate(part, m);
        return { kind: 'atom', text: n.text };
      case 'integer':
      case 'float':
      case 'true':
      case 'false':
      case 'none':
        return { kind: 'atom', text: n.text };
      case 'unary_operator': {
        const arg = n.childForFieldName('argument');
        if (arg !== null && (arg.type === 'integer' || arg.type === 'float'))
          return { kind: 'atom', text: n.text };
        break;
      }
      case 'parenthesized_expression': {
        const inner = named(n);
        if (inner.length === 1 && inner[0] !== undefined) return this.evaluate(inner[0], m);
        break;
      }
      case 'list':
      case 'tuple':
        return { kind: n.type, items: named(n).flatMap((item) => this.#sequenceItem(item, m)) };
      case 'dictionary':
        return { kind: 'dict', entries: named(n).flatMap((item) => this.#dictionaryItem(item, m)) };
      case 'identifier':
      case 'attribute': {
        const ref = refOf(n);
        const value = ref === null ? null : this.#reference(n, ref, m);
        if (value !== null) return value;
        break;
      }
      default:
        break;
    }
    throw new NotLiteral(n, `${n.text.split('\n')[0] ?? ''} is not a literal or a module-level constant`);
  }

  /** An item of a list or tuple: its value, or the items a `*LIST` unpacks. */
  #sequenceItem(item: Node, m: M): Literal[] {
    const splatRef = splatAttribute(item);
    if (item.type !== 'list_splat' && splatRef === null) return [this.evaluate(item, m)];
    const inner = named(item)[0];
    const value =
      splatRef !== null
        ? this.#reference(item, splatRef, m)
        : inner === undefined
          ? null
          : this.evaluate(inner, m);
    if (value === null || (value.kind !== 'list' && value.kind !== 'tuple')) {
      throw new NotLiteral(item, `${item.text} does not unpack a list or tuple constant`);
    }
    return value.items;
  }

  /** An item of a dict: its pair, or the pairs a `**DICT` unpacks. */
  #dictionaryItem(item: Node, m: M): Array<[Literal, Literal]> {
    if (item.type === 'pair') {
      const key = item.childForFieldName('key');
      const value = item.childForFieldName('value');
      if (key === null || value === null) throw new NotLiteral(item, `${item.text} is not a literal`);
      return [[this.evaluate(key, m), this.evaluate(value, m)]];
    }
    if (item.type !== 'dictionary_splat') throw new NotLiteral(item, `${item.text} is not a literal`);
    const inner = named(item)[0];
    const value = inner === undefined ? null : this.evaluate(inner, m);
    if (value === null || value.kind !== 'dict') {
      throw new NotLiteral(item, `${item.text} does not unpack a dict constant`);
    }
    return value.entries;
  }

  /** The value of the constant `ref` names, or null when it names no module-level constant. */
  #reference(n: Node, ref: ConstantRef, m: M): Literal | null {
    const found = this.scope.lookup(m, ref);
    if (found === null) return null;
    const shown = ref.alias === null ? ref.name : `${ref.alias}.${ref.name}`;
    if ('error' in found) throw new NotLiteral(n, `${shown}: ${found.error}`);
    if (this.#visiting.has(found.value)) throw new NotLiteral(n, `${shown} is defined in terms of itself`);
    this.#visiting.add(found.value);
    try {
      return this.evaluate(found.value, found.module);
    } catch (e) {
      // Report at the use in the decorator, explaining the constant that failed.
      if (e instanceof NotLiteral && e.node !== n && !e.message.startsWith(`${shown}`)) {
        throw new NotLiteral(n, `${shown}: ${e.message}`);
      }
      throw e;
    } finally {
      this.#visiting.delete(found.value);
    }
  }
}

/** Python source of a literal. Strings keep their original spelling. */
export function printLiteral(value: Literal): string {
  switch (value.kind) {
    case 'atom':
      return value.text;
    case 'list':
      return `[${value.items.map(printLiteral).join(', ')}]`;
    case 'tuple':
      return value.items.length === 1
        ? `(${printLiteral(value.items[0] as Literal)},)`
        : `(${value.items.map(printLiteral).join(', ')})`;
    case 'dict':
      return `{${value.entries.map(([k, v]) => `${printLiteral(k)}: ${printLiteral(v)}`).join(', ')}}`;
  }
}
