/**
 * How feature modules appear in the output: the prefix of their names (`c_X` for `X` of module
 * `a.b.c`), their order (each after the modules it imports), and which definition a name means.
 */
import type { PyModule } from './module.js';

/** What selection, substitution and emission share about the modules being rendered. */
export interface RenderScope {
  template: PyModule;
  /** Every feature module the template reaches, by dotted name. */
  features: ReadonlyMap<string, PyModule>;
  /** The output name of module `m`'s top-level `name` (template names are kept). */
  renamed(m: PyModule, name: string): string;
}

export function renderScope(template: PyModule, features: ReadonlyMap<string, PyModule>): RenderScope {
  const prefixes = modulePrefixes(features.keys());
  return {
    template,
    features,
    renamed: (m, name) => (m.isTemplate ? name : `${prefixes.get(m.name) ?? m.name}_${name}`),
  };
}

/** Prefix for a module's names: its last dotted component, longer where two modules share one. */
export function modulePrefixes(modules: Iterable<string>): Map<string, string> {
  const names = [...modules].sort();
  const prefixes = new Map<string, string>();
  const parts = new Map(names.map((n) => [n, n.split('.')]));
  const suffix = (n: string, k: number) => (parts.get(n) ?? []).slice(-k).join('_');
  for (const name of names) {
    let k = 1;
    const max = parts.get(name)?.length ?? 1;
    // Lengthen the suffix until no other module shares it.
    while (k < max && names.some((other) => other !== name && suffix(other, k) === suffix(name, k))) k += 1;
    prefixes.set(name, suffix(name, k));
  }
  return prefixes;
}

/** Feature modules, each after the modules it imports; ties (and cycles) broken by dotted name. */
export function dependencyOrder(features: ReadonlyMap<string, PyModule>): PyModule[] {
  const pending = new Map<string, Set<string>>();
  for (const [name, m] of features) {
    const deps = new Set<string>();
    for (const b of m.imports)
      if (b.kind === 'feature' && b.module !== name && features.has(b.module)) deps.add(b.module);
    pending.set(name, deps);
  }
  const order: PyModule[] = [];
  while (pending.size > 0) {
    const ready = [...pending].filter(([, deps]) => deps.size === 0).map(([n]) => n);
    const next = (ready.length > 0 ? ready : [...pending.keys()]).sort()[0] as string;
    pending.delete(next);
    for (const deps of pending.values()) deps.delete(next);
    const m = features.get(next);
    if (m !== undefined) order.push(m);
  }
  return order;
}

/**
 * The statement of `m` that binds `name`: the last one, or with `eager` (while the module runs)
 * the latest before statement `from`, Python's last-wins.
 */
export function lastDefinition(m: PyModule, name: string, eager = false, from = 0): number | undefined {
  const defs = m.definitions.get(name);
  if (defs === undefined) return undefined;
  if (eager) {
    const before = defs.filter((d) => d < from);
    if (before.length > 0) return before[before.length - 1];
  }
  return defs[defs.length - 1];
}
