/**
 * Selection: from the template's statements (every one is a root), follow references to the
 * feature objects they reach, transitively (cycles are fine), recording on the way each rename
 * (an identifier span and its output name), each decorator substitution, the imports in use and
 * what the rules refuse (dangling `alias.missing`, a module alias used as a value, extension
 * types, metadata evaluated before the code it uses).
 */
import { diagnostic, type RenderDiagnostic } from './diagnostics.js';
import { VAULT_HANDLE_TYPES, type ImportBinding } from './imports.js';
import type { PyModule, Statement } from './module.js';
import { lastDefinition, type RenderScope } from './naming.js';
import type { ModuleName } from './scope.js';
import { substituteDecorators, type Edit } from './substitute.js';
import type { PyNode as Node } from './syntax.js';

export interface Collected {
  /** Indices of the statements selected from each module. */
  selected: Map<PyModule, Set<number>>;
  /** Each module's text edits: renames and substituted decorator values. */
  edits: Map<PyModule, Edit[]>;
  /** Imports some selected statement uses. */
  usedImports: Set<ImportBinding>;
  /** A Vault handle type was rendered as `Any`, so `typing.Any` must be imported. */
  needsAny: boolean;
  errors: RenderDiagnostic[];
}

type FeatureBinding = ImportBinding & { kind: 'feature' };
type AttributeUse = ModuleName & { attribute: Node };
/** What `alias.member` becomes: a feature object, or a name the feature imports. */
type Member = { target: PyModule; index: number; text: string } | { binding: ImportBinding; text: string };

/**
 * Select what the template reaches in `modules` (the template, then the feature modules).
 * `early` holds the template statements emitted before the feature sections.
 */
export function collect(scope: RenderScope, modules: PyModule[], early: ReadonlySet<Statement>): Collected {
  const collector = new Collector(scope, modules, early);
  for (const s of scope.template.statements) collector.select(scope.template, s.index);
  collector.run();
  return collector.result;
}

class Collector {
  readonly result: Collected;
  readonly #queue: Array<[PyModule, number]> = [];

  constructor(
    readonly scope: RenderScope,
    modules: PyModule[],
    readonly early: ReadonlySet<Statement>,
  ) {
    this.result = {
      selected: new Map(modules.map((m) => [m, new Set<number>()])),
      edits: new Map(modules.map((m) => [m, []])),
      usedImports: new Set(),
      needsAny: false,
      errors: [],
    };
  }

  select(m: PyModule, i: number): void {
    const set = this.result.selected.get(m);
    if (set === undefined || set.has(i)) return;
    set.add(i);
    this.#queue.push([m, i]);
  }

  run(): void {
    for (let item = this.#queue.shift(); item !== undefined; item = this.#queue.shift()) {
      const [m, i] = item;
      const s = m.statements[i];
      if (s !== undefined) this.#visit(m, s);
    }
  }

