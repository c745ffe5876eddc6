/**
 * Hostile or malformed input never gets a 500, and gets the same answer on both storages: each
 * case of issue 12 ("attacks that get a 500") reproduced over HTTP.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_BODY_DEPTH } from '../../src/server/body.js';
import { ID_MAX_LENGTH } from '../../src/util/id.js';
import { STORAGE_FACTORIES } from '../storage/factories.js';
import { contractCode, harness, json, rid, type Harness } from './helpers.js';

/** `n` characters of the id alphabet that do not compress (PostgreSQL compresses index entries). */
function incompressible(n: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';
  let seed = 12345;
  let out = '';
  for (let i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    out += alphabet[seed % alphabet.length];
  }
  return out;
}

describe.each(STORAGE_FACTORIES)('hostile input on $name', (factory) => {
  describe.skipIf(factory.skip)('', () => {
    let h: Harness;
    beforeEach(async () => {
      h = await harness(factory);
    });
    afterEach(async () => {
      await h.close();
    });

    const raw = (method: 'GET' | 'POST', url: string, payload?: string) =>
      h.app.inject({
        method,
        url,
        headers: { 'x-auth-token': h.admin, 'content-type': 'application/json' },
        ...(payload !== undefined ? { payload } : {}),
      });
    const invalid = (res: { statusCode: number; body: string }) => {
      expect(res.statusCode, res.body).toBe(400);
      const body = json(res as never);
      expect(body['code']).toBe('INVALID_ARGUMENT');
      expect(Object.keys(body).sort()).toEqual(['code', 'details', 'field_violations', 'message']);
      return body;
    };
    const flag = (id: string, requestId = rid()) =>
      h.post('/v1/flag-definitions', { request_id: requestId, flag_definition: { id, name: 'n' } });

    it('refuses JSON nested 8,000 deep, saying how deep is allowed', async () => {
      let deep = 'null';
      for (let i = 0; i < 8000; i++) deep = `[${deep}]`;
      const res = await raw(
        'POST',
        '/v1/flag-definitions',
        `{"request_id":"${rid()}","flag_definition":{"id":"F","name":"n","x":${deep}}}`,
      );
      expect(invalid(res)['message']).toContain(`more than ${MAX_BODY_DEPTH} levels`);
    });

    it('refuses NUL and control characters in request ids, path ids and query ids', async () => {
      const created = await flag('OK');
      expect(created.statusCode).toBe(200);
      for (const requestId of ['r\u0000', 'r\u0007x', 'r\nx']) {
        const body = invalid(await flag('N', requestId));
        expect(body['field_violations']).toEqual([expect.objectContaining({ field: 'request_id' })]);
      }
      const path = invalid(await h.get('/v1/flag-definitions/a%00b'));
      expect(path['field_violations']).toEqual([expect.objectContaining({ field: 'id' })]);
      invalid(await h.get('/v1/flag-definitions/a%0Ab'));
      const batch = invalid(await h.get('/v1/flag-definitions:batchGet?ids=OK&ids=a%00b'));
      expect(batch['field_violations']).toEqual([expect.objectContaining({ field: 'ids' })]);
      invalid(await h.get('/v1/calendar-event?calendar_ids=a%00b'));
      invalid(await h.get('/v1/product-versions?product_id=a%01'));
      invalid(
        await h.post('/v1/products/a%00b:activateVersion', { request_id: rid(), product_version_id: 'v' }),
      );
      expect(json(await h.get('/v1/flag-definitions'))['flag_definitions']).toHaveLength(1);
    });

    it(`refuses ids longer than ${ID_MAX_LENGTH} characters, and reaches every id it accepts`, async () => {
      const longest = incompressible(ID_MAX_LENGTH);
      expect((await flag(longest)).statusCode).toBe(200);
      expect(json(await h.get(`/v1/flag-definitions/${longest}`))['id']).toBe(longest);
      const tooLong = invalid(await flag(incompressible(3000)));
      expect(tooLong['field_violations']).toEqual([expect.objectContaining({ field: 'flag_definition.id' })]);
      invalid(await flag('x', incompressible(ID_MAX_LENGTH + 1)));
      invalid(await h.get(`/v1/flag-definitions/${incompressible(ID_MAX_LENGTH + 1)}`));
      invalid(await h.get(`/v1/flag-definitions:batchGet?ids=${incompressible(ID_MAX_LENGTH + 1)}`));
      const segment = invalid(await h.get(`/v1/flag-definitions/${incompressible(600)}`));
      expect(segment['message']).toContain('longer than 512 characters');
      expect(json(await h.get('/v1/flag-definitions'))['flag_definitions']).toHaveLength(1);
    });

    it('refuses the ids . and .., which no URL can reach', async () => {
      invalid(await flag('.'));
      invalid(await h.post('/v1/calendar', { request_id: rid(), calendar: { id: '..' } }));
      invalid(await flag('F', '..'));
      expect((await flag('...')).statusCode).toBe(200);
    });

    it('refuses a product version whose version number makes a key too long to index', async () => {
      const res = await h.post('/v1/product-versions', {
        request_id: rid(),
        product_version: {
          product_id: 'p',
          display_name: 'P',
          code: contractCode(`1.0.0-${incompressible(3000).replace(/_/g, 'x')}`),
        },
      });
      expect(invalid(res)['message']).toContain('longer than 512 characters');
      expect(json(await h.get('/v1/products'))['products']).toEqual([]);
    });

    it('answers bad URL encoding with the catalog error shape', async () => {
      const res = await raw('GET', '/v1/flag-definitions/%E0%A4%A');
      expect(invalid(res)['message']).toContain('percent-encoded');
    });

    it('refuses __proto__ keys and constructor.prototype, naming the field', async () => {
      const poisoned: Array<[string, string]> = [
        ['__proto__', '{"polluted":true}'],
        ['\\u005f_proto__', '{"polluted":true}'],
        ['constructor', '{"prototype":{"polluted":true}}'],
      ];
      for (const [key, value] of poisoned) {
        const res = await raw(
          'POST',
          '/v1/flag-definitions',
          `{"request_id":"${rid()}","flag_definition":{"id":"P","name":"n","${key}":${value}}}`,
        );
        const body = invalid(res);
        expect(body['field_violations']).toEqual([
          expect.objectContaining({
            field: `flag_definition.${key.startsWith('constructor') ? 'constructor' : '__proto__'}`,
          }),
        ]);
      }
      expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    });

    it('says what is wrong with an empty or malformed body', async () => {
      expect(invalid(await raw('POST', '/v1/flag-definitions', ''))['message']).toContain('empty');
      expect(invalid(await raw('POST', '/v1/flag-definitions', '{"a":'))['message']).toContain(
        'not valid JSON',
      );
    });
  });
});
