/**
 * The merged import block: one `from contracts_api import (...)` with every name a selected
 * statement uses (first-seen order), then the standard modules in their fixed order; a local name
 * imported from two different places is refused.
 */
import { diagnostic, type RenderDiagnostic } from './diagnostics.js';
import { STANDARD_MODULE_ORDER, type ImportBinding } from './imports.js';
import type { PyModule } from './module.js';

export interface MergedImports {
  text: string;
  /** Local name -> where it is imported. */
  locals: Map<string, { module: PyModule; binding: ImportBinding }>;
  /** Two modules importing one local name from different places. */
  errors: RenderDiagnostic[];
}

/** One `from contracts_api import (...)`, then the standard modules in their fixed order. */
export function mergeImports(
  modules: PyModule[],
  used: ReadonlySet<ImportBinding>,
  needsAny: boolean,
): MergedImports {
  const errors: RenderDiagnostic[] = [];
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
  return { text, locals, errors };
}