  #edit(m: PyModule, edit: Edit): void {
    this.result.edits.get(m)?.push(edit);
  }

  #error(
    m: PyModule,
    node: Node,
    code: Parameters<typeof diagnostic>[0],
    message: string,
    hint: string,
  ): void {
    this.result.errors.push(
      diagnostic(code, m.display, m.source.location(node.startPosition), message, hint),
    );
  }

  /** Follow a statement's references: select what it uses, record renames. */
  #visit(m: PyModule, s: Statement): void {
    const substitution = substituteDecorators(m, s, this.scope.features);
    for (const e of substitution.edits) this.#edit(m, e);
    this.result.errors.push(...substitution.errors);
    for (const use of s.names) {
      const start = use.node.startIndex;
      if (substitution.ranges.some(([a, b]) => start >= a && start < b)) continue;
      if (use.binding || m.definitions.has(use.name) || m.bound.has(use.name)) {
        this.#ownName(m, s, use);
        continue;
      }
      const binding = m.importByName.get(use.name);
      if (binding === undefined) continue; // a builtin (or a name Python would not find either)
      switch (binding.kind) {
        case 'feature':
          this.#featureUse(m, s, use, binding);
          break;
        case 'api':
        case 'standard':
        case 'math':
          this.result.usedImports.add(binding);
          break;
        case 'extension':
        case 'extension-module':
          this.#extensionUse(m, use, binding);
          break;
      }
    }
  }

  /** A module-level name of `m` itself: renamed in a feature, its definition selected. */
  #ownName(m: PyModule, s: Statement, use: ModuleName): void {
    if (!m.isTemplate) {
      this.#edit(m, {
        start: use.node.startIndex,
        end: use.node.endIndex,
        text: this.scope.renamed(m, use.name),
      });
    }
    if (use.binding) return;
    const def = lastDefinition(m, use.name, use.eager, s.index);
    if (def === undefined) return;
    this.select(m, def);
    const target = m.statements[def];
    if (m.isTemplate && use.eager && this.early.has(s) && target !== undefined && !this.early.has(target)) {
      this.#error(
        m,
        use.node,
        'E_RENDER_ORDER',
        `${use.name} is evaluated when the contract loads, but metadata and hooks come before the rest of the template, which defines it`,
        'use a literal here, or move the expression into the hook body',
      );
    }
  }

  /** `alias.member` of a feature module: the member's output name, and its definition selected. */
  #featureUse(m: PyModule, s: Statement, use: ModuleName, binding: FeatureBinding): void {
    if (use.attribute === null) {
      this.#error(
        m,
        use.node,
        'E_RENDER_MODULE_VALUE',
        `feature module alias \`${use.name}\` used as a value`,
        `refer to the module's objects as ${use.name}.NAME`,
      );
      return;
    }
    const found = this.#member(m, { ...use, attribute: use.attribute }, binding);
    if (found === null) return;
    this.#edit(m, { start: use.node.startIndex, end: use.attribute.endIndex, text: found.text });
    if ('target' in found) {
      this.select(found.target, found.index);
      if (m.isTemplate && use.eager && this.early.has(s)) {
        this.#error(
          m,
          use.node,
          'E_RENDER_ORDER',
          `${use.attribute.text} is evaluated when the contract loads, but metadata and hooks come before the feature sections`,
          'use a literal here, or move the expression into the hook body',
        );
      }
    } else {
      this.result.usedImports.add(found.binding);
      if (found.binding.kind === 'extension') this.result.needsAny = true;
    }
  }

  /** What `alias.member` (alias a feature import) becomes, or null after reporting it dangling. */
  #member(m: PyModule, use: AttributeUse, binding: FeatureBinding): Member | null {
    const target = this.scope.features.get(binding.module);
    const memberNode = use.attribute.childForFieldName('attribute');
    if (target === undefined || memberNode === null) return null;
    const name = memberNode.text;
    const def = lastDefinition(target, name);
    if (def !== undefined) return { target, index: def, text: this.scope.renamed(target, name) };
    const imported = target.importByName.get(name);
    const vaultType = imported?.kind === 'extension' && VAULT_HANDLE_TYPES.has(imported.imported);
    if (imported !== undefined && (imported.kind === 'api' || imported.kind === 'standard' || vaultType)) {
      return { binding: imported, text: imported.kind === 'extension' ? 'Any' : name };
    }
    this.#error(
      m,
      use.attribute,
      'E_RENDER_DANGLING',
      `${use.attribute.text}: ${binding.module} (${target.display}) defines no \`${name}\``,
      imported?.kind === 'feature'
        ? `import ${imported.module} in ${m.display} and use its alias`
        : `define ${name} in ${target.display}, or fix the name`,
    );
    return null;
  }

  /** A name from the contracts-API extension module: a Vault handle type becomes `Any`. */
  #extensionUse(m: PyModule, use: ModuleName, binding: ImportBinding): void {
    const typeName =
      binding.kind === 'extension' ? binding.imported : use.attribute?.childForFieldName('attribute')?.text;
    if (typeName !== undefined && VAULT_HANDLE_TYPES.has(typeName)) {
      const end =
        binding.kind === 'extension' || use.attribute === null ? use.node.endIndex : use.attribute.endIndex;
      this.#edit(m, { start: use.node.startIndex, end, text: 'Any' });
      this.result.needsAny = true;
      return;
    }
    this.#error(
      m,
      use.node,
      'E_RENDER_EXTENSION',
      `${typeName ?? use.name} from the contracts-API extension module has no equivalent in a rendered contract`,
      `only ${[...VAULT_HANDLE_TYPES].join(', ')} are rendered (as Any); use contracts_api types instead`,
    );
  }
}
