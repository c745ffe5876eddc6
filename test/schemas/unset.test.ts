/**
 * Null means unset (packs.md 3), beyond the schemas themselves: the loader drops null fields from
 * what import sends, the server treats a null field in a body as absent, and the plan/import diff
 * treats a server null as no value.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { withoutUnset } from '../../src/schema/unset.js';
import { checkSchema } from '../../src/schema/index.js';
import { diffFields } from '../../src/deploy/environment.js';
import { loadPacks } from '../../src/validate/packs.js';
import { validatePaths } from '../../src/validate/validate.js';
import { STORAGE_FACTORIES } from '../storage/factories.js';
import { harness, json, rid, type Harness } from '../server/helpers.js';
import { testServer } from '../deploy/helpers.js';
import { importPaths, planPaths, type DeployRequest } from '../../src/deploy/import.js';
import { DEFAULTS } from '../../src/config/config.js';

describe('withoutUnset', () => {
  it('drops null fields at any depth, keeps null list items, and copies rather than edits', () => {
    const value = { a: null, b: { c: null, d: 1, e: [null, { f: null, g: 'x' }] }, h: 'y' };
    const before = JSON.stringify(value);
    expect(withoutUnset(value)).toEqual({ b: { d: 1, e: [null, { g: 'x' }] }, h: 'y' });
    expect(JSON.stringify(value)).toBe(before);
  });

  it('keeps a "__proto__" key an own property and survives deep nesting', () => {
    const tricky = JSON.parse('{"__proto__": {"x": 1}, "y": null}') as Record<string, unknown>;
    const out = withoutUnset(tricky);
    expect(Object.keys(out)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    let deep: unknown = { leaf: null };
    for (let i = 0; i < 50_000; i++) deep = { next: deep };
    expect(() => withoutUnset(deep)).not.toThrow();
  });

  it('returns scalars as they are', () => {
    expect(withoutUnset('x')).toBe('x');
    expect(withoutUnset(null)).toBe(null);
  });
});

describe('schema findings for null', () => {
  it('accepts null in an optional field and explains a refused null in a required one', () => {
    const tag = { account_schedule_tag: { id: 'T', schedule_status_override_start_timestamp: null } };
    expect(checkSchema('types/account_schedule_tag', tag)).toEqual([]);
    const [v] = checkSchema('types/calendar', { calendar: { id: null } });
    expect(v).toMatchObject({ code: 'E_SCHEMA_TYPE', path: ['calendar', 'id'] });
    expect(v?.hint).toContain('null means "unset"');
  });

  it('reports only the real type of an optional field given a wrong value (not the null alternative)', () => {
    const violations = checkSchema('types/calendar', { calendar: { id: 'C', description: 5 } });
    expect(violations.map((v) => v.message)).toEqual(['calendar.description must be string, not a number']);
  });
});

describe('diffFields', () => {
  it('treats a null on the server as no value, also inside nested objects', () => {
    expect(diffFields({ a: 'x' }, { a: null })).toEqual([{ field: 'a', from: undefined, to: '"x"' }]);
    expect(diffFields({ n: { min: '0' } }, { n: { min: '0', kind: null } })).toEqual([]);
    expect(diffFields({ n: { min: '0' } }, { n: { min: '1' } })).toHaveLength(1);
  });
});

describe('the loader', () => {
  const dir = mkdtempSync(join(tmpdir(), 'strata-unset-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'manifest.yaml'), 'pack_version: 1.0.0\npack_name: tags\nresource_ids: [T]\n');
  writeFileSync(
    join(dir, 'tag.resource.yaml'),
    [
      'type: ACCOUNT_SCHEDULE_TAG',
      'id: T',
      'vault_id: null',
      'on_conflict: null',
      'activate: null',
      'payload: |',
      '  account_schedule_tag:',
      '    id: T',
      '    description: null',
      '    schedule_status_override: ACCOUNT_SCHEDULE_TAG_SCHEDULE_STATUS_OVERRIDE_NO_OVERRIDE',
      '    schedule_status_override_start_timestamp: null',
      '    schedule_status_override_end_timestamp: null',
      '    test_pause_at_timestamp: null',
      '',
    ].join('\n'),
  );

  it('validates explicit nulls in optional fields without a finding', async () => {
    const result = await validatePaths(['manifest.yaml'], { cwd: dir });
    expect(result.findings).toEqual([]);
    expect(result.status).toBe('VALID');
  });

  it('keeps no null field in the payload import sends; entry nulls take their defaults', async () => {
    const loaded = await loadPacks(['manifest.yaml'], { cwd: dir, payloads: true });
    try {
      const r = loaded.packs[0]?.resources.get('T');
      expect(r?.payload).toEqual({
        account_schedule_tag: {
          id: 'T',
          schedule_status_override: 'ACCOUNT_SCHEDULE_TAG_SCHEDULE_STATUS_OVERRIDE_NO_OVERRIDE',
        },
      });
      expect(r).toMatchObject({ onConflict: 'IGNORE', activate: false, vaultId: null });
    } finally {
      await loaded.cleanup();
    }
  });
});

describe.each(STORAGE_FACTORIES)('the server on $name', (factory) => {
  describe.skipIf(factory.skip)('', () => {
    let h: Harness;
    beforeEach(async () => {
      h = await harness(factory);
    });
    afterEach(async () => h.close());

    it('stores a null field as absent: the same definition, the same request', async () => {
      const withNull = {
        request_id: rid(),
        flag_definition: { id: 'F', name: 'f', description: null, flag_visibility: null },
      };
      const created = await h.post('/v1/flag-definitions', withNull);
      expect(created.statusCode, created.body).toBe(200);
      expect(Object.keys(json(created))).not.toContain('description');
      // The same object without the null fields is the same definition (no ALREADY_EXISTS) ...
      const plain = await h.post('/v1/flag-definitions', { request_id: rid(), flag_definition: { id: 'F', name: 'f' } });
      expect(plain.statusCode, plain.body).toBe(200);
      // ... and under the first request id it is the same request (a replay, not REQUEST_ID_REUSED).
      const replay = await h.post('/v1/flag-definitions', {
        request_id: withNull.request_id,
        flag_definition: { id: 'F', name: 'f' },
      });
      expect(replay.statusCode, replay.body).toBe(200);
      expect(replay.headers['idempotent-replay']).toBe('true');
    });

    it('refuses null in a required field as missing (400 naming it)', async () => {
      const res = await h.post('/v1/flag-definitions', { request_id: rid(), flag_definition: { id: 'F', name: null } });
      expect(res.statusCode).toBe(400);
      expect(json(res)['message']).toContain('missing required field "name" in flag_definition');
    });

    it('clears a field that an update sets to null', async () => {
      await h.post('/v1/account-schedule-tags', {
        request_id: rid(),
        account_schedule_tag: { id: 'T', test_pause_at_timestamp: '2026-01-01T00:00:00Z' },
      });
      const res = await h.put('/v1/account-schedule-tags/T', {
        request_id: rid(),
        account_schedule_tag: { test_pause_at_timestamp: null },
        update_mask: { paths: ['test_pause_at_timestamp'] },
      });
      expect(res.statusCode, res.body).toBe(200);
      expect(Object.keys(json(await h.get('/v1/account-schedule-tags/T')))).not.toContain('test_pause_at_timestamp');
    });
  });
});

describe.each(STORAGE_FACTORIES)('import and plan on $name', (factory) => {
  describe.skipIf(factory.skip)('', () => {
    it('treat null and absent as equal: a pack with nulls re-imports unchanged, and so does the pack without them', async () => {
      const server = await testServer(factory);
      const dir = mkdtempSync(join(tmpdir(), 'strata-unset-import-'));
      try {
        writeFileSync(join(dir, 'manifest.yaml'), 'pack_version: 1.0.0\npack_name: flags\nresource_ids: [F, T]\n');
        const flag = (description: string) =>
          `type: FLAG_DEFINITION\nid: F\npayload: |\n  flag_definition:\n    id: F\n    name: Flag\n${description}`;
        const tag = (fields: string) =>
          `type: ACCOUNT_SCHEDULE_TAG\nid: T\npayload: |\n  account_schedule_tag:\n    id: T\n${fields}`;
        const nulls = [
          '    schedule_status_override_start_timestamp: null',
          '    schedule_status_override_end_timestamp: null',
          '    test_pause_at_timestamp: null',
          '',
        ].join('\n');
        writeFileSync(join(dir, 'f.resource.yaml'), flag('    description: null\n    flag_visibility: null\n'));
        writeFileSync(join(dir, 't.resource.yaml'), tag(nulls));
        const request: DeployRequest = {
          paths: ['manifest.yaml'],
          cwd: dir,
          dataDir: join(dir, '.strata'),
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
        };
        const first = await importPaths(request);
        expect(first.status, JSON.stringify(first.import)).toBe('SUCCESS');
        expect(Object.values(first.import).map((r) => r.action)).toEqual(['created', 'created']);
        const again = await importPaths(request);
        expect(Object.values(again.import).map((r) => r.action)).toEqual(['unchanged', 'unchanged']);
        expect((await planPaths(request)).status).toBe('NO CHANGES');
        // The same pack without the null fields is the same pack.
        writeFileSync(join(dir, 'f.resource.yaml'), flag(''));
        writeFileSync(join(dir, 't.resource.yaml'), tag(''));
        expect((await planPaths(request)).status).toBe('NO CHANGES');
        const plain = await importPaths(request);
        expect(Object.values(plain.import).map((r) => r.action)).toEqual(['unchanged', 'unchanged']);
      } finally {
        await server.close();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
