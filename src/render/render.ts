/**
 * The pure core of `strata render`: from a template and the feature modules it reaches (already
 * parsed and checked against the import rules), select the reachable feature objects, rename
 * them, substitute decorator constants and lay out one contract. No IO: headers (paths, git
 * commits) come in as data.
 *
 * Invariants: the output is a function of the inputs only (order by source position and dotted
 * name, never by map or file-system order); each emitted statement is its source text with only
 * identifier spans replaced; no two modules contribute a definition of the same name.
 */
import type { PyNode as Node } from './syntax.js';
import {
  evaluateLiteral,
  NotLiteral,
  printLiteral,
  type ConstantLookup,
  type ConstantRef,
} from './constants.js';
import { diagnostic, type RenderDiagnostic } from './diagnostics.js';
import { STANDARD_MODULE_ORDER, VAULT_HANDLE_TYPES, type ImportBinding } from './imports.js';
import type { PyModule, Statement } from './module.js';
import type { ModuleName } from './scope.js';

/** Template metadata, emitted first in this order (renderer.md, Output 4). */
export const METADATA_NAMES = [
  'api',
  'version',
  'display_name',
  'summary',
  'explanation',
  'tside',
  'supervised_smart_contracts',
  'supported_denominations',
  'events_timezone',
  'contract_module_imports',
  'global_parameters',
] as const;

/** Hooks, emitted after the metadata in this order. */
export const HOOK_NAMES = [
  'activation_hook',
  'conversion_hook',
  'deactivation_hook',
  'derived_parameter_hook',
  'post_parameter_change_hook',
  'post_posting_hook',
  'pre_parameter_change_hook',
  'pre_posting_hook',
  'scheduled_event_hook',
] as const;

const SUBSTITUTED_DECORATORS = new Set(['requires', 'fetch_account_data']);

export interface SectionHeader {
  /** Path shown in the header (relative to the root, or the file name). */
  path: string;
  /** md5 of the source with LF line endings. */
  md5: string;
  /** Last commit touching the file, or null to omit. */
  git: string | null;
}

export interface RenderInput {
  template: PyModule;
  /** Every feature module the template reaches through imports, by dotted name. */
  features: ReadonlyMap<string, PyModule>;
  /** The strata version for the first line. */
  version: string;
  header(module: PyModule): SectionHeader;
}

export interface RenderOutput {
  /** The rendered contract (LF line endings), or null when there are errors. */
  text: string | null;
  errors: RenderDiagnostic[];
  /** Feature modules in output order, with how many of their statements were emitted. */
  sections: Array<{ module: string; file: string; objects: number }>;
}

