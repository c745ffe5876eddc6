import { beforeAll, describe, expect, it } from 'vitest';
import { loadPython, type PythonParser } from '../../src/code/python.js';
import { MAX_SYNTAX_ERRORS, type PySyntaxError } from '../../src/code/syntax-errors.js';

let py: PythonParser;
beforeAll(async () => {
  py = await loadPython();
});

const errorsOf = (code: string): PySyntaxError[] => py.withTree(code, (tree) => py.syntaxErrors(tree));
const firstError = (code: string): PySyntaxError | undefined => errorsOf(code)[0];

describe('syntaxErrors', () => {
  it('reports nothing for valid code', () => {
    const code = [
      'from decimal import Decimal',
      'x = 1; y = 2',
      'if x: pass',
      'class A:',
      '    """Doc with ) and ( inside."""',
      '    @staticmethod',
      '    def f(a, b=(1, 2), *args, **kw) -> Decimal:',
      '        s = r"\\d" "\\u00e9" f"{a!r:>3}"',
      '        return Decimal(a) + \\',
      '            Decimal(b[0])',
      '    # a comment at any indentation',
      '  # even this one',
      'try:',
      '    pass',
      'except ValueError as e:',
      '    pass',
      'print >> sys.stderr, "hello"',
      '',
    ].join('\n');
    expect(errorsOf(code)).toEqual([]);
  });

  it('reports a missing colon where Python does (cross-checked with python3 ast.parse)', () => {
    expect(errorsOf('x = 1\nif x == 2\n    y = 1\n')).toEqual([
      { line: 2, column: 10, message: 'missing `:`' },
    ]);
    expect(firstError('def f(a,\n      b)\n    return a\n')).toEqual({
      line: 2,
      column: 9,
      message: 'missing `:`',
    });
  });

  it('reports a missing colon after a decorated header where Python does (python3 compile)', () => {
    // tree-sitter keeps `def f` and wraps only the parameters (and after) into an ERROR here.
    expect(errorsOf('@dec\ndef f(a, b)\n    return a\n')).toEqual([
      { line: 2, column: 12, message: 'missing `:`' },
    ]);
    expect(errorsOf('@dec(1, x=[2])\ndef f(a, b)\n    return a\n')).toEqual([
      { line: 2, column: 12, message: 'missing `:`' },
    ]);
    expect(errorsOf('@dec\nasync def f(a)\n    return a\n')).toEqual([
      { line: 2, column: 15, message: 'missing `:`' },
    ]);
    expect(errorsOf('@dataclass(frozen=True)\nclass A(Base)\n    x: int = 1\n')).toEqual([
      { line: 2, column: 14, message: 'missing `:`' },
    ]);
    expect(errorsOf('@dataclass\nclass A\n    x: int = 1\n')).toEqual([
      { line: 2, column: 8, message: 'missing `:`' },
    ]);
    expect(
      errorsOf(
        'class A:\n    @property\n    def f(self)\n        return 1\n\n    def g(self):\n        return 2\n',
      ),
    ).toEqual([{ line: 3, column: 16, message: 'missing `:`' }]);
    // Recovery garbles the body that follows; nothing there is reported on top.
    const hook = [
      '@requires(parameters=True)',
      'def hook(vault, args)',
      '    days = vault.get(ids=["X"])',
      '    if args.when.date() in {d.start.date() for d in days}:',
      '        return None',
      '    return None',
      '',
    ].join('\n');
    expect(errorsOf(hook)).toEqual([{ line: 2, column: 22, message: 'missing `:`' }]);
    expect(errorsOf(hook.split('\n').slice(1).join('\n'))).toEqual([
      { line: 1, column: 22, message: 'missing `:`' },
    ]);
    // The colon-less header is found before a later one that has its colon.
    expect(errorsOf('if x\n    y = 1\nelse:\n    y = 2\n')).toEqual([
      { line: 1, column: 5, message: 'missing `:`' },
    ]);
    // An error after the body is still reported (python3 names only the bracket, its tokenizer's error).
    expect(errorsOf('@dec\ndef f(a)\n    return a\n\nx = [1, 2) + 3\n')).toEqual([
      { line: 2, column: 9, message: 'missing `:`' },
      { line: 5, column: 10, message: 'closing `)` does not match opening `[`' },
    ]);
  });

  it('reports unmatched, mismatched and unclosed brackets where Python does', () => {
    expect(errorsOf('x = (1, 2))\n')).toEqual([{ line: 1, column: 11, message: 'unmatched `)`' }]);
    expect(errorsOf('x = foo([1, 2\ny = 3\n')).toEqual([
      { line: 1, column: 9, message: '`[` was never closed' },
    ]);
    expect(errorsOf('parameters = [\n    Parameter(name="a",\n    Parameter(name="b"),\n]\n')).toEqual([
      { line: 4, column: 1, message: 'closing `]` does not match opening `(` on line 2' },
    ]);
  });

  it('counts columns in characters on lines with non-ASCII text', () => {
    // python3: unmatched ')' at line 1, offset 22 ("Höchstbetrag" has 12 characters, 13 UTF-8 bytes).
    expect(errorsOf('x = "Höchstbetrag" + )\n')).toEqual([{ line: 1, column: 22, message: 'unmatched `)`' }]);
    // python3: expected ':' at line 2, offset 12.
    expect(errorsOf('a = 1\nif "é" == a\n    pass\n')).toEqual([
      { line: 2, column: 12, message: 'missing `:`' },
    ]);
    // An astral character counts two UTF-16 units, like Finding.column.
    expect(errorsOf('x = "😀" + )\n')).toEqual([{ line: 1, column: 12, message: 'unmatched `)`' }]);
  });

  it('reports unterminated strings and bad escapes', () => {
    expect(errorsOf('x = "abc\ny = 2\n')).toEqual([
      { line: 1, column: 5, message: 'unterminated string literal' },
    ]);
    expect(firstError('s = """abc\n')).toEqual({
      line: 1,
      column: 5,
      message: 'unterminated triple-quoted string literal',
    });
    expect(errorsOf('x = "\\u12"\n')).toEqual([
      { line: 1, column: 6, message: 'truncated `\\u` escape in string literal (needs 4 hex digits)' },
    ]);
    expect(errorsOf('x = r"\\u12" + b"\\u12"\n')).toEqual([]);
  });

  it('reports an expression cut short', () => {
    expect(errorsOf('def f(x):\n    return x +\n\ndef g():\n    return 1\n')).toEqual([
      { line: 2, column: 15, message: 'expected an expression after `+`' },
    ]);
    expect(errorsOf('x = \ny = 1\n')).toEqual([
      { line: 1, column: 5, message: 'statement is incomplete at the end of the line (after `=`)' },
    ]);
  });

  it('hints at a missing comma between items', () => {
    expect(errorsOf('params = [\n    P(name="a")\n    P(name="b"),\n]\n')).toEqual([
      { line: 3, column: 5, message: 'invalid syntax near `P` (missing comma before it?)' },
    ]);
    // tree-sitter reads this as two statements on one line.
    expect(errorsOf('from dataclasses import dataclass InitVar\n')).toEqual([
      {
        line: 1,
        column: 35,
        message: 'invalid syntax near `InitVar` (missing comma, operator or line break before it?)',
      },
    ]);
  });

  it('reports what the grammar accepts but Python rejects', () => {
    expect(errorsOf('print "hello"\n')).toEqual([
      { line: 1, column: 1, message: '`print` statement is Python 2 syntax: use `print(...)`' },
    ]);
    expect(errorsOf('def f():\nreturn 1\n')).toEqual([
      { line: 2, column: 1, message: 'expected an indented block after `def` on line 1' },
    ]);
    expect(errorsOf('x = 1\n  y = 2\n')).toEqual([{ line: 2, column: 3, message: 'unexpected indent' }]);
    expect(errorsOf('def f():\n    x = 1\n  y = 2\n')).toEqual([
      { line: 3, column: 3, message: 'unindent does not match any outer indentation level' },
    ]);
    expect(errorsOf('if x:\n    pass\n else:\n    pass\n')).toEqual([
      { line: 3, column: 2, message: 'unindent does not match any outer indentation level' },
    ]);
    expect(errorsOf('def f():\n\tx = 1\n        y = 2\n')).toEqual([
      { line: 3, column: 9, message: 'inconsistent use of tabs and spaces in indentation' },
    ]);
    expect(errorsOf('try:\n    pass\nx = 1\n')).toEqual([
      { line: 3, column: 1, message: 'expected `except` or `finally` block after `try` on line 1' },
    ]);
  });

  it('keeps CRLF and a byte-order mark from shifting positions', () => {
    expect(errorsOf('x = 1\r\nif x\r\n    pass\r\n')).toEqual([
      { line: 2, column: 5, message: 'missing `:`' },
    ]);
    expect(errorsOf('\ufeffapi = "4.0.0"\nx = 1\n')).toEqual([]);
  });

  it(`reports at most ${MAX_SYNTAX_ERRORS} errors, earliest first`, () => {
    const code = Array.from({ length: 8 }, (_, i) => `print "line ${i + 1}"`).join('\n') + '\n';
    const errors = errorsOf(code);
    expect(errors).toHaveLength(MAX_SYNTAX_ERRORS);
    expect(errors.map((e) => e.line)).toEqual([1, 2, 3, 4, 5]);
  });
});
