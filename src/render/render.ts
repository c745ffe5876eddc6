/**
 * The pure core of `strata render`: from a template and the feature modules it reaches (already
 * parsed and checked against the import rules), collect the reachable feature objects (with their
 * renames and decorator substitutions, `collect.ts`), merge the imports they use, check that no
 * two names collide, and emit one contract (`emit.ts`). No IO: headers (paths, git commits) come
 * in as data.
 *
 * Invariants: the output is a function of the inputs only (order by source position and dotted
 * name, never by map or file-system order); each emitted statement is its source text with only
 * identifier spans and substituted decorator values replaced; no two modules contribute a
 * definition of the same name.
 */
import { collect } from './collect.js';
import { checkCollisions } from './collisions.js';
import type { RenderDiagnostic } from './diagnostics.js';
import { emitContract, type Emitted } from './emit.js';
import type { SectionHeader } from './headers.js';
import { mergeImports } from './merge-imports.js';
import type { PyModule } from './module.js';
import { dependencyOrder, renderScope } from './naming.js';
import { checkApi, templateLayout } from './template.js';

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
  sections: Emitted['sections'];
}

export function renderContract(input: RenderInput): RenderOutput {
  const { template, features } = input;
  const scope = renderScope(template, features);
  const ordered = dependencyOrder(features);
  const all = [template, ...ordered];
  const layout = templateLayout(template);
  const collected = collect(scope, all, layout.early);
  const imports = mergeImports(all, collected.usedImports, collected.needsAny);
  const errors = [
    ...checkApi(template),
    ...collected.errors,
    ...imports.errors,
    ...checkCollisions(all, collected.selected, imports.locals, scope.renamed),
  ];
  if (errors.length > 0) return { text: null, errors: sortDiagnostics(errors), sections: [] };
  const emitted = emitContract({
    version: input.version,
    template,
    ordered,
    layout,
    collected,
    imports: imports.text,
    header: input.header,
  });
  return { ...emitted, errors: [] };
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
