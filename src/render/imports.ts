/**
 * The import rules for templates and features (renderer.md, "Allowed imports"): reads one
 * top-level import statement and returns what it binds, or diagnostics that say which form to
 * use instead. Pure: feature module lookup is a function the caller passes.
 */
import type { PyNode as Node } from './syntax.js';
import { isContractsApiExtensionsModule, STANDARD_MODULE_ORDER } from '../code/contract.js';
import type { SourceLocation } from '../code/source-text.js';
import { diagnostic, type RenderDiagnostic } from './diagnostics.js';

export { STANDARD_MODULE_ORDER };

const ROUNDING = [
  'ROUND_05UP',
  'ROUND_CEILING',
  'ROUND_DOWN',
  'ROUND_FLOOR',
  'ROUND_HALF_DOWN',
  'ROUND_HALF_EVEN',
  'ROUND_HALF_UP',
  'ROUND_UP',
];

/** The names each standard module exposes to contracts (`math` only as `import math`). */
export const STANDARD_NAMES: ReadonlyMap<string, readonly string[]> = new Map([
  ['calendar', ['isleap', 'monthrange']],
  ['collections', ['defaultdict']],
  ['datetime', ['datetime']],
  ['dateutil.parser', ['parse']],
  ['dateutil.relativedelta', ['relativedelta']],
  ['decimal', ['Decimal', ...ROUNDING]],
  ['json', ['dumps', 'loads']],
  ['math', []],
  [
    'typing',
    [
      'Any',
      'Callable',
      'DefaultDict',
      'Dict',
      'Iterable',
      'Iterator',
      'List',
      'Mapping',
      'NamedTuple',
      'NewType',
      'NoReturn',
      'Optional',
      'Set',
      'Type',
      'Tuple',
      'Union',
    ],
  ],
  ['zoneinfo', ['ZoneInfo']],
]);

/** The Vault handle types of the extension module; annotations using them become `Any`. */
export const VAULT_HANDLE_TYPES: ReadonlySet<string> = new Set([
  'SmartContractVault',
  'SuperviseeContractVault',
  'SupervisorContractVault',
]);

interface Located {
  /** The local name the import binds. */
  local: string;
  at: SourceLocation;
}

export type ImportBinding = Located &
  (
    | { kind: 'feature'; module: string; file: string }
    | { kind: 'api'; imported: string }
    | { kind: 'standard'; module: string; imported: string }
    | { kind: 'math' }
    | { kind: 'extension'; imported: string }
    | { kind: 'extension-module' }
  );

export interface ImportContext {
  /** The importing file, as diagnostics name it. */
  file: string;
  /** The root directory, as diagnostics name it. */
  root: string;
  /** Absolute path of the feature file for a dotted module name, or null when there is none. */
  resolveModule(module: string): string | null;
  locate(node: Node): SourceLocation;
}

const lastComponent = (module: string): string => module.slice(module.lastIndexOf('.') + 1);
const moduleFiles = (module: string): string =>
  `${module.replace(/\./g, '/')}.py or ${module.replace(/\./g, '/')}/__init__.py`;

function standardForm(module: string): string {
  if (module === 'math') return '`import math` and `math.NAME`';
  const names = STANDARD_NAMES.get(module) ?? [];
  const shown = names.length > 4 ? `${names.slice(0, 3).join(', ')}, ...` : names.join(', ');
  return `\`from ${module} import ${shown}\``;
}

function allowedList(module: string): string {
  const names = (STANDARD_NAMES.get(module) ?? []).filter(
    (n) => !n.startsWith('ROUND_') || n === 'ROUND_HALF_UP',
  );
  return module === 'decimal' ? `${names.join(', ')} (and the other ROUND_* constants)` : names.join(', ');
}

/**
 * The bindings of one top-level import statement, or diagnostics. `import` and `from ... import`
 * statements only; the caller rejects imports anywhere but at module level.
 */
export function readImport(
  stmt: Node,
  ctx: ImportContext,
): { bindings: ImportBinding[]; errors: RenderDiagnostic[] } {
  const reader = new ImportReader(ctx);
  if (stmt.type === 'future_import_statement') {
    reader.fail(stmt, '`from __future__ import` is not allowed in contracts', 'remove it');
  } else if (stmt.type === 'import_statement') {
    for (const item of stmt.childrenForFieldName('name')) reader.importItem(item);
  } else {
    reader.fromImport(stmt);
  }
  return { bindings: reader.bindings, errors: reader.errors };
}

/** A name of `from X import a, b as c`. */
interface ImportedName {
  item: Node;
  imported: string;
  local: string;
}

class ImportReader {
  readonly bindings: ImportBinding[] = [];
  readonly errors: RenderDiagnostic[] = [];

  constructor(readonly ctx: ImportContext) {}

  fail(node: Node, message: string, hint: string): void {
    this.errors.push(diagnostic('E_RENDER_IMPORT', this.ctx.file, this.ctx.locate(node), message, hint));
  }

  notFound(node: Node, module: string): void {
    this.errors.push(
      diagnostic(
        'E_RENDER_MODULE',
        this.ctx.file,
        this.ctx.locate(node),
        `module ${module} is neither a feature under the root ${this.ctx.root} (no ${moduleFiles(module)}) nor a standard module contracts may use`,
        `contracts may import only contracts_api, ${STANDARD_MODULE_ORDER.join(', ')} and features (\`import a.b.c as c\`); check --root or the module name`,
      ),
    );
  }

