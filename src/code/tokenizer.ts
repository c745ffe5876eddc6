/**
 * The tokenizer pass of the syntax check: Python's tokenizer reports these before the parser
 * runs, and tree-sitter's error recovery tends to blur them, so they are found directly: an
 * unterminated string, a closing bracket with no or the wrong opener, an unclosed bracket, string
 * escapes Python refuses; and where logical lines end.
 */

export interface ScanError {
  /** UTF-16 index into the code. */
  index: number;
  kind: 'unmatched' | 'mismatch' | 'unclosed' | 'string' | 'escape';
  message: string;
}

const STRING_PREFIXES = new Set(['r', 'u', 'b', 'f', 't', 'br', 'rb', 'fr', 'rf', 'tr', 'rt']);

function isIdentChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c >= 0x80;
}

export interface ScanResult {
  /** The first tokenizer-level error, or null. */
  error: ScanError | null;
  /** Escapes in string literals that Python refuses (a truncated `\\u12`, say), at most a few. */
  escapes: ScanError[];
  /**
   * UTF-16 indices of the line breaks that end a logical line (outside brackets and strings, not
   * escaped by a backslash), ascending, up to the error if there is one.
   */
  lineEnds: number[];
}

/**
 * Tokenize Python code far enough to find what Python's tokenizer reports: an unterminated
 * string, a closing bracket with no or the wrong opener, or (at the end) the innermost bracket
 * never closed; and where logical lines end.
 */
export function scanPython(code: string, maxEscapes = 5): ScanResult {
  const stack: Array<{ ch: string; index: number }> = [];
  const lineEnds: number[] = [];
  const escapes: ScanError[] = [];
  const n = code.length;
  const fail = (error: ScanError): ScanResult => ({ error, escapes, lineEnds });
  let i = 0;
  while (i < n) {
    const c = code.charCodeAt(i);
    if (c === 10 /* \n */) {
      if (stack.length === 0) lineEnds.push(i);
      i += 1;
    } else if (c === 35 /* # */) {
      const nl = code.indexOf('\n', i);
      i = nl === -1 ? n : nl;
    } else if (c === 92 /* \ */) {
      // Line continuation: the line break after it does not end the logical line.
      i += code.startsWith('\r\n', i + 1) ? 3 : 2;
    } else if (c === 34 || c === 39 /* " ' */) {
      const end = skipString(code, i, { prefix: '', escapes, maxEscapes });
      if (end < 0) return fail(unterminated(code, i));
      i = end;
    } else if (isIdentChar(c)) {
      const start = i;
      while (i < n && isIdentChar(code.charCodeAt(i))) i += 1;
      const q = code.charCodeAt(i);
      const prefix = code.slice(start, i).toLowerCase();
      if ((q === 34 || q === 39) && STRING_PREFIXES.has(prefix)) {
        const end = skipString(code, i, { prefix, escapes, maxEscapes });
        if (end < 0) return fail(unterminated(code, start));
        i = end;
      }
    } else if (c === 40 || c === 91 || c === 123 /* ( [ { */) {
      stack.push({ ch: code[i] ?? '', index: i });
      i += 1;
    } else if (c === 41 || c === 93 || c === 125 /* ) ] } */) {
      const ch = code[i] ?? '';
      const open = stack.pop();
      if (open === undefined) return fail({ index: i, kind: 'unmatched', message: `unmatched \`${ch}\`` });
      const expected = open.ch === '(' ? ')' : open.ch === '[' ? ']' : '}';
      if (ch !== expected) {
        const openLine = lineOfIndex(code, open.index);
        const here = lineOfIndex(code, i);
        return fail({
          index: i,
          kind: 'mismatch',
          message:
            `closing \`${ch}\` does not match opening \`${open.ch}\`` +
            (openLine !== here ? ` on line ${openLine}` : ''),
        });
      }
      i += 1;
    } else {
      i += 1;
    }
  }
  const open = stack.pop();
  if (open !== undefined) {
    return fail({ index: open.index, kind: 'unclosed', message: `\`${open.ch}\` was never closed` });
  }
  return { error: null, escapes, lineEnds };
}

/**
 * Index just past the string whose quote is at `q`, or -1 when it is unterminated. Escapes that
 * Python refuses in a non-raw literal are added to `escapes`.
 */
function skipString(
  code: string,
  q: number,
  { prefix, escapes, maxEscapes }: { prefix: string; escapes: ScanError[]; maxEscapes: number },
): number {
  const quote = code[q] ?? '"';
  const triple = code.startsWith(quote.repeat(3), q);
  const raw = prefix.includes('r');
  const bytes = prefix.includes('b');
  const n = code.length;
  let j = q + (triple ? 3 : 1);
  while (j < n) {
    const c = code[j];
    if (c === '\\') {
      if (!raw) {
        const problem = badEscape(code, j, bytes);
        if (problem !== null && escapes.length < maxEscapes) {
          escapes.push({ index: j, kind: 'escape', message: problem });
        }
      }
      j += code.startsWith('\r\n', j + 1) ? 3 : 2;
      continue;
    }
    if (!triple && (c === '\n' || c === '\r')) return -1;
    if (c === quote) {
      if (!triple) return j + 1;
      if (code.startsWith(quote.repeat(3), j)) return j + 3;
    }
    j += 1;
  }
  return -1;
}

const HEX = /^[0-9a-fA-F]*/;

/** What is wrong with the escape at `code[at]` (a backslash), or null. */
function badEscape(code: string, at: number, bytes: boolean): string | null {
  const kind = code[at + 1];
  const digits = (count: number) => (HEX.exec(code.slice(at + 2, at + 2 + count))?.[0].length ?? 0) === count;
  if (kind === 'x') return digits(2) ? null : 'truncated `\\x` escape in string literal (needs 2 hex digits)';
  if (bytes) return null;
  if (kind === 'u') return digits(4) ? null : 'truncated `\\u` escape in string literal (needs 4 hex digits)';
  if (kind === 'U') {
    if (!digits(8)) return 'truncated `\\U` escape in string literal (needs 8 hex digits)';
    return parseInt(code.slice(at + 2, at + 10), 16) > 0x10ffff
      ? 'illegal Unicode character in `\\U` escape'
      : null;
  }
  if (kind === 'N')
    return /^\{[A-Za-z0-9 -]+\}/.test(code.slice(at + 2, at + 200)) ? null : 'malformed `\\N{...}` escape';
  return null;
}

function unterminated(code: string, start: number): ScanError {
  let q = start;
  while (q < code.length && code[q] !== '"' && code[q] !== "'") q += 1;
  const quote = code[q] ?? '"';
  const triple = code.startsWith(quote.repeat(3), q);
  return {
    index: start,
    kind: 'string',
    message: triple ? 'unterminated triple-quoted string literal' : 'unterminated string literal',
  };
}

function lineOfIndex(code: string, index: number): number {
  let line = 1;
  for (let i = code.indexOf('\n'); i !== -1 && i < index; i = code.indexOf('\n', i + 1)) line += 1;
  return line;
}