interface Edit {
  start: number;
  end: number;
  text: string;
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

export function renderContract(input: RenderInput): RenderOutput {
  const { template, features } = input;
  const errors: RenderDiagnostic[] = [];
  const prefixes = modulePrefixes(features.keys());
  const ordered = dependencyOrder(features);
  const all = [template, ...ordered];
  const at = (m: PyModule, node: Node) => m.source.location(node.startPosition);
  const renamed = (m: PyModule, name: string) =>
    m.isTemplate ? name : `${prefixes.get(m.name) ?? m.name}_${name}`;

  // Metadata and hooks come first in the output, before any feature section.
  const early: Statement[] = [];
  for (const name of METADATA_NAMES)
    early.push(...template.statements.filter((s) => metadataName(s) === name));
  for (const name of HOOK_NAMES)
    early.push(...template.statements.filter((s) => s.kind === 'def' && s.name === name));
  const earlySet = new Set(early);
  const rest = template.statements.filter((s) => !earlySet.has(s));

  const selected = new Map<PyModule, Set<number>>(all.map((m) => [m, new Set<number>()]));
  const edits = new Map<PyModule, Edit[]>(all.map((m) => [m, []]));
  const usedImports = new Set<ImportBinding>();
  /** A Vault handle type was rendered as `Any`, so typing.Any must be imported. */
  let needsAny = false;
  const queue: Array<[PyModule, number]> = [];
  const select = (m: PyModule, i: number): void => {
    const set = selected.get(m);
    if (set === undefined || set.has(i)) return;
    set.add(i);
    queue.push([m, i]);
  };
  const lastDefinition = (m: PyModule, name: string, eager: boolean, from: number): number | undefined => {
    const defs = m.definitions.get(name);
    if (defs === undefined) return undefined;
    if (eager) {
      // While the module runs, a name means its latest binding so far (Python's last-wins).
      const before = defs.filter((d) => d < from);
      if (before.length > 0) return before[before.length - 1];
    }
    return defs[defs.length - 1];
  };

  /** `alias.member` where alias is a feature import: what it becomes, or a diagnostic. */
  const member = (
    m: PyModule,
    use: ModuleName & { attribute: Node },
    binding: ImportBinding & { kind: 'feature' },
  ): { target: PyModule; index: number; text: string } | { binding: ImportBinding; text: string } | null => {
    const target = features.get(binding.module);
    const memberNode = use.attribute.childForFieldName('attribute');
    if (target === undefined || memberNode === null) return null;
    const name = memberNode.text;
    const def = lastDefinition(target, name, false, 0);
    if (def !== undefined) return { target, index: def, text: renamed(target, name) };
    const imported = target.importByName.get(name);
    const vaultType = imported?.kind === 'extension' && VAULT_HANDLE_TYPES.has(imported.imported);
    if (imported !== undefined && (imported.kind === 'api' || imported.kind === 'standard' || vaultType)) {
      return { binding: imported, text: imported.kind === 'extension' ? 'Any' : name };
    }
    errors.push(
      diagnostic(
        'E_RENDER_DANGLING',
        m.display,
        at(m, use.attribute),
        `${use.attribute.text}: ${binding.module} (${target.display}) defines no \`${name}\``,
        imported?.kind === 'feature'
          ? `import ${imported.module} in ${m.display} and use its alias`
          : `define ${name} in ${target.display}, or fix the name`,
      ),
    );
    return null;
  };

  // Decorator constants: keyword values of @requires / @fetch_account_data become literals.
  const constantScope = {
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
      const def = lastDefinition(target, name, false, 0);
      if (def === undefined) {
        return target.importByName.has(name)
          ? { error: `${name} is imported, not a module-level constant` }
          : { error: `${name} is not defined at module level in ${target.display}` };
      }
      const value = assignedValue(target.statements[def], name);
      return value === null
        ? {
            error: `${name} (${target.display}:${(target.statements[def]?.node.startPosition.row ?? 0) + 1}) is not a constant assignment`,
          }
        : { module: target, value };
    },
  };

  const substituted = new Map<PyModule, Array<[number, number]>>(all.map((m) => [m, []]));
  const substitute = (m: PyModule, s: Statement): void => {
    if (s.node.type !== 'decorated_definition') return;
    for (const decorator of s.node.namedChildren) {
      if (decorator?.type !== 'decorator') continue;
      const call = decorator.namedChildren.find((c) => c !== null && c.type !== 'comment');
      if (call?.type !== 'call') continue;
      const fn = call.childForFieldName('function');
      const binding = fn?.type === 'identifier' ? m.importByName.get(fn.text) : undefined;
      if (binding?.kind !== 'api' || !SUBSTITUTED_DECORATORS.has(binding.imported)) continue;
      for (const arg of call.childForFieldName('arguments')?.namedChildren ?? []) {
        if (arg?.type !== 'keyword_argument') continue;
        const value = arg.childForFieldName('value');
        if (value === null) continue;
        const start = value.startIndex;
        const end = value.endIndex;
        const inside = s.names.some((n) => {
          const i = n.node.startIndex;
          return i >= start && i < end;
        });
        if (!inside) continue;
        try {
          const text = printLiteral(evaluateLiteral(value, m, constantScope));
          edits.get(m)?.push({ start, end, text });
          substituted.get(m)?.push([start, end]);
        } catch (e) {
          if (!(e instanceof NotLiteral)) throw e;
          substituted.get(m)?.push([start, end]);
          errors.push(
            diagnostic(
              'E_RENDER_DECORATOR',
              m.display,
              at(m, e.node.source === m.source ? e.node : value),
              `@${binding.local}(${arg.childForFieldName('name')?.text ?? ''}=...): ${e.message}`,
              'Vault needs literals in decorators: bind the name to a string, a list of strings or a dict of lists at module level',
            ),
          );
        }
      }
    }
  };

