import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canonicalJsonText,
  JsonNumber,
  JsonSyntaxError,
  parseJson,
  type JsonValue,
} from '../../src/ledger/json.js';

/** The parsed value with numbers turned back into JS numbers, to compare with JSON.parse. */
function plain(v: JsonValue): unknown {
  if (v instanceof JsonNumber) return Number(v.text);
  if (Array.isArray(v)) return v.map(plain);
  if (v !== null && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

function syntaxError(text: string, maxDepth?: number): JsonSyntaxError {
  try {
    parseJson(text, maxDepth === undefined ? {} : { maxDepth });
  } catch (e) {
    if (e instanceof JsonSyntaxError) return e;
    throw e;
  }
  throw new Error(`parsed ${text}`);
}

describe('lossless JSON', () => {
  it('keeps numbers as their source text, so no decimal becomes a float', () => {
    const v = parseJson('{"amount": 12345678901234567.89, "n": -0.10, "e": 1E+400}') as Record<
      string,
      JsonNumber
    >;
    expect(v.amount).toBeInstanceOf(JsonNumber);
    expect(v.amount?.text).toBe('12345678901234567.89');
    expect(v.n?.text).toBe('-0.10');
    expect(v.e?.text).toBe('1E+400');
  });

  it('parses what JSON.parse parses, to the same values (refusing only __proto__ keys)', () => {
    fc.assert(
      fc.property(fc.json({ maxDepth: 6 }), (text) => {
        let protoKey = false;
        const native: unknown = JSON.parse(text, function (key, value: unknown) {
          if (key === '__proto__') protoKey = true;
          return value;
        });
        // fc.json() sometimes writes a "__proto__" key, which parseJson refuses by design.
        if (protoKey) expect(() => parseJson(text)).toThrow(/"__proto__" is not allowed/);
        else expect(plain(parseJson(text))).toEqual(native);
      }),
      { numRuns: 300 },
    );
  });

  it('parses strings with every escape, surrogate pairs and non-ASCII text', () => {
    const text = JSON.stringify({ s: 'a"b\\c/d\b\f\n\r\t\u0001 é 😀 \u2028' });
    expect(parseJson(text)).toEqual(JSON.parse(text));
    expect(parseJson('"\\u00e9\\ud83d\\ude00\\/"')).toBe('é😀/');
  });

  it('refuses what JSON.parse refuses', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), (text) => {
        let native = true;
        try {
          JSON.parse(text);
        } catch {
          native = false;
        }
        let ours = true;
        try {
          parseJson(text);
        } catch (e) {
          expect(e).toBeInstanceOf(JsonSyntaxError);
          ours = false;
        }
        expect(ours).toBe(native);
      }),
      { numRuns: 2000 },
    );
  });

  it.each([
    ['', /end of the JSON text/],
    ['{', /expected a "quoted" object key/],
    ['{"a":1,}', /expected a "quoted" object key/],
    ['[1,]', /expected a JSON value/],
    ['[1 2]', /expected , or \]/],
    ['{"a" 1}', /expected : after the key "a"/],
    ['01', /unexpected text after/],
    ['1.', /unexpected text after/],
    ['-', /invalid number/],
    ['"abc', /unterminated string/],
    ['"a\u0001"', /control character/],
    ['"\\x"', /invalid escape/],
    ['"\\u12"', /invalid escape/],
    ['tru', /expected a JSON value/],
    ['NaN', /expected a JSON value/],
    ['{"a":1} x', /unexpected text after/],
  ])('refuses %j saying what is wrong', (text, message) => {
    expect(syntaxError(text).message).toMatch(message);
  });

  it('says where the problem is by line and column', () => {
    const e = syntaxError('{\n  "a": 1,\n  "b": tru\n}');
    expect(e.message).toMatch(/^invalid JSON at line 3 column 8: /);
    expect(e.offset).toBe(19);
  });

  it('refuses duplicate keys (which amount would win?)', () => {
    expect(syntaxError('{"amount":"1.00","amount":"100.00"}').message).toMatch(/duplicate key "amount"/);
  });

  it('refuses __proto__ keys and never touches a prototype', () => {
    expect(syntaxError('{"a":{"__proto__":{"x":1}}}').message).toMatch(/"__proto__" is not allowed/);
    const v = parseJson('{"constructor":{"prototype":{"x":"1"}},"toString":"a"}') as Record<string, unknown>;
    expect(Object.keys(v)).toEqual(['constructor', 'toString']);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('limits nesting depth without recursing (no stack overflow at any depth)', () => {
    expect(syntaxError('['.repeat(65) + ']'.repeat(65)).message).toMatch(/nesting deeper than 64 levels/);
    expect(syntaxError('{"a":'.repeat(100_000)).message).toMatch(/nesting deeper than 64 levels/);
    expect(parseJson('['.repeat(64) + ']'.repeat(64))).toBeInstanceOf(Array);
    expect(syntaxError('[[[1]]]', 2).message).toMatch(/deeper than 2/);
    const deep = '['.repeat(200_000) + ']'.repeat(200_000);
    expect(Array.isArray(parseJson(deep, { maxDepth: 300_000 }))).toBe(true);
  });

  it('parses empty containers and scalars at the top level', () => {
    expect(parseJson(' {} ')).toEqual({});
    expect(parseJson('[]')).toEqual([]);
    expect(parseJson('[[],{}]')).toEqual([[], {}]);
    expect(parseJson('null')).toBeNull();
    expect(parseJson('true')).toBe(true);
    expect(parseJson('"x"')).toBe('x');
  });

  it('writes canonical text with keys sorted and numbers as written', () => {
    const v = parseJson('{"b": [1.50, {"d": null, "c": true}], "a": "x"}');
    expect(canonicalJsonText(v)).toBe('{"a":"x","b":[1.50,{"c":true,"d":null}]}');
  });
});
