/** Canonical JSON: the same text as before for every JSON value, at any depth, without recursion. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/util/canonical.js';

/** The recursive form this replaced: the reference for byte-identical output. */
function recursiveCanonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value))
    return `[${value.map((v) => recursiveCanonicalJson(v === undefined ? null : v)).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const parts: string[] = [];
  for (const key of Object.keys(obj).sort()) {
    const v = obj[key];
    if (v === undefined) continue;
    parts.push(`${JSON.stringify(key)}:${recursiveCanonicalJson(v)}`);
  }
  return `{${parts.join(',')}}`;
}

describe('canonicalJson', () => {
  it('writes exactly what the recursive form wrote, for any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), (value) => {
        expect(canonicalJson(value)).toBe(recursiveCanonicalJson(value));
      }),
      { numRuns: 500 },
    );
  });

  it('writes exactly what the recursive form wrote for JavaScript values around JSON', () => {
    const values: unknown[] = [
      undefined,
      { a: undefined, b: 1, c: [undefined, () => 1], d: () => 2 },
      [],
      {},
      [[], {}, [{}]],
      {
        z: { y: { x: [1, 'two', null, true, false, -0, 1e21, 0.1] } },
        '\u00e9': 1,
        'e\u0301': 2,
        '\u0000': '\u2028',
      },
      new Date(0),
      { emoji: '😀', lone: '\ud800', keys: { b: 1, B: 2, a: 3, _: 4, '10': 5, '9': 6 } },
    ];
    for (const v of values) expect(canonicalJson(v)).toBe(recursiveCanonicalJson(v));
    expect(canonicalJson({ b: 1, a: [2, { d: 4, c: 3 }] })).toBe('{"a":[2,{"c":3,"d":4}],"b":1}');
  });

  it('handles nesting far deeper than the call stack allows', () => {
    const depth = 200_000;
    let deep: unknown = 'leaf';
    for (let i = 0; i < depth; i++) deep = i % 2 ? [deep] : { k: deep };
    const text = canonicalJson(deep);
    expect(text.length).toBe('"leaf"'.length + (depth / 2) * ('[]'.length + '{"k":}'.length));
    expect(() => recursiveCanonicalJson(deep)).toThrow(RangeError);
  });

  it('refuses cyclic values, and allows the same object twice side by side', () => {
    const shared = { x: 1 };
    expect(canonicalJson({ a: shared, b: [shared, shared] })).toBe('{"a":{"x":1},"b":[{"x":1},{"x":1}]}');
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic['self'] = { back: cyclic };
    expect(() => canonicalJson(cyclic)).toThrow(TypeError);
  });
});