  /** Follow a statement's references: select what it uses, record renames. */
  const visit = (m: PyModule, s: Statement): void => {
    substitute(m, s);
    const skip = substituted.get(m) ?? [];
    const list = edits.get(m) as Edit[];
    for (const use of s.names) {
      const start = use.node.startIndex;
      if (skip.some(([a, b]) => start >= a && start < b)) continue;
      const end = use.node.endIndex;
      const own = m.definitions.has(use.name) || m.bound.has(use.name);
      if (use.binding || own) {
        if (!m.isTemplate) list.push({ start, end, text: renamed(m, use.name) });
        if (!use.binding) {
          const def = lastDefinition(m, use.name, use.eager, s.index);
          if (def !== undefined) select(m, def);
          const target = def === undefined ? undefined : m.statements[def];
          if (m.isTemplate && use.eager && earlySet.has(s) && target !== undefined && !earlySet.has(target)) {
            errors.push(
              diagnostic(
                'E_RENDER_ORDER',
                m.display,
                at(m, use.node),
                `${use.name} is evaluated when the contract loads, but metadata and hooks come before the rest of the template, which defines it`,
                'use a literal here, or move the expression into the hook body',
              ),
            );
          }
        }
        continue;
      }
      const binding = m.importByName.get(use.name);
      if (binding === undefined) continue; // a builtin (or a name Python would not find either)
      switch (binding.kind) {
        case 'feature': {
          if (use.attribute === null) {
            errors.push(
              diagnostic(
                'E_RENDER_MODULE_VALUE',
                m.display,
                at(m, use.node),
                `feature module alias \`${use.name}\` used as a value`,
                `refer to the module's objects as ${use.name}.NAME`,
              ),
            );
            break;
          }
          const found = member(m, { ...use, attribute: use.attribute }, binding);
          if (found === null) break;
          list.push({ start, end: use.attribute.endIndex, text: found.text });
          if ('target' in found) {
            select(found.target, found.index);
            if (m.isTemplate && use.eager && earlySet.has(s)) {
              errors.push(
                diagnostic(
                  'E_RENDER_ORDER',
                  m.display,
                  at(m, use.node),
                  `${use.attribute.text} is evaluated when the contract loads, but metadata and hooks come before the feature sections`,
                  'use a literal here, or move the expression into the hook body',
                ),
              );
            }
          } else {
            usedImports.add(found.binding);
            if (found.binding.kind === 'extension') needsAny = true;
          }
          break;
        }
        case 'api':
        case 'standard':
        case 'math':
          usedImports.add(binding);
          break;
        case 'extension':
        case 'extension-module': {
          const typeName =
            binding.kind === 'extension'
              ? binding.imported
              : use.attribute?.childForFieldName('attribute')?.text;
          if (typeName !== undefined && VAULT_HANDLE_TYPES.has(typeName)) {
            const to = binding.kind === 'extension' || use.attribute === null ? end : use.attribute.endIndex;
            list.push({ start, end: to, text: 'Any' });
            needsAny = true;
          } else {
            errors.push(
              diagnostic(
                'E_RENDER_EXTENSION',
                m.display,
                at(m, use.node),
                `${typeName ?? use.name} from the contracts-API extension module has no equivalent in a rendered contract`,
                `only ${[...VAULT_HANDLE_TYPES].join(', ')} are rendered (as Any); use contracts_api types instead`,
              ),
            );
          }
          break;
        }
      }
    }
  };

  // The template's own code is the root: every statement of it is emitted.
  const api = templateApi(template);
  if (api === null) {
    errors.push(
      diagnostic(
        'E_RENDER_API',
        template.display,
        { line: 1, column: 1 },
        'the template has no module-level api = "4.x.y"',
        'only Contracts API 4 templates are supported: add api = "4.0.0"',
      ),
    );
  } else if (!/^4\./.test(api.value)) {
    errors.push(
      diagnostic(
        'E_RENDER_API',
        template.display,
        at(template, api.node),
        `api = "${api.value}": only Contracts API 4 templates are supported`,
        'port the template to Contracts API 4 (api = "4.x.y")',
      ),
    );
  }
  for (const s of template.statements) select(template, s.index);
  for (let item = queue.shift(); item !== undefined; item = queue.shift()) {
    const [m, i] = item;
    const s = m.statements[i];
    if (s !== undefined) visit(m, s);
  }

