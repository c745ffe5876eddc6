import { describe, expect, it } from 'vitest';
import { scanPython } from '../../src/code/tokenizer.js';

describe('scanPython', () => {
  it('ignores brackets and quotes inside strings and comments', () => {
    const code = 'x = ")" + \'(\' + """\n]\n""" + r"\\"" # (\ny = [1,\n     2]\n';
    expect(scanPython(code).error).toBeNull();
  });

  it('records where logical lines end (not inside brackets, strings or after a backslash)', () => {
    const code = 'a = (1,\n2)\nb = """\n"""\nc = 1 + \\\n2\n';
    const ends = scanPython(code).lineEnds;
    expect(ends.map((i) => code.slice(0, i).split('\n').length)).toEqual([2, 4, 6]);
  });

  it('names the line of a mismatched opener', () => {
    expect(scanPython('f(a,\n  b]\n').error).toEqual({
      index: 8,
      kind: 'mismatch',
      message: 'closing `]` does not match opening `(` on line 1',
    });
  });
});
