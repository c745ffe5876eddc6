/** Findings as a compiler prints them: `path:line:col: error E_CODE message`, then the hint. */
import { findingJson, type FindingJson, type ValidateResult } from '../validate/validate.js';
import type { Finding } from '../findings.js';
import type { Style } from './style.js';

export function formatFinding(f: FindingJson, style: Style): string {
  const sev = f.severity === 'error' ? style.red('error') : style.yellow('warning');
  let out = `${f.file}:${f.line}:${f.column}: ${sev} ${style.bold(f.code)} ${f.message}`;
  if (f.hint) out += `\n  ${style.dim(`hint: ${f.hint}`)}`;
  return out;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function formatValidateResult(result: ValidateResult, style: Style, quiet = false): string {
  const lines = result.findings
    .filter((f) => !quiet || f.severity === 'error')
    .map((f) => formatFinding(f, style));
  const s = result.summary;
  const status = result.status === 'VALID' ? style.green('VALID') : style.red('INVALID');
  lines.push(
    `${plural(s.packs, 'pack')}, ${plural(s.resources, 'resource')}: ${plural(s.errors, 'error')}, ${plural(s.warnings, 'warning')} (${s.duration_ms} ms) ${status}`,
  );
  return lines.join('\n');
}

/** Findings on stderr for commands whose stdout carries another result (graph, convert, plan, import). */
export function writeFindings(findings: readonly Finding[], style: Style, quiet: boolean): void {
  for (const f of findings) {
    if (!quiet || f.severity === 'error') process.stderr.write(`${formatFinding(findingJson(f), style)}\n`);
  }
}
