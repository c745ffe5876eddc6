/** Text, JUnit and progress output of plan and import. */
import type { ImportResult, PlanResult } from '../deploy/import.js';
import type { Style } from './style.js';

const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));

export function formatImportResult(result: ImportResult, style: Style): string {
  const lines: string[] = [];
  for (const [id, r] of Object.entries(result.import)) {
    let what: string = r.action;
    if (r.action === 'failed') what = style.red(`failed: ${r.error?.message ?? 'error'}`);
    else if (r.action === 'blocked') what = style.yellow(`blocked by ${(r.blocked_by ?? []).join(', ')}`);
    else if (r.action === 'created' || r.action === 'updated') what = style.green(r.action);
    lines.push(
      `${pad(r.resource_type, 36)} ${pad(id, 40)} ${what}${r.vault_id && r.vault_id !== id ? style.dim(` (${r.vault_id})`) : ''}`,
    );
  }
  for (const a of result.activations) {
    const what =
      a.action === 'failed'
        ? style.red(`activation failed: ${a.error?.message ?? ''}`)
        : a.action === 'pending'
          ? style.yellow(`pending approval: strata approve ${a.activation_request_id ?? ''}`)
          : a.action;
    lines.push(
      `${pad(a.resource_type, 36)} ${pad(a.resource_id, 40)} ${what}${a.version_id ? style.dim(` (${a.target} -> ${a.version_id})`) : ''}`,
    );
  }
  const c = result.summary.counts;
  const parts = Object.entries(c).map(([k, v]) => `${v} ${k}`);
  const status =
    result.status === 'SUCCESS'
      ? style.green(result.status)
      : result.status === 'FAILURE'
        ? style.red(result.status)
        : style.yellow(result.status);
  lines.push(
    `${parts.join(', ') || 'nothing to import'} in ${result.summary.duration_ms} ms${result.run_id ? ` (run ${result.run_id})` : ''}${result.summary.interrupted ? ', interrupted' : ''}`,
  );
  lines.push(status);
  return lines.join('\n');
}

export function formatPlanResult(result: PlanResult, style: Style): string {
  const lines: string[] = [];
  for (const [id, r] of Object.entries(result.plan)) {
    const colour = r.action === 'unchanged' ? style.dim : r.action === 'conflict' ? style.red : style.green;
    const version = r.version
      ? style.dim(
          ` version ${r.version.version}${r.version.current_version ? ` (current ${r.version.current_version})` : ''}`,
        )
      : '';
    lines.push(`${pad(r.resource_type, 36)} ${pad(id, 40)} ${colour(r.action)}${version}`);
    for (const c of r.changes) lines.push(`    ${c.field}: ${c.from ?? '(absent)'} -> ${c.to}`);
    if (r.error) lines.push(`    ${style.red(r.error.message)}`);
  }
  for (const a of result.activations) {
    if (a.action === 'activate')
      lines.push(
        `${pad(a.resource_type, 36)} ${pad(a.resource_id, 40)} ${style.green('activate')} ${style.dim(`${a.target}: ${a.previous_version_id ?? 'none'} -> ${a.version_id ?? 'new version'}`)}`,
      );
    else if (a.action === 'drift')
      lines.push(
        `${pad(a.resource_type, 36)} ${pad(a.resource_id, 40)} ${style.yellow('drift')} ${style.dim(`${a.target}: ${a.previous_version_id ?? 'none'} is active, the pack activates ${a.version_id ?? ''} (import --activate-on-import, or strata activate)`)}`,
      );
  }
  const parts = Object.entries(result.summary.counts).map(([k, v]) => `${v} ${k}`);
  lines.push(`${parts.join(', ') || 'nothing'} (${result.summary.duration_ms} ms)`);
  lines.push(result.status === 'NO CHANGES' ? style.dim(result.status) : style.yellow(result.status));
  return lines.join('\n');
}

const xml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** One test case per resource, for CI test reports. */
export function junitReport(result: ImportResult): string {
  const cases = Object.entries(result.import).map(([id, r]) => {
    const head = `    <testcase classname="${xml(r.resource_type)}" name="${xml(id)}">`;
    if (r.action === 'failed')
      return `${head}\n      <failure message="${xml(r.error?.message ?? 'failed')}" type="${xml(r.error?.code ?? 'ERROR')}"/>\n    </testcase>`;
    if (r.action === 'blocked')
      return `${head}\n      <skipped message="blocked by ${xml((r.blocked_by ?? []).join(', '))}"/>\n    </testcase>`;
    if (r.action === 'not_started')
      return `${head}\n      <skipped message="not started (interrupted)"/>\n    </testcase>`;
    return `${head}</testcase>`;
  });
  const failures = Object.values(result.import).filter((r) => r.action === 'failed').length;
  const skipped = Object.values(result.import).filter(
    (r) => r.action === 'blocked' || r.action === 'not_started',
  ).length;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>\n  <testsuite name="strata import" tests="${cases.length}" failures="${failures}" skipped="${skipped}" time="${(result.summary.duration_ms / 1000).toFixed(3)}">\n${cases.join('\n')}\n  </testsuite>\n</testsuites>\n`;
}
