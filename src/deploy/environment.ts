/**
 * What an environment already holds, read with a handful of list calls per resource type (not one
 * call per resource), and how a pack's resource is matched to an existing object: by its id where
 * the client chooses ids, by natural key where the server generates them.
 */
import { isRecord } from '../util/record.js';
import { canonicalJson } from '../util/canonical.js';
import { withoutUnset } from '../schema/unset.js';
import type { VaultClient } from '../client/client.js';

export type ServerObject = Record<string, unknown>;

const PAGE_SIZE = 1000;

/** Every object of a list endpoint, following page tokens. */
export async function listAll(
  client: VaultClient,
  path: string,
  query: Record<string, string | string[]> = {},
): Promise<ServerObject[]> {
  const out: ServerObject[] = [];
  let token = '';
  for (;;) {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query))
      for (const x of Array.isArray(v) ? v : [v]) params.append(k, x);
    params.set('page_size', String(PAGE_SIZE));
    if (token) params.set('page_token', token);
    const { body } = await client.request<Record<string, unknown>>('GET', `${path}?${params.toString()}`);
    const list = Object.values(body ?? {}).find((v): v is unknown[] => Array.isArray(v)) ?? [];
    for (const o of list) if (isRecord(o)) out.push(o);
    token = typeof body?.next_page_token === 'string' ? body.next_page_token : '';
    if (!token) return out;
  }
}

export interface FieldChange {
  field: string;
  /** The server's value (canonical JSON), or undefined when the object lacks the field. */
  from: string | undefined;
  to: string;
}

/**
 * Fields of `sent` whose value differs on the server object; fields only the server has are
 * ignored, and a null on the server is the same as no value (null means unset).
 */
export function diffFields(
  sent: Record<string, unknown>,
  existing: ServerObject,
  prefix = '',
): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const [k, v] of Object.entries(sent)) {
    const to = canonicalJson(v);
    const had = Object.hasOwn(existing, k) ? existing[k] : undefined;
    const from = had === undefined || had === null ? undefined : canonicalJson(withoutUnset(had));
    if (from !== to) changes.push({ field: `${prefix}${k}`, from, to });
  }
  return changes;
}
