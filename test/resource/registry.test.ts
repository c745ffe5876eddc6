/**
 * The registry against the two things it describes: the JSON Schemas (their `x-strata` blocks and
 * payload properties) and the real server (every path answers, lists under the list key, objects
 * carry only the response fields, parents filter, updates and activation targets are served).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  fillPath,
  isResourceType,
  RESOURCE_TYPES,
  resourceSpec,
  typePriority,
  UNSUPPORTED_TYPES,
  type ResourceTypeSpec,
} from '../../src/resource/index.js';
import { schemaDocument } from '../../src/schema/index.js';
import { importPaths } from '../../src/deploy/import.js';
import { DEFAULTS } from '../../src/config/config.js';
import { sqliteServer, type TestServer } from '../deploy/helpers.js';

const root = join(import.meta.dirname, '..', '..');
const specs = RESOURCE_TYPES.map((type) => [type, resourceSpec(type)] as const);

type Json = Record<string, unknown>;

/** The properties a type's schema allows inside its payload object. */
function payloadProperties(spec: ResourceTypeSpec): Set<string> {
  const schema = schemaDocument(spec.schema) as { properties: Record<string, { properties?: Json }> };
  return new Set(Object.keys(schema.properties[spec.payloadKey]?.properties ?? {}));
}

describe.each(specs)('%s in the registry', (type, spec) => {
  it('agrees with its schema (x-strata and payload properties)', () => {
    expect(spec.type).toBe(type);
    expect(spec.schema).toBe(`types/${type.toLowerCase()}`);
    const x = schemaDocument(spec.schema)['x-strata'] as Json;
    expect(x).toEqual({
      type,
      resourceKey: spec.payloadKey,
      plural: spec.plural,
      idField: spec.idField,
      responseFields: [...spec.responseFields],
    });
    const fields = payloadProperties(spec);
    const named = [
      ...(spec.idField === null ? [] : [spec.idField]),
      ...(spec.parent === null ? [] : [spec.parent.field]),
      ...spec.match.keys.flatMap((k) => (k.by === 'fields' ? k.fields : [])),
      ...(spec.update?.groups.flatMap((g) => g.fields) ?? []),
      ...(spec.activation === null ? [] : [spec.activation.targetField]),
      ...spec.references.map((r) => r.field),
    ];
    for (const field of named) expect(fields, field).toContain(field);
  });

  it('has Vault-shaped paths: created at /v1/<plural>, read under it', () => {
    const { create, get, list, batchGet } = spec.paths;
    expect(create).toBe(`/v1/${spec.plural}`);
    expect(get).toBe(`${create}/{id}`);
    expect(batchGet).toBe(`${create}:batchGet`);
    // Only calendars are listed at a path other than the create path.
    expect(list).toBe(type === 'CALENDAR' ? '/v1/calendars' : create);
    if (spec.update) expect(spec.update.path.startsWith(`${create}/{id}`)).toBe(true);
  });

  it('is consistent with itself', () => {
    // What can be updated is not immutable (the immutable-object cache relies on it).
    if (spec.update !== null) expect(spec.immutable).toBe(false);
    // Matching by id needs an id the client can know.
    if (spec.match.keys.some((k) => k.by === 'id')) {
      expect(spec.idField !== null || spec.derivedId !== undefined).toBe(true);
    }
    if (spec.match.scope === 'parent') expect(spec.parent).not.toBeNull();
    expect(spec.match.keys.some((k) => k.by === 'version')).toBe(type === 'SMART_CONTRACT_VERSION');
    expect(spec.responseFields).toContain('id');
  });
});

describe('the registry as a whole', () => {
  it('knows every type once, in import priority order, and no unsupported type', () => {
    const priorities = RESOURCE_TYPES.map((t) => typePriority(t, false));
    expect(new Set(priorities).size).toBe(RESOURCE_TYPES.length);
    // The tie-break order of packs.md 3, internal contract versions before internal accounts.
    const order = [...RESOURCE_TYPES].sort((a, b) => typePriority(a, false) - typePriority(b, false));
    expect(order.indexOf('SMART_CONTRACT_VERSION')).toBeGreaterThan(order.indexOf('INTERNAL_ACCOUNT'));
    expect(typePriority('SMART_CONTRACT_VERSION', true)).toBeLessThan(
      typePriority('INTERNAL_ACCOUNT', false),
    );
    expect(typePriority('SMART_CONTRACT_VERSION', true)).toBeGreaterThan(
      typePriority('CONTRACT_MODULE_VERSION', false),
    );
    for (const t of UNSUPPORTED_TYPES) expect(isResourceType(t), t).toBe(false);
    expect(isResourceType('toString')).toBe(false);
    expect(isResourceType('__proto__')).toBe(false);
  });

  it('only references object kinds that exist', () => {
    for (const [, spec] of specs) {
      for (const ref of spec.references) {
        expect(isResourceType(ref.kind) || ref.kind === 'PRODUCT', `${spec.type}.${ref.field}`).toBe(true);
      }
    }
  });

  it('fills path templates with encoded ids', () => {
    expect(fillPath('/v1/calendar/{id}:updateDetails', 'a b/c')).toBe('/v1/calendar/a%20b%2Fc:updateDetails');
  });
});

