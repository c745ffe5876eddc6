/**
 * A lossless, depth-limited JSON parser for ledger request bodies.
 *
 * `JSON.parse` turns every number into a float, so `12345678901234567.89` would arrive already
 * wrong, and (on Node 20) a reviver cannot see the source text. Here a number is kept as its source
 * text (`JsonNumber`), so no decimal on the wire ever becomes a JS number; the request layer then
 * refuses numbers where amounts are expected (INVALID_AMOUNT naming the field) and can quote them.
 *
 * Also refused, because each would make a money request ambiguous or unsafe: nesting deeper than
 * `maxDepth` (iterative parse, but the layers above recurse), duplicate keys (which `amount` wins?),
 * and `__proto__` keys (prototype poisoning). The grammar is RFC 8259, nothing more.
 */

/** A JSON number, kept as written. */
export class JsonNumber {
  constructor(readonly text: string) {}
}

export type JsonValue = null | boolean | string | JsonNumber | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    /** Offset (UTF-16 code units) in the text where the problem is. */
    readonly offset: number,
  ) {
    super(message);
    this.name = 'JsonSyntaxError';
  }
}

export const DEFAULT_MAX_DEPTH = 64;

interface Frame {
  /** The array or object being filled. */
  container: JsonValue[] | JsonObject;
  /** For objects: the key whose value comes next. */
  key: string | null;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

/** Parses JSON text; throws JsonSyntaxError saying what is wrong and where (line and column). */
export function parseJson(text: string, options: { maxDepth?: number } = {}): JsonValue {
  return new Parser(text, options.maxDepth ?? DEFAULT_MAX_DEPTH).parse();
}

class Parser {
  #at = 0;
  readonly #stack: Frame[] = [];

  constructor(
    readonly text: string,
    readonly maxDepth: number,
  ) {}

  parse(): JsonValue {
    let value = this.#value();
    // Containers are filled iteratively: `value` is complete whenever the stack is empty.
    while (this.#stack.length > 0) value = this.#continue(value);
    this.#skipSpace();
    if (this.#at < this.text.length) this.#fail('unexpected text after the JSON value');
    return value;
  }

  /** Reads a scalar, or opens a container and returns its first member's value (recursing into it). */
  #value(): JsonValue {
    for (;;) {
      this.#skipSpace();
      const c = this.text.charCodeAt(this.#at);
      if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        const opened = this.#open(c === OPEN_BRACE);
        if (opened !== undefined) return opened;
        continue;
      }
      return this.#scalar(c);
    }
  }

  /**
   * Pushes a new container. Returns it when it is empty (`{}` / `[]`, so complete); otherwise
   * leaves the parser before its first value, with the frame on the stack.
   */
  #open(isObject: boolean): JsonValue | undefined {
    if (this.#stack.length >= this.maxDepth) {
      this.#fail(`nesting deeper than ${this.maxDepth} levels`);
    }
    this.#at += 1;
    this.#skipSpace();
    const container: JsonValue[] | JsonObject = isObject ? {} : [];
    const close = isObject ? CLOSE_BRACE : CLOSE_BRACKET;
    if (this.text.charCodeAt(this.#at) === close) {
      this.#at += 1;
      return container;
    }
    const frame: Frame = { container, key: null };
    if (isObject) frame.key = this.#key(container as JsonObject);
    this.#stack.push(frame);
    return undefined;
  }

  /** Adds a finished value to the innermost container; returns the next finished value. */
  #continue(value: JsonValue): JsonValue {
    const frame = this.#stack[this.#stack.length - 1] as Frame;
    const isObject = !Array.isArray(frame.container);
    if (isObject) (frame.container as JsonObject)[frame.key as string] = value;
    else (frame.container as JsonValue[]).push(value);
    this.#skipSpace();
    const c = this.text.charCodeAt(this.#at);
    if (c === COMMA) {
      this.#at += 1;
      if (isObject) frame.key = this.#key(frame.container as JsonObject);
      return this.#value();
    }
    if (c === (isObject ? CLOSE_BRACE : CLOSE_BRACKET)) {
      this.#at += 1;
      this.#stack.pop();
      return frame.container;
    }
    return this.#fail(
      isObject ? 'expected , or } after an object member' : 'expected , or ] after an array element',
    );
  }

