/** No two modules may contribute a top-level definition of one output name, nor shadow an import. */
import { diagnostic, type RenderDiagnostic } from './diagnostics.js';
import type { MergedImports } from './merge-imports.js';
import type { PyModule } from './module.js';
import type { RenderScope } from './naming.js';

/** No two modules may contribute a top-level definition of one name, nor shadow an import. */
export function checkCollisions(
  modules: PyModule[],
  selected: ReadonlyMap<PyModule, ReadonlySet<number>>,
  imports: MergedImports['locals'],
  renamed: RenderScope['renamed'],
): RenderDiagnostic[] {
  const errors: RenderDiagnostic[] = [];
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
  return errors;
}
