/**
 * An environment's configuration as comparable records: every object of every resource type,
 * under a key that is the same in every environment (its id where the client chooses it; for
 * server-generated ids what it is: a product version is `<product>@<version>`, a contract module
 * its display name, a module version its module and code, a link its product version), with the
 * server's own fields left out and references to server-generated ids written as those keys.
 */
import type { VaultClient } from '../client/client.js';
import { RESOURCE_TYPES, resourceSpec, type ResourceType } from '../resource/index.js';
import { schemaDocument } from '../schema/index.js';
import { canonicalJson, sha256Hex } from '../util/canonical.js';
import { isRecord } from '../util/record.js';
import { listAll } from '../deploy/environment.js';
import { activationOf, versionText, type Obj } from './remote.js';

export interface SnapshotObject {
  type: ResourceType;
  key: string;
  id: string;
  /** The object without server fields, references as keys. */
  body: Obj;
}

export interface Snapshot {
  objects: Map<string, SnapshotObject>;
  /** Current (product) and default (workflow) versions, as keys of their versions. */
  current: Map<string, string>;
}

const FIRST = ['CONTRACT_MODULE', 'CONTRACT_MODULE_VERSION', 'SMART_CONTRACT_VERSION'];

/** The fields the server adds to each type's objects (schemas/api/config.schema.json serverFields). */
function serverFields(type: ResourceType): Set<string> {
  const defs = schemaDocument('api/config')['$defs'] as Obj;
  const fields = ((defs['serverFields'] as Obj)['properties'] as Obj)[type];
  const names = isRecord(fields) && isRecord(fields['properties']) ? Object.keys(fields['properties']) : [];
  const spec = resourceSpec(type);
  // An id the client chose is part of the definition; a generated one is not.
  return new Set(names.filter((n) => !(n === 'id' && (spec.idField !== null || spec.derivedId))));
}

function ordered(): ResourceType[] {
  return [...(FIRST as ResourceType[]), ...RESOURCE_TYPES.filter((t) => !FIRST.includes(t))];
}

async function listType(client: VaultClient, type: ResourceType): Promise<Obj[]> {
  const spec = resourceSpec(type);
  return listAll(client, spec.paths.list, spec.views ? { view: spec.views.full } : {});
}

function keyOf(type: ResourceType, o: Obj, keys: Map<string, string>): string {
  const s = (k: string): string => (typeof o[k] === 'string' ? (o[k] as string) : '');
  switch (type) {
    case 'SMART_CONTRACT_VERSION':
      return `${s('product_id')}@${versionText(o)}`;
    case 'CONTRACT_MODULE':
      return s('display_name');
    case 'CONTRACT_MODULE_VERSION':
      return `${keys.get(s('contract_module_id')) ?? s('contract_module_id')}#${sha256Hex(s('code')).slice(0, 12)}`;
    case 'SMART_CONTRACT_MODULE_VERSIONS_LINK':
      return keys.get(s('smart_contract_version_id')) ?? s('smart_contract_version_id');
    default:
      return s('id');
  }
}

/** `value` with every string that is a generated id replaced by its key. */
function translated(value: unknown, keys: Map<string, string>): unknown {
  if (typeof value === 'string') return keys.get(value) ?? value;
  if (Array.isArray(value)) return value.map((v) => translated(v, keys));
  if (isRecord(value))
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, translated(v, keys)]));
  return value;
}

export async function readSnapshot(client: VaultClient): Promise<Snapshot> {
  const objects = new Map<string, SnapshotObject>();
  /** Server-generated ids -> keys. */
  const keys = new Map<string, string>();
  for (const type of ordered()) {
    const hidden = serverFields(type);
    const generated = resourceSpec(type).idField === null && !resourceSpec(type).derivedId;
    for (const o of await listType(client, type)) {
      const key = keyOf(type, o, keys);
      const id = String(o['id'] ?? key);
      if (generated) keys.set(id, key);
      const body = Object.fromEntries(Object.entries(o).filter(([k]) => !hidden.has(k)));
      objects.set(`${type} ${key}`, { type, key, id, body: translated(body, keys) as Obj });
    }
  }
  const current = new Map<string, string>();
  for (const p of await listAll(client, '/v1/products')) {
    const v = String(p[activationOf('product').currentField] ?? '');
    current.set(`product ${String(p['id'])}`, keys.get(v) ?? v);
  }
  const workflows = new Set(
    [...objects.values()]
      .filter((o) => o.type === 'WORKFLOW_DEFINITION_VERSION')
      .map((o) => String(o.body['workflow_definition_id'])),
  );
  for (const id of workflows) {
    const wf = (await client.request<Obj>('GET', `/v1/workflow-definitions/${encodeURIComponent(id)}`)).body;
    current.set(`workflow ${id}`, String(wf[activationOf('workflow').currentField] ?? ''));
  }
  return { objects, current };
}

/** Top-level fields whose values differ (canonical JSON). */
export function differingFields(
  a: Obj,
  b: Obj,
): Array<{ field: string; from: string | null; to: string | null }> {
  const out: Array<{ field: string; from: string | null; to: string | null }> = [];
  for (const field of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
    const from = field in a ? canonicalJson(a[field]) : null;
    const to = field in b ? canonicalJson(b[field]) : null;
    if (from !== to) out.push({ field, from, to });
  }
  return out;
}
