/**
 * A code text with its line table: converts tree-sitter points and string indices to 1-based
 * locations. Every location is 1-based, with columns counted in UTF-16 code units of the line,
 * the unit `Finding.column` uses (so equal to characters outside the astral planes; an emoji
 * counts 2). The binding's own column unit (UTF-16 for string input in web-tree-sitter 0.25, or
 * UTF-8 bytes) is given, not assumed.
 */
import type { Point } from 'web-tree-sitter';

/** A 1-based position in a code text (column in UTF-16 code units of the line). */
export interface SourceLocation {
  line: number;
  column: number;
}

/** The unit tree-sitter columns come in. */
export type PositionUnit = 'utf16' | 'utf8';

/**
 * A code text with a line table, converting tree-sitter points and string indices to 1-based
 * locations. Lines are split on `\n` only, as tree-sitter counts rows (a CRLF line's `\r` is the
 * last character of the line, so columns are unaffected).
 */
export class SourceText {
  #lineStarts: number[] | undefined;

  constructor(
    readonly code: string,
    readonly unit: PositionUnit = 'utf16',
  ) {}

  /** UTF-16 index of the first character of each line (row). */
  get lineStarts(): readonly number[] {
    if (this.#lineStarts === undefined) {
      const starts = [0];
      const code = this.code;
      let i = code.indexOf('\n');
      while (i !== -1) {
        starts.push(i + 1);
        i = code.indexOf('\n', i + 1);
      }
      this.#lineStarts = starts;
    }
    return this.#lineStarts;
  }

  /** The text of a 0-based row, without its line break. */
  lineText(row: number): string {
    const starts = this.lineStarts;
    const start = starts[row];
    if (start === undefined) return '';
    const next = starts[row + 1];
    let end = next === undefined ? this.code.length : next - 1;
    if (end > start && this.code.charCodeAt(end - 1) === 13) end -= 1;
    return this.code.slice(start, end);
  }

  /** UTF-16 index into `code` of a tree-sitter point. */
  indexOf(point: Point): number {
    const starts = this.lineStarts;
    const lineStart = starts[point.row] ?? this.code.length;
    if (this.unit === 'utf16') return Math.min(lineStart + point.column, this.code.length);
    // UTF-8 byte column: walk the line's characters until that many bytes are consumed.
    const code = this.code;
    let bytes = 0;
    let i = lineStart;
    while (bytes < point.column && i < code.length) {
      const c = code.charCodeAt(i);
      if (c < 0x80) {
        bytes += 1;
        i += 1;
      } else if (c < 0x800) {
        bytes += 2;
        i += 1;
      } else if (c >= 0xd800 && c <= 0xdbff && i + 1 < code.length) {
        const d = code.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) {
          bytes += 4;
          i += 2;
        } else {
          bytes += 3;
          i += 1;
        }
      } else {
        bytes += 3;
        i += 1;
      }
    }
    return i;
  }

  /** 1-based location of a tree-sitter point. */
  location(point: Point): SourceLocation {
    const lineStart = this.lineStarts[point.row];
    if (lineStart === undefined) return this.locationOfIndex(this.code.length);
    return { line: point.row + 1, column: this.indexOf(point) - lineStart + 1 };
  }

  /** 1-based location of a UTF-16 index into `code`. */
  locationOfIndex(index: number): SourceLocation {
    const starts = this.lineStarts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] ?? 0) <= index) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: index - (starts[lo] ?? 0) + 1 };
  }
}
