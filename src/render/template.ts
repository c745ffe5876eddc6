/**
 * The template's own layout in the output: its metadata first (in a fixed order), then its hooks
 * (in a fixed order), then the rest in source order; and its `api` version.
 */
import { diagnostic, type RenderDiagnostic } from './diagnostics.js';
import { assignedValue, type PyModule, type Statement } from './module.js';
import type { PyNode as Node } from './syntax.js';

/** Template metadata, emitted first in this order (renderer.md, Output 4). */
export const METADATA_NAMES = [
  'api',
  'version',
  'display_name',
  'summary',
  'explanation',
  'tside',
  'supervised_smart_contracts',
  'supported_denominations',
  'events_timezone',
  'contract_module_imports',
  'global_parameters',
] as const;

/** Hooks, emitted after the metadata in this order. */
export const HOOK_NAMES = [
  'activation_hook',
  'conversion_hook',
  'deactivation_hook',
  'derived_parameter_hook',
  'post_parameter_change_hook',
  'post_posting_hook',
  'pre_parameter_change_hook',
  'pre_posting_hook',
  'scheduled_event_hook',
] as const;

export interface TemplateLayout {
  metadata: Statement[];
  hooks: Statement[];
  /** Metadata and hooks: what comes before any feature section. */
  early: ReadonlySet<Statement>;
  /** Everything else, in source order. */
  rest: Statement[];
}

export function templateLayout(template: PyModule): TemplateLayout {
  const metadata: Statement[] = [];
  for (const name of METADATA_NAMES)
    metadata.push(...template.statements.filter((s) => metadataName(s) === name));
  const hooks: Statement[] = [];
  for (const name of HOOK_NAMES)
    hooks.push(...template.statements.filter((s) => s.kind === 'def' && s.name === name));
  const early = new Set([...metadata, ...hooks]);
  return { metadata, hooks, early, rest: template.statements.filter((s) => !early.has(s)) };
}

/** The metadata name a statement assigns (`api = ...`), or null. */
function metadataName(s: Statement): string | null {
  if (s.kind !== 'assign') return null;
  const assignment = s.node.namedChildren[0];
  const left = assignment?.childForFieldName('left');
  const right = assignment?.childForFieldName('right');
  if (left?.type !== 'identifier' || right === null || right === undefined || right.type === 'assignment')
    return null;
  return (METADATA_NAMES as readonly string[]).includes(left.text) ? left.text : null;
}

/** The template must say `api = "4.x.y"`: only Contracts API 4 templates are rendered. */
export function checkApi(template: PyModule): RenderDiagnostic[] {
  const api = templateApi(template);
  if (api === null) {
    return [
      diagnostic(
        'E_RENDER_API',
        template.display,
        { line: 1, column: 1 },
        'the template has no module-level api = "4.x.y"',
        'only Contracts API 4 templates are supported: add api = "4.0.0"',
      ),
    ];
  }
  if (/^4\./.test(api.value)) return [];
  return [
    diagnostic(
      'E_RENDER_API',
      template.display,
      template.source.location(api.node.startPosition),
      `api = "${api.value}": only Contracts API 4 templates are supported`,
      'port the template to Contracts API 4 (api = "4.x.y")',
    ),
  ];
}

/** Module-level `api = "..."` of the template (the last binding), or null. */
function templateApi(template: PyModule): { value: string; node: Node } | null {
  const defs = template.definitions.get('api');
  const s = defs === undefined ? undefined : template.statements[defs[defs.length - 1] ?? -1];
  const value = s === undefined ? null : assignedValue(s, 'api');
  if (value === null || value.type !== 'string' || value.descendantsOfType('interpolation').length > 0)
    return null;
  const text = value.text.replace(/^[rRuU]?(['"]{1,3})/, '').replace(/(['"]{1,3})$/, '');
  return { value: text, node: value };
}
