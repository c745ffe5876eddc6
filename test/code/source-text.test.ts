import { describe, expect, it } from 'vitest';
import { SourceText } from '../../src/code/source-text.js';

describe('SourceText', () => {
  it('maps indices to 1-based lines and columns (CRLF lines included)', () => {
    const text = new SourceText('ab\r\ncd\nef');
    expect(text.locationOfIndex(0)).toEqual({ line: 1, column: 1 });
    expect(text.locationOfIndex(4)).toEqual({ line: 2, column: 1 });
    expect(text.locationOfIndex(8)).toEqual({ line: 3, column: 2 });
    expect(text.lineText(0)).toBe('ab');
    expect(text.location({ row: 1, column: 1 })).toEqual({ line: 2, column: 2 });
  });

  it('converts UTF-8 byte columns to UTF-16 columns when the binding reports bytes', () => {
    // "é" is 2 bytes, "😀" 4 bytes (2 UTF-16 units), so byte 6 is just before "x".
    const text = new SourceText('y = 1\né😀x\n', 'utf8');
    expect(text.location({ row: 1, column: 6 })).toEqual({ line: 2, column: 4 });
    expect(text.location({ row: 1, column: 2 })).toEqual({ line: 2, column: 2 });
    expect(text.indexOf({ row: 1, column: 7 })).toBe(10);
  });

  it('uses UTF-16 columns unchanged', () => {
    const text = new SourceText('é😀x', 'utf16');
    expect(text.location({ row: 0, column: 3 })).toEqual({ line: 1, column: 4 });
  });
});
