/**
 * Render diagnostics: what the renderer refuses, where, and what to write instead. Every code is
 * documented here; the command prints them compiler style (file:line:col: error CODE message).
 */

export type RenderCode =
  /** A template or feature file cannot be read. */
  | 'E_RENDER_READ'
  /** Python syntax error in a template or feature. */
  | 'E_RENDER_SYNTAX'
  /** The template has no `api = "4.x.y"`, or another major version. */
  | 'E_RENDER_API'
  /** An import form the rules do not allow (renderer.md, "Allowed imports"). */
  | 'E_RENDER_IMPORT'
  /** An imported module is neither a feature file under the root nor an allowed standard module. */
  | 'E_RENDER_MODULE'
  /** `alias.name` where the feature module defines no `name`. */
  | 'E_RENDER_DANGLING'
  /** A feature module alias used as a value (`f(utils)`) rather than as `utils.NAME`. */
  | 'E_RENDER_MODULE_VALUE'
  /** A `@requires` / `@fetch_account_data` value that does not resolve to a literal. */
  | 'E_RENDER_DECORATOR'
  /** Two emitted top-level definitions would have the same name. */
  | 'E_RENDER_COLLISION'
  /** Template metadata or a hook signature uses a feature object, which the output defines later. */
  | 'E_RENDER_ORDER'
  /** A name from the contracts-API extension module other than the Vault handle types is used. */
  | 'E_RENDER_EXTENSION';

export interface RenderDiagnostic {
  code: RenderCode;
  /** Path as given by the caller (relative to the working directory when it can be). */
  file: string;
  line: number;
  column: number;
  message: string;
  hint?: string;
}

export function diagnostic(
  code: RenderCode,
  file: string,
  at: { line: number; column: number },
  message: string,
  hint?: string,
): RenderDiagnostic {
  const d: RenderDiagnostic = { code, file, line: at.line, column: at.column, message };
  if (hint !== undefined) d.hint = hint;
  return d;
}
