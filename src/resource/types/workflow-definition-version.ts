import { parse as parseYaml } from 'yaml';
import type { Fields, ResourceTypeSpec } from '../spec.js';

/** What the server and the client read from a workflow specification (YAML). */
export type SpecificationFacts =
  | { ok: true; definitionVersion: string; name: string | undefined }
  | { ok: false; problem: 'yaml'; message: string }
  | { ok: false; problem: 'definition_version' };

/** A definition version becomes part of an id: letters, digits, `_ . : -` (a number reads as its text). */
export function isDefinitionVersion(value: unknown): value is string | number {
  return (typeof value === 'string' || typeof value === 'number') && /^[A-Za-z0-9_.:-]+$/.test(String(value));
}

export function readSpecification(specification: string): SpecificationFacts {
  let doc: unknown;
  try {
    doc = parseYaml(specification);
  } catch (e) {
    return { ok: false, problem: 'yaml', message: (e as Error).message.split('\n')[0] ?? 'invalid YAML' };
  }
  const fields = doc !== null && typeof doc === 'object' ? (doc as Fields) : {};
  const dv = fields['definition_version'];
  if (!isDefinitionVersion(dv)) return { ok: false, problem: 'definition_version' };
  const name = fields['name'];
  return { ok: true, definitionVersion: String(dv), name: typeof name === 'string' ? name : undefined };
}

/** `<definition_version>,<workflow_definition_id>`: known before the version is created. */
export function workflowVersionId(object: Fields): string | undefined {
  const { specification, workflow_definition_id: workflow } = object;
  if (typeof specification !== 'string' || typeof workflow !== 'string') return undefined;
  const facts = readSpecification(specification);
  return facts.ok ? `${facts.definitionVersion},${workflow}` : undefined;
}

const DEFAULT_VERSION = 'default_workflow_definition_version_id';

/** Activation makes a version its workflow definition's default version. */
export const workflowDefinitionVersion: ResourceTypeSpec = {
  type: 'WORKFLOW_DEFINITION_VERSION',
  schema: 'types/workflow_definition_version',
  payloadKey: 'workflow_definition_version',
  plural: 'workflow-definition-versions',
  paths: {
    create: '/v1/workflow-definition-versions',
    get: '/v1/workflow-definition-versions/{id}',
    list: '/v1/workflow-definition-versions',
    batchGet: '/v1/workflow-definition-versions:batchGet',
  },
  listKey: 'workflow_definition_versions',
  idField: null,
  views: null,
  derivedId: workflowVersionId,
  parent: { field: 'workflow_definition_id', filter: 'workflow_definition_id' },
  match: { scope: 'all', keys: [{ by: 'id' }] },
  update: null,
  immutable: true,
  activation: {
    targetField: 'workflow_definition_id',
    targetKind: 'WORKFLOW_DEFINITION',
    targetPath: '/v1/workflow-definitions/{id}',
    currentField: DEFAULT_VERSION,
    request: (workflow, versionId, requestId) => ({
      method: 'PUT',
      path: `/v1/workflow-definitions/${encodeURIComponent(workflow)}`,
      body: {
        request_id: requestId,
        workflow_definition: { [DEFAULT_VERSION]: versionId },
        update_mask: { paths: [DEFAULT_VERSION] },
      },
    }),
  },
  references: [],
  priority: 13,
  responseFields: ['id', 'workflow_definition_id', 'specification', 'create_timestamp'],
};