describe("the registry against the server's routes", () => {
  let server: TestServer;
  let work: string;
  const get = async (path: string) => {
    const res = await fetch(`${server.url}${path}`, { headers: { 'x-auth-token': server.token } });
    return { status: res.status, body: (await res.json()) as Json };
  };
  const put = async (path: string, body: unknown) => {
    const res = await fetch(`${server.url}${path}`, {
      method: 'PUT',
      headers: { 'x-auth-token': server.token, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Json };
  };
  /** One object of the type, from the imported example library (which holds every type). */
  const first = async (spec: ResourceTypeSpec): Promise<Json> => {
    const { body } = await get(`${spec.paths.list}?page_size=1`);
    return (body[spec.listKey] as Json[])[0] as Json;
  };

  beforeAll(async () => {
    server = await sqliteServer();
    work = mkdtempSync(join(tmpdir(), 'strata-registry-'));
    for (const manifest of ['wallet', 'savings', 'loan']) {
      const result = await importPaths({
        paths: [`packs/library/${manifest}_manifest.yaml`],
        cwd: root,
        dataDir: work,
        target: {
          environment: null,
          url: server.url,
          token: server.token,
          tokenSource: 'test',
          caFile: null,
          concurrency: DEFAULTS.concurrency,
          timeoutMs: 10_000,
          maxRetries: 2,
          activateOnImport: false,
        },
      });
      expect(result.status).toBe('SUCCESS');
    }
  });
  afterAll(async () => {
    await server.close();
    rmSync(work, { recursive: true, force: true });
  });

  it.each(specs)('%s: list, get and batchGet answer at its paths under its list key', async (_type, spec) => {
    const list = await get(spec.paths.list);
    expect(list.status).toBe(200);
    expect(Object.keys(list.body).sort()).toEqual([spec.listKey, 'next_page_token'].sort());
    const objects = list.body[spec.listKey] as Json[];
    expect(objects.length).toBeGreaterThan(0);
    for (const o of objects) {
      for (const field of Object.keys(o)) expect(spec.responseFields, field).toContain(field);
    }
    const object = objects[0] as Json;
    const id = String(object.id);
    expect(await get(fillPath(spec.paths.get, id))).toEqual({ status: 200, body: object });
    expect(await get(`${spec.paths.batchGet}?ids=${encodeURIComponent(id)}`)).toEqual({
      status: 200,
      body: { [spec.listKey]: { [id]: object } },
    });
    const missing = await get(fillPath(spec.paths.get, 'no-such-object'));
    expect(missing.status).toBe(404);
    expect(missing.body.details).toMatchObject({ resource_type: spec.type });
  });

  it.each(specs.filter(([, s]) => s.views !== null))(
    '%s: hides fields unless the full view is asked for',
    async (_type, spec) => {
      const { basic, full, hidden } = spec.views!;
      const id = String((await first(spec)).id);
      for (const path of [fillPath(spec.paths.get, id), `${fillPath(spec.paths.get, id)}?view=${basic}`]) {
        for (const field of hidden) expect((await get(path)).body, path).not.toHaveProperty(field);
      }
      const everything = await get(`${fillPath(spec.paths.get, id)}?view=${full}`);
      for (const field of hidden) expect(everything.body).toHaveProperty(field);
      const listed = await get(`${spec.paths.list}?view=${full}`);
      for (const field of hidden) expect((listed.body[spec.listKey] as Json[])[0]).toHaveProperty(field);
    },
  );

  it.each(specs.filter(([, s]) => s.parent !== null))('%s: lists filter by parent', async (_type, spec) => {
    const object = await first(spec);
    const { field, filter } = spec.parent!;
    const mine = await get(`${spec.paths.list}?${filter}=${encodeURIComponent(String(object[field]))}`);
    expect((mine.body[spec.listKey] as Json[]).map((o) => o.id)).toContain(object.id);
    const none = await get(`${spec.paths.list}?${filter}=no-such-parent`);
    expect(none.body[spec.listKey]).toEqual([]);
  });

  it.each(specs.filter(([, s]) => s.update !== null))(
    '%s: takes updates at its update path',
    async (_type, spec) => {
      const object = await first(spec);
      for (const group of spec.update!.groups) {
        // Fields the object lacks are left out: named in the mask, absent in the values, they stay unset.
        const values = Object.fromEntries(group.fields.filter((f) => f in object).map((f) => [f, object[f]]));
        const res = await put(fillPath(spec.update!.path, String(object.id)), {
          request_id: `registry-${spec.type}-${group.fields.join('-')}`,
          [spec.payloadKey]: values,
          update_mask: { paths: group.fields },
        });
        expect(res.status, JSON.stringify(res.body)).toBe(200);
      }
    },
  );

  it.each(specs.filter(([, s]) => s.update === null))('%s: has no update route', async (_type, spec) => {
    const object = await first(spec);
    const res = await put(fillPath(spec.paths.get, String(object.id)), { request_id: 'r' });
    expect(res.status).toBe(404);
    expect(res.body.message).toMatch(/^no route PUT/);
  });

  it.each(specs.filter(([, s]) => s.activation !== null))(
    '%s: its activation target is served with its current version',
    async (_type, spec) => {
      const activation = spec.activation!;
      const object = await first(spec);
      const target = await get(fillPath(activation.targetPath, String(object[activation.targetField])));
      expect(target.status).toBe(200);
      expect(typeof target.body[activation.currentField]).toBe('string');
      // Activating the current version again is accepted and changes nothing.
      const request = activation.request(
        String(object[activation.targetField]),
        String(target.body[activation.currentField]),
        `registry-activate-${spec.type}`,
      );
      const res = await fetch(`${server.url}${request.path}`, {
        method: request.method,
        headers: { 'x-auth-token': server.token, 'content-type': 'application/json' },
        body: JSON.stringify(request.body),
      });
      expect(res.status).toBe(200);
      expect(await get(fillPath(activation.targetPath, String(object[activation.targetField])))).toEqual(
        target,
      );
    },
  );
});
