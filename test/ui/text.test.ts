import { describe, expect, it } from 'vitest';
import { printable, redact } from '../../src/ui/text.js';
import { formatFinding } from '../../src/ui/findings.js';
import { plain } from '../../src/ui/style.js';

describe('printable', () => {
  it('shows control bytes, DEL, C1 and bidi overrides as escapes, and keeps text and line feeds', () => {
    expect(printable('a\u001b[2Jb\u0007c\u007f\u009b\u202ed\te\nf')).toBe(
      'a\\x1b[2Jb\\x07c\\x7f\\x9b\\u{202e}d\te\nf',
    );
    expect(printable('one\ntwo\rthree', true)).toBe('one\\x0atwo\\x0dthree');
    expect(printable('Grüße, 日本')).toBe('Grüße, 日本');
  });

  it('escapes pack content in a printed finding: one line, no terminal escapes', () => {
    const line = formatFinding(
      {
        code: 'E_SCHEMA',
        severity: 'error',
        message: 'bad \u001b]0;owned\u0007\nx.yaml:1:1: error E_FAKE',
        file: 'x.yaml',
        line: 1,
        column: 2,
      },
      plain,
    );
    expect(line.split('\n')).toHaveLength(1);
    // eslint-disable-next-line no-control-regex -- no control character may remain
    expect(line).not.toMatch(/[\u0000-\u0008\u000b-\u001f]/);
    expect(line).toContain('\\x1b]0;owned\\x07\\x0ax.yaml');
  });
});

describe('redact', () => {
  it('replaces each secret, and each line of a multi-line one', () => {
    expect(redact('a token123 b token123', ['token123'])).toBe('a *** b ***');
    expect(redact('x first-part y second-part', ['first-part\nsecond-part'])).toBe('x *** y ***');
    expect(redact('abc', ['ab'])).toBe('abc');
  });
});
