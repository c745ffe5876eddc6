/**
 * Text output of plan and import: one line per resource in import order, the activations, the
 * resources skipped as unsupported types (with the reason), a summary and the status word. Under
 * --quiet only what failed and the status word. Server text and pack ids are escaped.
 */
import type { ImportResult, PlanResult } from '../deploy/import.js';
import type { SkippedJson } from '../validate/validate.js';
import type { Style } from './style.js';
import { printable } from './text.js';

const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));

/** One resource's line; `what` is styled by the caller, with any pack or server text in it escaped. */
const line = (type: string, id: string, what: string) =>
  `${pad(printable(type, true), 36)} ${pad(printable(id, true), 40)} ${what}`;
const safe = (text: string) => printable(text, true);

function skippedLines(skipped: SkippedJson[], style: Style): string[] {
  return skipped.map((s) => line(s.resource_type, s.resource_id, style.dim(`skipped: ${safe(s.reason)}`)));
}

function skippedPart(n: number): string[] {
  return n > 0 ? [`${n} skipped (unsupported type)`] : [];
}

export function formatImportResult(result: ImportResult, style: Style, quiet = false): string {
  const lines: string[] = [];
  for (const [id, r] of Object.entries(result.import)) {
    const failed = r.action === 'failed' || r.action === 'blocked';
    if (quiet && !failed) continue;
    let what: string = r.action;
    if (r.action === 'failed') what = style.red(`failed: ${safe(r.error?.message ?? 'error')}`);
    else if (r.action === 'blocked')
      what = style.yellow(`blocked by ${safe((r.blocked_by ?? []).join(', '))}`);
    else if (r.action === 'created' || r.action === 'updated') what = style.green(r.action);
    lines.push(
      line(
        r.resource_type,
        id,
        `${what}${r.vault_id && r.vault_id !== id ? style.dim(` (${safe(r.vault_id)})`) : ''}`,
      ),
    );
  }
  for (const a of result.activations) {
    if (quiet && a.action !== 'failed' && a.action !== 'pending') continue;
    const what =
      a.action === 'failed'
        ? style.red(`activation failed: ${safe(a.error?.message ?? '')}`)
        : a.action === 'pending'
          ? style.yellow(`pending approval: strata approve ${safe(a.activation_request_id ?? '')}`)
          : a.action;
    lines.push(
      line(
        a.resource_type,
        a.resource_id,
        `${what}${a.version_id ? style.dim(` (${safe(`${a.target} -> ${a.version_id}`)})`) : ''}`,
      ),
    );
  }
  if (!quiet) lines.push(...skippedLines(result.skipped, style));
  const status = statusWord(result.status, style);
  if (quiet) return [...lines, status].join('\n');
  const c = result.summary.counts;
  const parts = [...Object.entries(c).map(([k, v]) => `${v} ${k}`), ...skippedPart(result.summary.skipped)];
  lines.push(
    `${parts.join(', ') || 'nothing to import'} in ${result.summary.duration_ms} ms${result.run_id ? ` (run ${result.run_id})` : ''}${result.summary.interrupted ? ', interrupted' : ''}`,
  );
  lines.push(status);
  return lines.join('\n');
}

function statusWord(status: ImportResult['status'], style: Style): string {
  if (status === 'SUCCESS') return style.green(status);
  return status === 'FAILURE' ? style.red(status) : style.yellow(status);
}

export function formatPlanResult(result: PlanResult, style: Style, quiet = false): string {
  const lines: string[] = [];
  for (const [id, r] of Object.entries(result.plan)) {
    if (quiet && r.action !== 'conflict' && !r.error) continue;
    const colour = r.action === 'unchanged' ? style.dim : r.action === 'conflict' ? style.red : style.green;
    const version = r.version
      ? style.dim(
          safe(
            ` version ${r.version.version}${r.version.current_version ? ` (current ${r.version.current_version})` : ''}`,
          ),
        )
      : '';
    lines.push(line(r.resource_type, id, `${colour(r.action)}${version}`));
    if (quiet) continue;
    for (const c of r.changes)
      lines.push(printable(`    ${c.field}: ${c.from ?? '(absent)'} -> ${c.to}`, true));
    if (r.error) lines.push(`    ${style.red(printable(r.error.message, true))}`);
  }
  for (const a of result.activations) {
    if (a.action === 'activate' && !quiet)
      lines.push(
        line(
          a.resource_type,
          a.resource_id,
          `${style.green('activate')} ${style.dim(safe(`${a.target}: ${a.previous_version_id ?? 'none'} -> ${a.version_id ?? 'new version'}`))}`,
        ),
      );
    else if (a.action === 'drift')
      lines.push(
        `${pad(a.resource_type, 36)} ${pad(a.resource_id, 40)} ${style.yellow('drift')} ${style.dim(`${a.target}: ${a.previous_version_id ?? 'none'} is active, the pack activates ${a.version_id ?? ''} (import --activate-on-import, or strata activate)`)}`,
      );
  }
  const statusLine = result.status === 'NO CHANGES' ? style.dim(result.status) : style.yellow(result.status);
  if (quiet) return [...lines, statusLine].join('\n');
  lines.push(...skippedLines(result.skipped, style));
  const parts = [
    ...Object.entries(result.summary.counts).map(([k, v]) => `${v} ${k}`),
    ...skippedPart(result.summary.skipped),
  ];
  lines.push(`${parts.join(', ') || 'nothing'} (${result.summary.duration_ms} ms)`);
  lines.push(statusLine);
  return lines.join('\n');
}
