/** Findings as a compiler prints them: `path:line:col: error E_CODE message`, then the hint. */
import { findingJson, type FindingJson, type ValidateResult } from '../validate/validate.js';
import type { Finding } from '../findings.js';
import type { Style } from './style.js';
import { printable } from './text.js';

const SEVERITY_WORD = { error: 'error', warning: 'warning', note: 'note' } as const;

/** One finding, pack content escaped: a message is one line, control bytes show as \xNN. */
export function formatFinding(f: FindingJson, style: Style): string {
  const word = SEVERITY_WORD[f.severity];
  const sev =
    f.severity === 'error'
      ? style.red(word)
      : f.severity === 'warning'
        ? style.yellow(word)
        : style.dim(word);
  let out = `${printable(f.file, true)}:${f.line}:${f.column}: ${sev} ${style.bold(f.code)} ${printable(f.message, true)}`;
  if (f.hint) out += `\n  ${style.dim(`hint: ${printable(f.hint)}`)}`;
  return out;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** One line per resource import and convert would skip, with the reason. */
function formatSkipped(result: ValidateResult, style: Style): string[] {
  return result.packs.flatMap((p) =>
    p.skipped.map(
      (s) => `${s.file}:${s.line}:${s.column}: ${style.dim('skipped')} ${s.resource_id}: ${s.reason}`,
    ),
  );
}

/** One line per unlisted duplicate id, where its first definition is (validate --verbose). */
function formatUnlistedDuplicates(result: ValidateResult, style: Style): string[] {
  return result.unlisted_duplicates.map(({ id, definitions: [first, ...others] }) => {
    const also = others.map((d) => `${d.file}:${d.line}:${d.column}`).join(', ');
    return `${first?.file}:${first?.line}:${first?.column}: ${style.dim('note')} unlisted id "${id}" is also defined at ${also}`;
  });
}

export function formatValidateResult(
  result: ValidateResult,
  style: Style,
  quiet = false,
  verbose = false,
): string {
  const lines = result.findings
    .filter((f) => !quiet || f.severity === 'error')
    .map((f) => formatFinding(f, style));
  if (verbose && !quiet) lines.push(...formatUnlistedDuplicates(result, style));
  if (!quiet) lines.push(...formatSkipped(result, style));
  const s = result.summary;
  const status = result.status === 'VALID' ? style.green('VALID') : style.red('INVALID');
  lines.push(
    `${plural(s.packs, 'pack')}, ${plural(s.resources, 'resource')}${s.skipped > 0 ? ` (${s.skipped} skipped)` : ''}: ${plural(s.errors, 'error')}, ${plural(s.warnings, 'warning')} (${s.duration_ms} ms) ${status}`,
  );
  return lines.join('\n');
}

/** Findings on stderr for commands whose stdout carries another result (graph, convert, plan, import). */
export function writeFindings(findings: readonly Finding[], style: Style, quiet: boolean): void {
  for (const f of findings) {
    if (!quiet || f.severity === 'error') process.stderr.write(`${formatFinding(findingJson(f), style)}\n`);
  }
}
