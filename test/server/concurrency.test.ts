/** Racing requests resolve to exactly one object, on both storages. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { STORAGE_FACTORIES } from '../storage/factories.js';
import { contractCode, harness, json, rid, type Harness } from './helpers.js';

const RACERS = 16;

describe.each(STORAGE_FACTORIES)('racing requests on $name', (factory) => {
  describe.skipIf(factory.skip)('', () => {
    let h: Harness;
    beforeEach(async () => {
      h = await harness(factory);
    });
    afterEach(async () => {
      await h.close();
    });

    it('identical requests with one request_id create exactly one object (natural id)', async () => {
      const body = { request_id: rid(), flag_definition: { id: 'RACE', name: 'race' } };
      const results = await Promise.all(
        Array.from({ length: RACERS }, () => h.post('/v1/flag-definitions', body)),
      );
      expect(results.map((r) => r.statusCode)).toEqual(Array(RACERS).fill(200));
      expect(new Set(results.map((r) => r.body)).size).toBe(1);
      expect(results.filter((r) => r.headers['idempotent-replay'] === undefined)).toHaveLength(1);
      expect(json(await h.get('/v1/flag-definitions'))['flag_definitions']).toHaveLength(1);
    });

    it('identical requests with one request_id create exactly one object (generated id)', async () => {
      const body = { request_id: rid(), contract_module: { display_name: 'utils' } };
      const results = await Promise.all(
        Array.from({ length: RACERS }, () => h.post('/v1/contract-modules', body)),
      );
      expect(results.map((r) => r.statusCode)).toEqual(Array(RACERS).fill(200));
      expect(new Set(results.map((r) => json(r)['id'])).size).toBe(1);
      expect(json(await h.get('/v1/contract-modules'))['contract_modules']).toHaveLength(1);
    });

    it('the same definition under different request_ids creates one object', async () => {
      const results = await Promise.all(
        Array.from({ length: RACERS }, () =>
          h.post('/v1/calendar', { request_id: rid(), calendar: { id: 'HOL', display_name: 'h' } }),
        ),
      );
      expect(results.map((r) => r.statusCode)).toEqual(Array(RACERS).fill(200));
      expect(new Set(results.map((r) => r.body)).size).toBe(1);
      expect(json(await h.get('/v1/calendars'))['calendars']).toHaveLength(1);
    });

    it('40 identical NEW_PRODUCT creates with one request_id all answer 200: one creates, the rest replay', async () => {
      const body = {
        request_id: rid(),
        product_version: { product_id: 'np', display_name: 'NP', code: contractCode('1.0.0') },
        migration_strategy: 'PRODUCT_VERSION_MIGRATION_STRATEGY_NEW_PRODUCT',
      };
      const results = await Promise.all(
        Array.from({ length: 40 }, () => h.post('/v1/product-versions', body)),
      );
      expect(results.map((r) => r.statusCode)).toEqual(Array(40).fill(200));
      expect(new Set(results.map((r) => r.body)).size).toBe(1);
      expect(results.filter((r) => r.headers['idempotent-replay'] === undefined)).toHaveLength(1);
      expect(json(await h.get('/v1/product-versions?product_id=np'))['product_versions']).toHaveLength(1);
    });

    it('racing versions of a new product create one product and one version each', async () => {
      const results = await Promise.all(
        ['1.0.0', '1.0.0', '1.1.0', '1.2.0', '1.0.0', '1.1.0'].map((v) =>
          h.post('/v1/product-versions', {
            request_id: rid(),
            product_version: { product_id: 'raced', display_name: 'R', code: contractCode(v) },
            migration_strategy: 'PRODUCT_VERSION_MIGRATION_STRATEGY_ADD_VERSION_APPLY_NEW_USERS',
          }),
        ),
      );
      expect(results.map((r) => r.statusCode)).toEqual(Array(6).fill(200));
      expect(json(await h.get('/v1/products'))['products']).toHaveLength(1);
      const versions = json(await h.get('/v1/product-versions?product_id=raced'))[
        'product_versions'
      ] as Array<{ id: string }>;
      expect(versions).toHaveLength(3);
      const product = json(await h.get('/v1/products/raced'));
      expect(versions.map((v) => v.id)).toContain(product['current_version_id']);
      // The activation history is a chain: each one starts where the previous ended.
      const acts = json(await h.get('/v1/activations?product_id=raced'))['activations'] as Array<
        Record<string, string>
      >;
      for (let i = 1; i < acts.length; i++)
        expect(acts[i]?.['from_version_id']).toBe(acts[i - 1]?.['to_version_id']);
      expect(acts[acts.length - 1]?.['to_version_id']).toBe(product['current_version_id']);
    });
  });
});