  const imports = mergeImports(all, usedImports, needsAny, errors);
  checkCollisions(all, selected, imports.locals, renamed, errors);
  if (errors.length > 0) return { text: null, errors: sortDiagnostics(errors), sections: [] };

  const header = (m: PyModule): string => {
    const h = input.header(m);
    return `# Objects below have been imported from:\n#    ${h.path}\n# md5:${h.md5}${h.git !== null ? ` git:${h.git}` : ''}\n`;
  };
  const chunks = (m: PyModule, statements: Statement[], compact = false): string =>
    emitStatements(m, statements, edits.get(m) ?? [], compact);

  let out = `# Code auto-generated by strata render ${input.version}\n\n`;
  out += header(template);
  out += imports.text;
  const metadata = early.filter((s) => metadataName(s) !== null);
  const hooks = early.filter((s) => metadataName(s) === null);
  if (metadata.length > 0) out += `\n${chunks(template, metadata, true)}`;
  if (hooks.length > 0) out += `\n\n${chunks(template, hooks)}`;
  const sections: RenderOutput['sections'] = [];
  for (const m of ordered) {
    const picked = m.statements.filter((s) => selected.get(m)?.has(s.index));
    sections.push({ module: m.name, file: m.display, objects: picked.length });
    out += `\n\n${header(m)}`;
    if (picked.length > 0) out += chunks(m, picked);
  }
  if (rest.length > 0) out += `\n\n${header(template)}${chunks(template, rest)}`;
  return { text: out.replace(/\n*$/, '\n'), errors: [], sections };
}

