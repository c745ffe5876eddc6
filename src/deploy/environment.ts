/**
 * What an environment already holds, read with a handful of list calls per resource type (not one
 * call per resource), and the existing object a pack's resource corresponds to: the one with the
 * same natural key (resource registry), among the type's objects or its parent's.
 */
import { isRecord } from '../util/record.js';
import { canonicalJson } from '../util/canonical.js';
import { withoutUnset } from '../schema/unset.js';
import type { VaultClient } from '../client/client.js';
import { resourceSpec, type ListParent, type NaturalKey, type ResourceType } from '../resource/index.js';
import { naturalKeyOf, objectKey, type MatchSubject } from '../resource/keys.js';

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

/** The parent of types matched among their parent's objects (listed in batches of parents). */
export function matchParent(type: ResourceType): ListParent | null {
  const spec = resourceSpec(type);
  return spec.match.scope === 'parent' ? spec.parent : null;
}
const IDS_PER_LIST = 50;

/**
 * What the environment held when the run started, read once: one paginated list per type, or, for
 * types listed under a parent, one list per 50 parents. Objects this run creates are not looked
 * up again (the run knows them from the responses), so nothing is re-listed after a write.
 */
export class Environment {
  #lists = new Map<string, Promise<ServerObject[]>>();
  #indexes = new Map<string, Promise<Map<string, ServerObject>>>();
  /** Objects of a type listed by parent: parents still to list, and each listed parent's objects. */
  #byParent = new Map<
    ResourceType,
    { pending: Set<string>; fetched: Map<string, Promise<ServerObject[]>> }
  >();

  constructor(private readonly client: VaultClient) {}

  /** Every object at a list path, read once. */
  #list(path: string): Promise<ServerObject[]> {
    let p = this.#lists.get(path);
    if (!p) {
      p = listAll(this.client, path);
      this.#lists.set(path, p);
    }
    return p;
  }

  /** The objects at a list path by natural key (the first object with a key wins), so each lookup is not a scan. */
  #byKey(path: string, key: NaturalKey): Promise<Map<string, ServerObject>> {
    const name = `${path}\u0000${JSON.stringify(key)}`;
    let p = this.#indexes.get(name);
    if (!p) {
      p = this.#list(path).then((objects) => {
        const index = new Map<string, ServerObject>();
        for (const o of objects) {
          const value = objectKey(key, o);
          if (value !== undefined && !index.has(value)) index.set(value, o);
        }
        return index;
      });
      this.#indexes.set(name, p);
    }
    return p;
  }

  /** Announces the parents a pack will ask about, so they are listed together. */
  expect(type: ResourceType, parent: string): void {
    let entry = this.#byParent.get(type);
    if (!entry) this.#byParent.set(type, (entry = { pending: new Set(), fetched: new Map() }));
    if (!entry.fetched.has(parent)) entry.pending.add(parent);
  }

  /** Objects of `type` under `parent`, listed with up to 49 other pending parents. */
  async #children(type: ResourceType, parent: string): Promise<ServerObject[]> {
    const filter = matchParent(type) as ListParent;
    this.expect(type, parent);
    const entry = this.#byParent.get(type)!;
    if (!entry.fetched.has(parent)) {
      // List this parent together with up to 49 others still pending.
      const batch = [parent];
      for (const p of entry.pending) {
        if (batch.length >= IDS_PER_LIST) break;
        if (p !== parent) batch.push(p);
      }
      const query: Record<string, string | string[]> = { [filter.filter]: batch };
      const views = resourceSpec(type).views;
      if (views) query.view = views.full;
      // Grouped once by parent, not filtered once per parent.
      const grouped = listAll(this.client, resourceSpec(type).paths.list, query).then((objects) => {
        const groups = new Map<unknown, ServerObject[]>();
        for (const o of objects) {
          const list = groups.get(o[filter.field]);
          if (list) list.push(o);
          else groups.set(o[filter.field], [o]);
        }
        return groups;
      });
      for (const p of batch) {
        entry.pending.delete(p);
        const children = grouped.then((groups) => groups.get(p) ?? []);
        // Awaited later, by the resources of parent p; a failed list must not count as unhandled now.
        children.catch(() => undefined);
        entry.fetched.set(p, children);
      }
    }
    return entry.fetched.get(parent)!;
  }

  /** The existing object a resource corresponds to, if any: the one with the same natural key. */
  async find(type: ResourceType, subject: MatchSubject): Promise<ServerObject | undefined> {
    const spec = resourceSpec(type);
    const natural = naturalKeyOf(spec, subject);
    if (!natural) return undefined;
    const parent = matchParent(type);
    if (parent === null) return (await this.#byKey(spec.paths.list, natural.key)).get(natural.value);
    const parentId = subject.object[parent.field];
    if (typeof parentId !== 'string') return undefined;
    return (await this.#children(type, parentId)).find((o) => objectKey(natural.key, o) === natural.value);
  }
}
