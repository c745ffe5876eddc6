import { describe, expect, it } from 'vitest';
import { FileText } from '../../src/pack/text.js';
import { parseYaml } from '../../src/pack/yaml.js';

const parse = (text: string) => parseYaml(new FileText('f.yaml', text));

describe('parseYaml', () => {
  it('keeps timestamps as the exact strings written and reads True as a boolean', () => {
    const { documents, problems } = parse('when: 2022-01-04T00:00:00+11:00\nflag: True\nnothing: null\n');
    expect(problems).toEqual([]);
    expect(documents[0]?.value).toEqual({ when: '2022-01-04T00:00:00+11:00', flag: true, nothing: null });
  });

  it('reads several documents and skips the empty one before the first ---', () => {
    const { documents } = parse('# comment\n---\na: 1\n---\nb: 2\n');
    expect(documents.map((d) => d.value)).toEqual([{ a: 1 }, { b: 2 }]);
  });

  it('locates values and keys, with CRLF line endings', () => {
    const doc = parse('a:\r\n  b: [1, 2]\r\n  c: x\r\n').documents[0]!;
    expect(doc.locate(['a', 'c'])).toEqual({ line: 3, column: 6 });
    expect(doc.locate(['a', 'c'], true)).toEqual({ line: 3, column: 3 });
    expect(doc.locate(['a', 'b', 1])).toEqual({ line: 2, column: 10 });
    // A missing path falls back to the nearest existing ancestor.
    expect(doc.locate(['a', 'missing'])).toEqual({ line: 2, column: 3 });
  });

  it('maps positions inside a block-string payload back to the file', () => {
    const text =
      'id: x\npayload: |\n  product_version:\n    params:\n      - name: rate\n        value: \'["&{FLAG}"]\'\n';
    const outer = parse(text).documents[0]!;
    const inner = parseYaml(outer.stringMap(['payload'])!).documents[0]!;
    expect(inner.locate(['product_version', 'params', 0, 'name'])).toEqual({ line: 5, column: 15 });
    const value = inner.stringMap(['product_version', 'params', 0, 'value'])!;
    expect(value.position(value.text.indexOf('&{'))).toEqual({ line: 6, column: 19 });
  });

  it('maps payload syntax errors to the file line', () => {
    const outer = parse('payload: |\n  a: 1\n  b: [1, 2\n  c: 3\n').documents[0]!;
    const { problems } = parseYaml(outer.stringMap(['payload'])!);
    expect(problems[0]?.code).toBe('E_YAML_SYNTAX');
    expect(outer.stringMap(['payload'])!.position(problems[0]!.offset).line).toBeGreaterThanOrEqual(3);
  });

  it('refuses duplicate keys at the second key', () => {
    const { problems } = parse('a: 1\nb: 2\na: 3\n');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ code: 'E_YAML_DUPLICATE_KEY', offset: 10 });
  });

  it('refuses an alias bomb', () => {
    const rows = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (const [n, p] of [
      ['b', 'a'],
      ['c', 'b'],
      ['d', 'c'],
      ['e', 'd'],
      ['f', 'e'],
    ]) {
      rows.push(`${n}: &${n} [${Array(9).fill(`*${p}`).join(',')}]`);
    }
    const { problems, documents } = parse(rows.join('\n') + '\n');
    expect(documents).toHaveLength(0);
    expect(problems[0]?.code).toBe('E_YAML_ALIAS_LIMIT');
  });

  it('expands a few aliases normally', () => {
    const { documents, problems } = parse('base: &b {x: 1}\ncopy: *b\n');
    expect(problems).toEqual([]);
    expect(documents[0]?.value).toEqual({ base: { x: 1 }, copy: { x: 1 } });
  });
});