/** Module-level `api = "..."` of the template (the last binding), or null. */
function templateApi(template: PyModule): { value: string; node: Node } | null {
  const defs = template.definitions.get('api');
  const s = defs === undefined ? undefined : template.statements[defs[defs.length - 1] ?? -1];
  const value = s === undefined ? null : assignedValue(s, 'api');
  if (value === null || value.type !== 'string' || value.descendantsOfType('interpolation').length > 0)
    return null;
  const text = value.text.replace(/^[rRuU]?(['"]{1,3})/, '').replace(/(['"]{1,3})$/, '');
  return { value: text, node: value };
}

/** The metadata name a statement assigns (`api = ...`), or null. */
function metadataName(s: Statement): string | null {
  if (s.kind !== 'assign') return null;
  const assignment = s.node.namedChildren[0];
  const left = assignment?.childForFieldName('left');
  const right = assignment?.childForFieldName('right');
  if (left?.type !== 'identifier' || right === null || right === undefined || right.type === 'assignment')
    return null;
  return (METADATA_NAMES as readonly string[]).includes(left.text) ? left.text : null;
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

/** Statements' source text with edits applied, separated as the source separates them. */
function emitStatements(m: PyModule, statements: Statement[], edits: Edit[], compact: boolean): string {
  const sorted = [...edits].sort((a, b) => a.start - b.start || b.end - a.end);
  let out = '';
  let previous: Statement | null = null;
  for (const s of statements) {
    if (previous !== null) {
      const definition = (x: Statement) => x.kind === 'def' || x.kind === 'class';
      const blank = compact
        ? 0
        : definition(s) || definition(previous)
          ? 2
          : s.index === previous.index + 1
            ? Math.min(s.blankBefore, 2)
            : Math.min(Math.max(s.blankBefore, 1), 2);
      out += '\n'.repeat(blank + 1);
    }
    let text = '';
    let cursor = s.textStart;
    for (const e of sorted) {
      if (e.start < cursor || e.end > s.textEnd) continue; // outside, or inside an edit already applied
      text += m.code.slice(cursor, e.start) + e.text;
      cursor = e.end;
    }
    text += m.code.slice(cursor, s.textEnd);
    out += text;
    previous = s;
  }
  return `${out}\n`;
}

interface MergedImports {
  text: string;
  /** Local name -> where it is imported. */
  locals: Map<string, { module: PyModule; binding: ImportBinding }>;
}

/** One `from contracts_api import (...)`, then the standard modules in their fixed order. */
function mergeImports(
  modules: PyModule[],
  used: ReadonlySet<ImportBinding>,
  needsAny: boolean,
  errors: RenderDiagnostic[],
): MergedImports {
  const api: string[] = [];
  const standard = new Map<string, string[]>();
  let math = false;
  const locals = new Map<string, { module: PyModule; binding: ImportBinding; source: string }>();
  const add = (list: string[], entry: string) => {
    if (!list.includes(entry)) list.push(entry);
  };
  const claim = (m: PyModule, binding: ImportBinding, source: string): boolean => {
    const existing = locals.get(binding.local);
    if (existing !== undefined && existing.source !== source) {
      errors.push(
        diagnostic(
          'E_RENDER_COLLISION',
          m.display,
          binding.at,
          `\`${binding.local}\` is imported as ${source} here but as ${existing.source} in ${existing.module.display}:${existing.binding.at.line}`,
          'import it under another name (`as ...`) in one of them',
        ),
      );
      return false;
    }
    locals.set(binding.local, { module: m, binding, source });
    return true;
  };
  for (const m of modules) {
    for (const b of m.imports) {
      if (!used.has(b)) continue;
      const entry = (imported: string) => (imported === b.local ? imported : `${imported} as ${b.local}`);
      if (b.kind === 'api') {
        if (claim(m, b, `contracts_api.${b.imported}`)) add(api, entry(b.imported));
      } else if (b.kind === 'standard') {
        const list = standard.get(b.module) ?? [];
        standard.set(b.module, list);
        if (claim(m, b, `${b.module}.${b.imported}`)) add(list, entry(b.imported));
      } else if (b.kind === 'math') {
        if (claim(m, b, 'math')) math = true;
      }
    }
  }
  if (needsAny) {
    const typing = standard.get('typing') ?? [];
    standard.set('typing', typing);
    const existing = locals.get('Any');
    if (existing === undefined || existing.source === 'typing.Any') add(typing, 'Any');
    else {
      errors.push(
        diagnostic(
          'E_RENDER_COLLISION',
          existing.module.display,
          existing.binding.at,
          `\`Any\` is imported as ${existing.source}, but the Vault handle types render as typing.Any`,
          'import it under another name',
        ),
      );
    }
  }
  let text = '';
  if (api.length > 0) text += `from contracts_api import (\n${api.map((n) => `    ${n},\n`).join('')})\n`;
  for (const module of STANDARD_MODULE_ORDER) {
    if (module === 'math') {
      if (math) text += 'import math\n';
      continue;
    }
    const names = standard.get(module);
    if (names === undefined || names.length === 0) continue;
    const line = `from ${module} import ${names.join(', ')}`;
    text +=
      line.length <= 100
        ? `${line}\n`
        : `from ${module} import (\n${names.map((n) => `    ${n},\n`).join('')})\n`;
  }
  return { text, locals };
}

/** No two modules may contribute a top-level definition of one name, nor shadow an import. */
function checkCollisions(
  modules: PyModule[],
  selected: ReadonlyMap<PyModule, ReadonlySet<number>>,
  imports: MergedImports['locals'],
  renamed: (m: PyModule, name: string) => string,
  errors: RenderDiagnostic[],
): void {
  const owners = new Map<string, { module: PyModule; line: number }>();
  for (const m of modules) {
    for (const s of m.statements) {
      if (!selected.get(m)?.has(s.index)) continue;
      for (const name of [...s.defines].sort()) {
        const out = renamed(m, name);
        const line = s.node.startPosition.row + 1;
        const owner = owners.get(out);
        const imported = imports.get(out);
        if (owner !== undefined && owner.module !== m) {
          errors.push(
            diagnostic(
              'E_RENDER_COLLISION',
              m.display,
              { line, column: 1 },
              `\`${out}\` would be defined twice: by ${owner.module.display}:${owner.line} and by ${m.display}:${line}`,
              'rename one of the two objects (or modules)',
            ),
          );
        } else if (imported !== undefined && (imported.module !== m || !m.isTemplate)) {
          errors.push(
            diagnostic(
              'E_RENDER_COLLISION',
              m.display,
              { line, column: 1 },
              `\`${out}\` (from ${m.display}:${line}) would shadow the name imported in ${imported.module.display}:${imported.binding.at.line}`,
              'rename the object',
            ),
          );
        }
        if (owner === undefined) owners.set(out, { module: m, line });
      }
    }
  }
}

function sortDiagnostics(list: RenderDiagnostic[]): RenderDiagnostic[] {
  const seen = new Set<string>();
  return list
    .filter((d) => {
      const key = `${d.file}:${d.line}:${d.column}:${d.code}:${d.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column));
}
