/**
 * Decorator constants: keyword values of `@requires(...)` / `@fetch_account_data(...)` that name
 * module-level constants become their literal values, because Vault only accepts literals there.
 * Other decorators are untouched.
 */
import {
  evaluateLiteral,
  NotLiteral,
  printLiteral,
  type ConstantLookup,
  type ConstantRef,
  type ConstantScope,
} from './constants.js';
import { diagnostic, type RenderDiagnostic } from './diagnostics.js';
import { assignedValue, type PyModule, type Statement } from './module.js';
import { lastDefinition } from './naming.js';
import type { PyNode as Node } from './syntax.js';

const SUBSTITUTED_DECORATORS = new Set(['requires', 'fetch_account_data']);

/** A replacement of the source text in `[start, end)` (UTF-16 indices into the module's code). */
export interface Edit {
  start: number;
  end: number;
  text: string;
}

export interface Substitution {
  /** Literal values replacing keyword values. */
  edits: Edit[];
  /** Every substituted (or refused) keyword value: names inside are not renamed or followed. */
  ranges: Array<[number, number]>;
  errors: RenderDiagnostic[];
}

/** The decorator substitutions of one statement of `m`. */
export function substituteDecorators(
  m: PyModule,
  s: Statement,
  features: ReadonlyMap<string, PyModule>,
): Substitution {
  const out: Substitution = { edits: [], ranges: [], errors: [] };
  if (s.node.type !== 'decorated_definition') return out;
  for (const decorator of s.node.namedChildren) {
    if (decorator.type !== 'decorator') continue;
    const call = decorator.namedChildren.find((c) => c.type !== 'comment');
    if (call?.type !== 'call') continue;
    const fn = call.childForFieldName('function');
    const binding = fn?.type === 'identifier' ? m.importByName.get(fn.text) : undefined;
    if (binding?.kind !== 'api' || !SUBSTITUTED_DECORATORS.has(binding.imported)) continue;
    for (const arg of call.childForFieldName('arguments')?.namedChildren ?? []) {
      const value = arg.type === 'keyword_argument' ? arg.childForFieldName('value') : null;
      if (value === null || !namesInside(s, value)) continue;
      const keyword = `@${binding.local}(${arg.childForFieldName('name')?.text ?? ''}=...)`;
      substituteValue({ module: m, features, out }, value, keyword);
    }
  }
  return out;
}

/** Does the value use any module-level name (a value of literals alone is left as written)? */
function namesInside(s: Statement, value: Node): boolean {
  return s.names.some((n) => n.node.startIndex >= value.startIndex && n.node.startIndex < value.endIndex);
}

/** Where a substitution happens: the module, the features it may name, the result so far. */
interface SubstitutionContext {
  module: PyModule;
  features: ReadonlyMap<string, PyModule>;
  out: Substitution;
}

function substituteValue(
  { module: m, features, out }: SubstitutionContext,
  value: Node,
  keyword: string,
): void {
  const start = value.startIndex;
  const end = value.endIndex;
  out.ranges.push([start, end]);
  try {
    out.edits.push({ start, end, text: printLiteral(evaluateLiteral(value, m, constantScope(features))) });
  } catch (e) {
    if (!(e instanceof NotLiteral)) throw e;
    out.errors.push(
      diagnostic(
        'E_RENDER_DECORATOR',
        m.display,
        m.source.location((e.node.source === m.source ? e.node : value).startPosition),
        `${keyword}: ${e.message}`,
        'Vault needs literals in decorators: bind the name to a string, a list of strings or a dict of lists at module level',
      ),
    );
  }
}

/** Module-level constants, in the module itself or through a feature alias (`alias.NAME`). */
function constantScope(features: ReadonlyMap<string, PyModule>): ConstantScope<PyModule> {
  return {
    lookup: (m: PyModule, ref: ConstantRef): ConstantLookup<PyModule> | null => {
      let target = m;
      const name = ref.name;
      if (ref.alias !== null) {
        const binding = m.importByName.get(ref.alias);
        if (binding?.kind !== 'feature' || m.definitions.has(ref.alias)) return null;
        const t = features.get(binding.module);
        if (t === undefined) return null;
        target = t;
        if (!t.definitions.has(name))
          return { error: `${binding.module} (${t.display}) defines no \`${name}\`` };
      }
      const def = lastDefinition(target, name);
      if (def === undefined) {
        return target.importByName.has(name)
          ? { error: `${name} is imported, not a module-level constant` }
          : { error: `${name} is not defined at module level in ${target.display}` };
      }
      const value = assignedValue(target.statements[def], name);
      if (value !== null) return { module: target, value };
      const line = (target.statements[def]?.node.startPosition.row ?? 0) + 1;
      return { error: `${name} (${target.display}:${line}) is not a constant assignment` };
    },
  };
}
