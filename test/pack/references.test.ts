import { describe, expect, it } from 'vitest';
import { findReferences, substituteReferences } from '../../src/pack/references.js';

describe('findReferences', () => {
  it('finds whole, embedded and field references with offsets', () => {
    const { references, malformed } = findReferences('["&{UPPER_TIER}","&{wallet:product_id}"]');
    expect(malformed).toEqual([]);
    expect(references).toEqual([
      { offset: 2, length: 13, id: 'UPPER_TIER', field: null },
      { offset: 18, length: 20, id: 'wallet', field: 'product_id' },
    ]);
  });

  it('leaves workflow templating alone', () => {
    expect(findReferences('${account_id} {{ value }} $&{').references).toEqual([]);
  });

  it('reports malformed references', () => {
    const { references, malformed } = findReferences('x &{bad id} y &{ok.id-1}');
    expect(references.map((r) => r.id)).toEqual(['ok.id-1']);
    expect(malformed).toEqual([{ offset: 2, text: '&{bad id}' }]);
  });

  it('substitutes every reference', () => {
    expect(substituteReferences('a &{x} b &{y:product_id}', (id, f) => `${id}/${f ?? '-'}`)).toBe(
      'a x/- b y/product_id',
    );
  });
});