  /** Reads `"key":` for the next member of `object`. */
  #key(object: JsonObject): string {
    this.#skipSpace();
    const start = this.#at;
    if (this.text.charCodeAt(this.#at) !== QUOTE) this.#fail('expected a "quoted" object key');
    const key = this.#string();
    if (key === '__proto__') this.#fail('the key "__proto__" is not allowed', start);
    if (Object.hasOwn(object, key)) {
      this.#fail(`duplicate key "${key}" (each key may appear once)`, start);
    }
    this.#skipSpace();
    if (this.text.charCodeAt(this.#at) !== COLON) this.#fail(`expected : after the key "${key}"`);
    this.#at += 1;
    return key;
  }

  #scalar(c: number): JsonValue {
    if (c === QUOTE) return this.#string();
    if (c === 0x74 /* t */) return this.#literal('true', true);
    if (c === 0x66 /* f */) return this.#literal('false', false);
    if (c === 0x6e /* n */) return this.#literal('null', null);
    if (c === 0x2d /* - */ || (c >= 0x30 && c <= 0x39)) {
      NUMBER.lastIndex = this.#at;
      const match = NUMBER.exec(this.text);
      if (match) {
        this.#at += match[0].length;
        return new JsonNumber(match[0]);
      }
      return this.#fail('invalid number');
    }
    return this.#fail(Number.isNaN(c) ? 'unexpected end of the JSON text' : 'expected a JSON value');
  }

  #literal<T>(word: string, value: T): T {
    if (!this.text.startsWith(word, this.#at)) this.#fail('expected a JSON value');
    this.#at += word.length;
    return value;
  }

  /** Reads a string starting at the opening quote; plain runs are sliced, not copied char by char. */
  #string(): string {
    const text = this.text;
    let at = this.#at + 1;
    let out = '';
    let runStart = at;
    for (;;) {
      const c = text.charCodeAt(at);
      if (c === QUOTE) {
        this.#at = at + 1;
        return out + text.slice(runStart, at);
      }
      if (c === BACKSLASH) {
        out += text.slice(runStart, at);
        const [decoded, next] = this.#escape(at);
        out += decoded;
        at = next;
        runStart = at;
        continue;
      }
      if (c < 0x20 || Number.isNaN(c)) {
        this.#fail(Number.isNaN(c) ? 'unterminated string' : 'control character in a string (escape it)', at);
      }
      at += 1;
    }
  }

  #escape(at: number): [string, number] {
    const e = this.text.charAt(at + 1);
    const simple = ESCAPES[e];
    if (simple !== undefined) return [simple, at + 2];
    if (e === 'u') {
      const hex = this.text.slice(at + 2, at + 6);
      if (/^[0-9a-fA-F]{4}$/.test(hex)) return [String.fromCharCode(Number.parseInt(hex, 16)), at + 6];
    }
    return this.#fail('invalid escape in a string', at);
  }

  #skipSpace(): void {
    const text = this.text;
    let at = this.#at;
    for (;;) {
      const c = text.charCodeAt(at);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      at += 1;
    }
    this.#at = at;
  }

  #fail(what: string, at: number = this.#at): never {
    const before = this.text.slice(0, at);
    const line = before.split('\n').length;
    const column = at - before.lastIndexOf('\n');
    throw new JsonSyntaxError(`invalid JSON at line ${line} column ${column}: ${what}`, at);
  }
}

/** Canonical text of a parsed value (keys sorted, no spaces, numbers as written). */
export function canonicalJsonText(value: JsonValue): string {
  if (value instanceof JsonNumber) return value.text;
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJsonText).join(',')}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJsonText(value[k] as JsonValue)}`).join(',')}}`;
}

export function isJsonObject(value: JsonValue | undefined): value is JsonObject {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof JsonNumber)
  );
}