  /** One item of `import a.b, c as d`. */
  importItem(item: Node): void {
    const aliased = item.type === 'aliased_import';
    const dotted = aliased ? item.childForFieldName('name') : item;
    const aliasNode = aliased ? item.childForFieldName('alias') : null;
    if (dotted === null) return;
    const module = dotted.text.replace(/\s+/g, '');
    const at = this.ctx.locate(item);
    if (module === 'contracts_api' || module.startsWith('contracts_api.')) {
      this.fail(item, `\`import ${module}\` is not allowed`, 'use `from contracts_api import NAME, ...`');
    } else if (isContractsApiExtensionsModule(module)) {
      if (aliasNode !== null) this.bindings.push({ kind: 'extension-module', local: aliasNode.text, at });
    } else if (module === 'math') {
      if (aliasNode !== null)
        this.fail(item, '`math` must not be aliased', 'use `import math` and `math.NAME`');
      else this.bindings.push({ kind: 'math', local: 'math', at });
    } else if (STANDARD_NAMES.has(module) || module === 'dateutil') {
      this.fail(
        item,
        `\`import ${module}\` is not allowed in contracts`,
        module === 'dateutil'
          ? 'use `from dateutil.relativedelta import relativedelta` or `from dateutil.parser import parse`'
          : `use ${standardForm(module)}`,
      );
    } else {
      this.#featureImport(item, module, aliasNode);
    }
  }

  /** `import a.b.c as c` of a feature module. */
  #featureImport(item: Node, module: string, aliasNode: Node | null): void {
    const file = this.ctx.resolveModule(module);
    if (file === null) this.notFound(item, module);
    else if (aliasNode === null)
      this.fail(
        item,
        `feature imports need an alias: \`import ${module}\``,
        `use \`import ${module} as ${lastComponent(module)}\``,
      );
    else
      this.bindings.push({ kind: 'feature', local: aliasNode.text, module, file, at: this.ctx.locate(item) });
  }

  /** `from X import ...`. */
  fromImport(stmt: Node): void {
    const moduleNode = stmt.childForFieldName('module_name');
    if (moduleNode === null) return;
    const module = moduleNode.text.replace(/\s+/g, '');
    const wildcard = stmt.namedChildren.some((c) => c.type === 'wildcard_import');
    const names: ImportedName[] = stmt.childrenForFieldName('name').map((item) => {
      const aliased = item.type === 'aliased_import';
      const imported = (aliased ? item.childForFieldName('name') : item)?.text ?? '';
      const local = (aliased ? item.childForFieldName('alias')?.text : undefined) ?? imported;
      return { item, imported, local };
    });
    const at = (n: ImportedName) => this.ctx.locate(n.item);
    if (moduleNode.type === 'relative_import') {
      this.fail(
        stmt,
        `relative import \`from ${module} import ...\` is not allowed`,
        'import features by their full name from the root: `import a.b.c as c`',
      );
    } else if (module === 'contracts_api') {
      if (wildcard)
        this.fail(
          stmt,
          '`from contracts_api import *` is not allowed',
          'name what you use: `from contracts_api import NAME, ...`',
        );
      for (const n of names)
        this.bindings.push({ kind: 'api', local: n.local, imported: n.imported, at: at(n) });
    } else if (module.startsWith('contracts_api.')) {
      this.fail(
        stmt,
        `\`from ${module} import\` is not allowed`,
        'use `from contracts_api import NAME, ...`',
      );
    } else if (isContractsApiExtensionsModule(module)) {
      for (const n of names)
        this.bindings.push({ kind: 'extension', local: n.local, imported: n.imported, at: at(n) });
    } else if (module === 'math') {
      const shown = wildcard ? 'NAME' : (names[0]?.imported ?? 'NAME');
      this.fail(stmt, '`from math import` is not allowed', `use \`import math\` and \`math.${shown}\``);
    } else if (STANDARD_NAMES.has(module)) {
      this.#fromStandard(stmt, module, names, wildcard);
    } else {
      this.#fromOther(stmt, module, names, wildcard);
    }
  }

  /** `from decimal import Decimal`: only the names the module exposes to contracts. */
  #fromStandard(stmt: Node, module: string, names: ImportedName[], wildcard: boolean): void {
    const allowed = STANDARD_NAMES.get(module) ?? [];
    if (wildcard)
      this.fail(
        stmt,
        `\`from ${module} import *\` is not allowed`,
        `name what you use: ${standardForm(module)}`,
      );
    for (const n of names) {
      if (!allowed.includes(n.imported)) {
        this.fail(
          n.item,
          `\`${module}.${n.imported}\` is not available to contracts`,
          `${module} exposes only ${allowedList(module)}: ${standardForm(module)}`,
        );
      } else {
        this.bindings.push({
          kind: 'standard',
          local: n.local,
          module,
          imported: n.imported,
          at: this.ctx.locate(n.item),
        });
      }
    }
  }

  /** `from <feature or other> import ...`: never allowed; say which form to use, or that it is not found. */
  #fromOther(stmt: Node, module: string, names: ImportedName[], wildcard: boolean): void {
    if (this.ctx.resolveModule(module) !== null) {
      const alias = lastComponent(module);
      const shown = wildcard ? 'NAME' : (names[0]?.imported ?? 'NAME');
      this.fail(
        stmt,
        `\`from ${module} import ...\` is not allowed for feature modules`,
        `use \`import ${module} as ${alias}\` and \`${alias}.${shown}\``,
      );
      return;
    }
    const only = names.length === 1 ? names[0] : undefined;
    const submodule = only === undefined ? null : `${module}.${only.imported}`;
    if (submodule !== null && this.ctx.resolveModule(submodule) !== null) {
      this.fail(
        stmt,
        `\`from ${module} import ${only?.imported ?? ''}\` is not allowed for feature modules`,
        `use \`import ${submodule} as ${lastComponent(submodule)}\``,
      );
    } else {
      this.notFound(stmt, module);
    }
  }
}
