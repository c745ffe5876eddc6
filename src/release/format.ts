/** Text for people of the release commands' results (JSON results are the typed objects). */
import type { Style } from '../ui/style.js';
import { printable } from '../ui/text.js';
import type { ActivationPlan } from './actions.js';
import type { ActivationView, RequestView, TargetView } from './remote.js';

function when(iso: string | null): string {
  return iso === null || iso === '' ? '-' : iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_c, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function formatVersions(targets: readonly TargetView[], style: Style): string {
  if (targets.length === 0) return 'no products';
  return targets
    .map((t) => {
      const title = `${t.kind === 'product' ? 'product' : 'workflow'} ${style.bold(printable(t.id, true))}${t.display_name && t.display_name !== t.id ? ` (${printable(t.display_name, true)})` : ''}`;
      const rows = [['', 'VERSION', 'ID', 'CREATED', ...(t.kind === 'product' ? ['ACCOUNTS'] : [])]];
      for (const v of t.versions) {
        rows.push([
          v.current ? '*' : '',
          printable(v.version, true),
          printable(v.id, true),
          when(v.create_timestamp),
          ...(t.kind === 'product' ? [v.accounts === null ? '-' : String(v.accounts)] : []),
        ]);
      }
      return `${title}\n${table(rows)
        .split('\n')
        .map((l) => `  ${l}`)
        .join('\n')}`;
    })
    .join('\n\n');
}

/** The change an activation would make, as shown before confirming. */
export function formatPlan(plan: ActivationPlan, pending: boolean): string {
  const what = plan.kind === 'product' ? `product ${plan.target}` : `workflow ${plan.target}`;
  const from = plan.from === null ? 'no version' : `${plan.from.version} (${plan.from.id})`;
  const lines = [
    `${printable(what, true)}: ${printable(from, true)} -> ${printable(`${plan.to.version} (${plan.to.id})`, true)}`,
  ];
  if (plan.kind === 'product')
    lines.push(
      `  new accounts will open on ${printable(plan.to.version, true)}; existing accounts stay on their version`,
    );
  if (plan.reason !== '') lines.push(`  reason: ${printable(plan.reason, true)}`);
  if (pending)
    lines.push(
      '  this server requires approval: the activation will wait for another person (strata approve)',
    );
  return lines.join('\n');
}

export function formatActivation(
  r: {
    status: string;
    target: string;
    to_version: string;
    activation_request_id: string | null;
    replayed: boolean;
  },
  style: Style,
): string {
  const target = printable(r.target, true);
  const version = printable(r.to_version, true);
  switch (r.status) {
    case 'ALREADY_CURRENT':
      return `${target}: ${version} is already active; nothing to do`;
    case 'PENDING_APPROVAL':
      return `${style.yellow('PENDING APPROVAL')} ${target} -> ${version}: request ${r.activation_request_id ?? ''}${r.replayed ? ' (already requested)' : ''}\n  another person approves it: strata approve ${r.activation_request_id ?? ''}`;
    case 'CANCELLED':
      return `cancelled: nothing was done`;
    default:
      return `${style.green('ACTIVATED')} ${target} -> ${version}${r.replayed ? ' (already done by an earlier run)' : ''}`;
  }
}

export interface NamedActivation extends ActivationView {
  from_version: string | null;
  to_version: string;
}

export function formatHistory(activations: readonly NamedActivation[]): string {
  if (activations.length === 0) return 'no activations';
  const rows = [['WHEN', 'TARGET', 'FROM', 'TO', 'WHO', 'APPROVED BY', 'REASON']];
  for (const a of activations) {
    rows.push([
      when(a.create_timestamp),
      printable(a.target, true),
      printable(a.from_version ?? '-', true),
      printable(a.to_version, true),
      printable(a.actor || '-', true),
      printable(a.approved_by ?? '-', true),
      printable(a.reason || `(${a.cause})`, true),
    ]);
  }
  return table(rows);
}

export interface NamedRequest extends RequestView {
  from_version: string | null;
  to_version: string;
  /** Someone activated another version since: approval would be refused. */
  stale: boolean;
}

export function formatRequests(requests: readonly NamedRequest[], all: boolean): string {
  if (requests.length === 0) return all ? 'no activation requests' : 'no activation requests pending';
  const rows = [['ID', 'STATUS', 'TARGET', 'FROM', 'TO', 'REQUESTED BY', 'WHEN', 'REASON']];
  for (const r of requests) {
    rows.push([
      printable(r.id, true),
      r.status === 'PENDING' && r.stale ? 'PENDING (stale)' : r.status,
      printable(r.target, true),
      printable(r.from_version ?? '-', true),
      printable(r.to_version, true),
      printable(r.requested_by, true),
      when(r.create_timestamp),
      printable(r.reason || '-', true),
    ]);
  }
  return table(rows);
}

export function formatRequest(r: NamedRequest): string {
  const lines = [
    `activation request ${printable(r.id, true)} (${r.status}${r.stale ? ', stale' : ''})`,
    `  ${r.kind} ${printable(r.target, true)}: ${printable(r.from_version ?? 'no version', true)} -> ${printable(r.to_version, true)}`,
    `  requested by ${printable(r.requested_by, true)} at ${when(r.create_timestamp)}${r.reason ? `: ${printable(r.reason, true)}` : ''}`,
  ];
  if (r.decided_by)
    lines.push(
      `  ${r.status.toLowerCase()} by ${printable(r.decided_by, true)}${r.decision_reason ? `: ${printable(r.decision_reason, true)}` : ''}`,
    );
  return lines.join('\n');
}
