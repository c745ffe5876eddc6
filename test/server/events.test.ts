/** The configuration layer appends to the events outbox (ledger.md section 5), on both storages. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ACTIVATION_EVENTS, PRODUCT_VERSION_EVENTS } from '../../src/server/config/service.js';
import { STORAGE_FACTORIES } from '../storage/factories.js';
import { contractCode, harness, json, rid, type Harness } from './helpers.js';

describe.each(STORAGE_FACTORIES)('configuration events on $name', (factory) => {
  describe.skipIf(factory.skip)('', () => {
    let h: Harness;
    beforeEach(async () => {
      h = await harness(factory);
    });
    afterEach(async () => {
      await h.close();
    });

    const events = () => h.storage.read((tx) => tx.events.read({ afterSeq: 0, limit: 100 }));
    const createVersion = async (version: string, requestId = rid()) => {
      const res = await h.post('/v1/product-versions', {
        request_id: requestId,
        product_version: { product_id: 'ev', display_name: 'Ev', code: contractCode(version) },
        migration_strategy: 'PRODUCT_VERSION_MIGRATION_STRATEGY_ADD_VERSION',
      });
      expect(res.statusCode, res.body).toBe(200);
      return json(res);
    };

    it('records a created product version and each activation, in order, once', async () => {
      const requestId = rid();
      const v1 = await createVersion('1.0.0', requestId);
      await createVersion('1.0.0', requestId);
      await createVersion('1.0.0');
      const v2 = await createVersion('1.1.0');
      const activated = await h.post('/v1/products/ev:activateVersion', {
        request_id: rid(),
        product_version_id: v2['id'],
      });
      expect(activated.statusCode).toBe(200);
      const all = await events();
      expect(all.map((e) => [e.sequence, e.topic, e.key])).toEqual([
        [1, PRODUCT_VERSION_EVENTS, 'ev'],
        [2, ACTIVATION_EVENTS, 'ev'],
        [3, PRODUCT_VERSION_EVENTS, 'ev'],
        [4, ACTIVATION_EVENTS, 'ev'],
      ]);
      const created = JSON.parse(all[0]?.payload ?? '{}') as Record<string, Record<string, unknown>>;
      const { code: _code, ...withoutCode } = v1;
      expect(created['product_version_created']).toEqual({ product_version: withoutCode });
      expect(JSON.parse(all[3]?.payload ?? '{}')).toMatchObject({
        activation: { product_id: 'ev', from_version_id: v1['id'], to_version_id: v2['id'] },
      });
      expect(all.every((e) => Number.isInteger(e.timestampMs))).toBe(true);
    });
  });
});
