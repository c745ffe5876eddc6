import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { offlineValue, requestIdFor, resolveReferences } from '../../src/deploy/requests.js';
import { canonicalJson } from '../../src/util/canonical.js';
import { convertPaths } from '../../src/deploy/convert.js';
import { loadPacks } from '../../src/validate/packs.js';

const root = join(import.meta.dirname, '..', '..');

describe('canonicalJson and requestIdFor', () => {
  it('sorts keys at every level, so key order never changes the id', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: 0 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[2,{"e":0,"f":1}]},"b":1}',
    );
    expect(requestIdFor('FLAG_DEFINITION', 'X', { a: 1, b: 2 })).toBe(
      requestIdFor('FLAG_DEFINITION', 'X', { b: 2, a: 1 }),
    );
  });

  it('is a version-5 style UUID that changes with type, id and payload', () => {
    const id = requestIdFor('FLAG_DEFINITION', 'X', { a: 1 });
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(requestIdFor('FLAG_DEFINITION', 'Y', { a: 1 })).not.toBe(id);
    expect(requestIdFor('CALENDAR', 'X', { a: 1 })).not.toBe(id);
    expect(requestIdFor('FLAG_DEFINITION', 'X', { a: 2 })).not.toBe(id);
  });
});

describe('resolveReferences', () => {
  it('substitutes in strings and keys and lists what it could not resolve', () => {
    const unresolved = new Set<string>();
    const out = resolveReferences(
      { a: '["&{F}","&{G}"]', '&{F}': ['&{pv}', '&{pv:product_id}'] },
      (id, field) => (id === 'F' ? 'flag_f' : field === 'product_id' ? 'wallet' : undefined),
      unresolved,
    );
    expect(out).toEqual({ a: '["flag_f","&{G}"]', flag_f: ['&{pv}', 'wallet'] });
    expect([...unresolved].sort()).toEqual(['G', 'pv']);
  });
});

describe('offlineValue', () => {
  it('knows client-chosen ids, payload fields and workflow version ids, not generated ids', async () => {
    const loaded = await loadPacks(
      ['packs/library/savings_manifest.yaml', 'packs/library/loan_manifest.yaml'],
      {
        cwd: root,
        payloads: true,
      },
    );
    const [savings, loan] = loaded.packs;
    const get = (pack: typeof savings, id: string) => pack!.resources.get(id)!;
    expect(offlineValue(get(savings, 'DORMANCY_FLAG'), null)).toBe('DORMANCY_FLAG');
    expect(offlineValue(get(savings, 'savings_account'), 'product_id')).toBe('savings_account');
    expect(offlineValue(get(savings, 'savings_account'), null)).toBeUndefined();
    expect(offlineValue(get(savings, 'SAVINGS_ACCOUNT_CLOSURE'), null)).toMatch(
      /^[^,]+,SAVINGS_ACCOUNT_CLOSURE$/,
    );
    expect(offlineValue(get(loan, 'interest_module'), null)).toBeUndefined();
    await loaded.cleanup();
  });
});

describe('convertPaths', () => {
  it('gives one create request per importable resource, in import order', async () => {
    const result = await convertPaths(['packs/library/loan_manifest.yaml'], root);
    const loaded = await loadPacks(['packs/library/loan_manifest.yaml'], { cwd: root });
    expect(result.valid).toBe(true);
    expect(result.requests.map((r) => r.resource_id)).toEqual(loaded.packs[0]!.order);
    const link = result.requests.find((r) => r.resource_type === 'SMART_CONTRACT_MODULE_VERSIONS_LINK')!;
    expect(link.path).toBe('/v1/smart-contract-module-versions-links');
    expect(link.unresolved).toEqual(['interest_module_version', 'loan']);
    const account = result.requests.find((r) => r.resource_type === 'INTERNAL_ACCOUNT')!;
    expect(account.unresolved).toEqual([]);
    expect(JSON.stringify(account.body)).not.toContain('&{');
    expect((account.body as { internal_account: { product_id: string } }).internal_account.product_id).toBe(
      'internal_account_contract',
    );
    await loaded.cleanup();
  });

  it('sends nothing for an invalid pack', async () => {
    const result = await convertPaths(['test/fixtures/broken/ref_unknown/wallet_manifest.yaml'], root);
    expect(result.valid).toBe(false);
    expect(result.requests).toEqual([]);
    expect(result.findings.some((f) => f.code === 'E_REF_UNKNOWN')).toBe(true);
  });

  it('skips types strata does not import', async () => {
    const result = await convertPaths(['test/fixtures/broken/type_unsupported/manifest.yaml'], root);
    expect(result.valid).toBe(true);
    expect(result.requests).toEqual([]);
    expect(result.skipped.map((s) => s.resource_type).sort()).toEqual(['PAYMENT_DEVICE', 'PROCESSING_GROUP']);
  });
});
