/**
 * Text maps turn an offset in some text into a file position. A file maps to itself; text that
 * was embedded in another text (a block-string payload, a quoted scalar) maps its offsets into
 * the enclosing text first, so positions inside payloads point at the real file line and column.
 */
export interface LineColumn {
  line: number;
  column: number;
}

export interface TextMap {
  /** The file positions are reported against (display path). */
  readonly file: string;
  readonly text: string;
  position(offset: number): LineColumn;
}

export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** Index of the last line start <= offset. */
function lineIndex(starts: readonly number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] as number) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export class FileText implements TextMap {
  #starts: number[] | undefined;
  constructor(
    readonly file: string,
    readonly text: string,
  ) {}

  get starts(): number[] {
    this.#starts ??= lineStarts(this.text);
    return this.#starts;
  }

  position(offset: number): LineColumn {
    const starts = this.starts;
    const i = lineIndex(starts, Math.max(0, Math.min(offset, this.text.length)));
    return { line: i + 1, column: offset - (starts[i] as number) + 1 };
  }
}

/** Text whose offsets map into a parent text through `toParent`. */
export class EmbeddedText implements TextMap {
  constructor(
    readonly parent: TextMap,
    readonly text: string,
    private readonly toParent: (offset: number) => number,
  ) {}

  get file(): string {
    return this.parent.file;
  }

  position(offset: number): LineColumn {
    return this.parent.position(this.toParent(offset));
  }
}

export type ScalarStyle = 'PLAIN' | 'QUOTE_DOUBLE' | 'QUOTE_SINGLE' | 'BLOCK_LITERAL' | 'BLOCK_FOLDED';

/**
 * The map for the value of a scalar that sits at `range` in `parent`.
 * Literal blocks map line by line (content line k is source line k after the header, shifted by
 * the block's indentation), which is exact. Single-line plain and quoted scalars map by offset
 * (exact unless escapes shorten the value). Anything else (folded blocks, multi-line flow
 * scalars) maps to the start of the scalar: the right line at least for the first line.
 */
export function scalarText(
  parent: TextMap,
  value: string,
  style: ScalarStyle,
  start: number,
  end: number,
): TextMap {
  const src = parent.text;
  if (style === 'BLOCK_LITERAL') {
    const headerEnd = src.indexOf('\n', start);
    if (headerEnd === -1 || headerEnd >= end) return new EmbeddedText(parent, value, () => start);
    const contentStarts: number[] = [];
    let indent = -1;
    for (let ls = headerEnd + 1; ls < end;) {
      let le = src.indexOf('\n', ls);
      if (le === -1 || le > end) le = end;
      const line = src.slice(ls, le).replace(/\r$/, '');
      if (indent === -1 && line.trim() !== '') indent = line.length - line.trimStart().length;
      contentStarts.push(ls);
      ls = le + 1;
    }
    const ind = Math.max(indent, 0);
    const childStarts = lineStarts(value);
    return new EmbeddedText(parent, value, (offset) => {
      const k = lineIndex(childStarts, offset);
      const col = offset - (childStarts[k] as number);
      const base = contentStarts[k];
      return base === undefined ? start : base + ind + col;
    });
  }
  return alignedText(parent, value, style, start, end);
}

const SIMPLE_ESCAPES: Record<string, string> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  t: '\t',
  '\t': '\t',
  n: '\n',
  v: '\v',
  f: '\f',
  r: '\r',
  e: '\x1b',
  ' ': ' ',
  '"': '"',
  '/': '/',
  '\\': '\\',
  N: '\x85',
  _: '\xa0',
  L: '\u2028',
  P: '\u2029',
};

/** Length in the source and the text produced by the escape sequence at `i` (a backslash). */
function escapeAt(src: string, i: number): { length: number; text: string } {
  const c = src[i + 1] ?? '';
  if (c === '\n' || c === '\r') {
    // An escaped line break: the break and the next line's indentation produce nothing.
    let j = i + 1;
    if (src[j] === '\r') j++;
    if (src[j] === '\n') j++;
    while (src[j] === ' ' || src[j] === '\t') j++;
    return { length: j - i, text: '' };
  }
  const hex = c === 'x' ? 2 : c === 'u' ? 4 : c === 'U' ? 8 : 0;
  if (hex > 0) {
    const code = Number.parseInt(src.slice(i + 2, i + 2 + hex), 16);
    return { length: 2 + hex, text: Number.isNaN(code) ? '' : String.fromCodePoint(code) };
  }
  return { length: 2, text: SIMPLE_ESCAPES[c] ?? c };
}

/**
 * Maps each character of a folded, quoted or plain scalar's value to the source character that
 * produced it, by walking both: escapes decode to their character, folded line breaks and
 * indentation are skipped. Worked out only when a position inside such a string is asked for.
 */
function alignedText(
  parent: TextMap,
  value: string,
  style: ScalarStyle,
  start: number,
  end: number,
): TextMap {
  const src = parent.text;
  let i = start;
  if (style === 'QUOTE_DOUBLE' || style === 'QUOTE_SINGLE') i += 1;
  if (style === 'BLOCK_FOLDED') {
    const header = src.indexOf('\n', start);
    i = header === -1 || header >= end ? end : header + 1;
  }
  const at = new Array<number>(value.length + 1);
  let pending = '';
  let pendingAt = i;
  for (let v = 0; v < value.length; v++) {
    const c = value[v] as string;
    for (;;) {
      if (pending !== '') {
        if (pending[0] === c) {
          at[v] = pendingAt;
          pending = pending.slice(1);
          break;
        }
        pending = '';
      }
      if (i >= end) {
        at[v] = Math.max(start, end - 1);
        break;
      }
      const sc = src[i] as string;
      if (style === 'QUOTE_DOUBLE' && sc === '\\') {
        const esc = escapeAt(src, i);
        pendingAt = i;
        pending = esc.text;
        i += esc.length;
        continue;
      }
      if (style === 'QUOTE_SINGLE' && sc === "'" && src[i + 1] === "'") {
        if (c === "'") {
          at[v] = i;
          i += 2;
          break;
        }
        i += 2;
        continue;
      }
      if (sc === c || ((c === ' ' || c === '\n') && (sc === '\n' || sc === '\r'))) {
        at[v] = i;
        i++;
        break;
      }
      i++;
    }
  }
  at[value.length] = i;
  return new EmbeddedText(
    parent,
    value,
    (offset) => at[Math.max(0, Math.min(offset, value.length))] ?? start,
  );
}

/**
 * A text whose map into the file is only worked out when a position is asked for: building it
 * needs the positioned parse of the enclosing document, which valid input never needs.
 */
export class LazyText implements TextMap {
  #real: TextMap | undefined;
  constructor(
    readonly file: string,
    readonly text: string,
    private readonly resolve: () => TextMap,
  ) {}

  position(offset: number): LineColumn {
    this.#real ??= this.resolve();
    return this.#real.position(offset);
  }
}
