import { basename, dirname, join } from 'node:path';

/**
 * Where `strata render` writes a template's contract, and so where a pack's `code: @{...}` should
 * point: `contracts/template/x.py` -> `contracts/x_rendered.py`, otherwise beside the template.
 */
export function renderedContractPath(template: string): string {
  const dir = dirname(template);
  const stem = basename(template).replace(/\.py$/, '');
  return join(basename(dir) === 'template' ? dirname(dir) : dir, `${stem}_rendered.py`);
}
