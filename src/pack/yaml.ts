/**
 * YAML with positions. Documents are parsed once with the `yaml` package (YAML 1.2 core schema:
 * timestamps stay the exact strings written, `True`/`False` are booleans, explicit null is null),
 * duplicate keys are refused, and alias expansion is bounded. Values are built from the node tree
 * here rather than with `toJS`, so the nodes stay available for positions: `locate(path)` finds
 * the node behind any value and maps it to a file position through the document's text map.
 */
import { createRequire } from 'node:module';
import type * as YamlModule from 'yaml';
import type { Document, Node } from 'yaml';
import jsyaml from 'js-yaml';
import { scalarText, type LineColumn, type ScalarStyle, type TextMap } from './text.js';
import { clip, type FindingCode } from '../findings.js';

export type PathSegment = string | number;

export interface YamlProblem {
  code: FindingCode;
  message: string;
  offset: number;
  hint?: string;
}

/** Maximum number of nodes produced by expanding aliases in one document. */
export const MAX_ALIAS_EXPANSION = 10_000;

export interface YamlDocument {
  value: unknown;
  map: TextMap;
  /** Position of the value (or, with `key`, of the mapping key) at `path`; the nearest existing ancestor when the path is absent. */
  locate(path: readonly PathSegment[], key?: boolean): LineColumn;
  /** Text map for the string value at `path` (for positions inside the string). */
  stringMap(path: readonly PathSegment[], key?: boolean): TextMap | undefined;
  /** The source text of the scalar at `path`, as written. */
  source(path: readonly PathSegment[]): string | undefined;
}

export interface ParsedYaml {
  documents: YamlDocument[];
  problems: YamlProblem[];
}

/**
 * The yaml package reports an unterminated quoted string at the end of the text. The string runs
 * to the end, so its opening quote is the last quote before that which starts a scalar.
 */
function openingQuote(text: string, end: number, quote: string): number {
  for (let i = Math.min(end, text.length) - 1; i >= 0; i--) {
    if (text[i] !== quote) continue;
    const before = i === 0 ? '\n' : (text[i - 1] as string);
    if (/[\s:[{,-]/.test(before)) return i;
  }
  return end;
}

class AliasLimit extends Error {
  constructor(readonly offset: number) {
    super('alias limit');
  }
}

// The positioned parser loads on first use: valid input is read by js-yaml alone.
let yamlModule: typeof YamlModule | undefined;
function yaml(): typeof YamlModule {
  yamlModule ??= createRequire(import.meta.url)('yaml') as typeof YamlModule;
  return yamlModule;
}

function problemCode(code: string): FindingCode {
  return code === 'DUPLICATE_KEY' ? 'E_YAML_DUPLICATE_KEY' : 'E_YAML_SYNTAX';
}

function cleanMessage(message: string): string {
  // The yaml package appends "at line X, column Y" and a code frame; we report positions ourselves.
  // It quotes the offending token whole: a line of binary data would make the message huge.
  return clip((message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, ''), 160);
}

function keyString(key: unknown): string {
  if (yaml().isScalar(key)) return String(key.value);
  return String(key);
}

/** Syntax problems reported per text: past this, more of them only bury the first (binary input). */
export const MAX_YAML_PROBLEMS = 10;

function capped(problems: YamlProblem[]): YamlProblem[] {
  if (problems.length <= MAX_YAML_PROBLEMS) return problems;
  const rest = problems.length - MAX_YAML_PROBLEMS;
  const next = problems[MAX_YAML_PROBLEMS] as YamlProblem;
  return [
    ...problems.slice(0, MAX_YAML_PROBLEMS),
    {
      code: next.code,
      message: `${rest} more YAML error${rest === 1 ? '' : 's'} from here on are not shown`,
      offset: next.offset,
      hint: 'fix the errors above first; if there are this many, check the file is YAML text',
    },
  ];
}

export function parseYaml(map: TextMap): ParsedYaml {
  const problems: YamlProblem[] = [];
  const docs = yaml().parseAllDocuments(map.text, {
    schema: 'core',
    uniqueKeys: true,
    prettyErrors: false,
    keepSourceTokens: false,
    strict: true,
  });
  const list = Array.isArray(docs) ? docs : [];
  const documents: YamlDocument[] = [];
  for (const doc of list) {
    if (doc.errors.length > 0) {
      for (const err of doc.errors) {
        const quote = err.code === 'MISSING_CHAR' ? /closing (["'])quote/.exec(err.message)?.[1] : undefined;
        problems.push({
          code: problemCode(err.code),
          message: quote
            ? `missing closing ${quote}: this quoted string never ends`
            : cleanMessage(err.message),
          offset: quote ? openingQuote(map.text, err.pos[0], quote) : err.pos[0],
          ...(err.code === 'DUPLICATE_KEY'
            ? { hint: 'remove one of the two keys; YAML does not allow a key twice in one mapping' }
            : {}),
        });
      }
      continue;
    }
    try {
      const built = buildDocument(doc, map);
      // An empty or null document (a comment before the first `---`) holds nothing.
      if (built.value !== null && built.value !== undefined) documents.push(built);
    } catch (err) {
      if (!(err instanceof AliasLimit)) throw err;
      problems.push({
        code: 'E_YAML_ALIAS_LIMIT',
        message: `aliases expand to more than ${MAX_ALIAS_EXPANSION} nodes`,
        offset: err.offset,
        hint: 'write the values out, or use fewer nested aliases; documents like this are a known denial-of-service pattern',
      });
    }
  }
  return { documents, problems: capped(problems) };
}

function buildDocument(doc: Document, map: TextMap): YamlDocument {
  const { isAlias, isMap, isPair, isScalar, isSeq } = yaml();
  let expanded = 0;
  // `alias` is the offset of the outermost alias being expanded: where a bomb is reported.
  const build = (node: unknown, alias: number | null): unknown => {
    if (alias !== null && ++expanded > MAX_ALIAS_EXPANSION) throw new AliasLimit(alias);
    if (isAlias(node)) {
      const target = node.resolve(doc);
      if (target === undefined) return null;
      const at = alias ?? node.range?.[0] ?? 0;
      if (++expanded > MAX_ALIAS_EXPANSION) throw new AliasLimit(at);
      return build(target, at);
    }
    if (isScalar(node)) return node.value;
    if (isMap(node)) {
      const out: Record<string, unknown> = {};
      for (const pair of node.items) {
        Object.defineProperty(out, keyString(pair.key), {
          value: build(pair.value, alias),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return out;
    }
    if (isSeq(node)) return node.items.map((item) => build(item, alias));
    if (isPair(node)) return build(node.value, alias);
    return null;
  };
  const value = build(doc.contents, null);

  const find = (path: readonly PathSegment[], key: boolean): Node | undefined => {
    let node: unknown = doc.contents;
    let keyNode: unknown;
    for (const seg of path) {
      if (isAlias(node)) node = node.resolve(doc);
      if (isMap(node)) {
        const pair = node.items.find((p) => keyString(p.key) === String(seg));
        if (pair === undefined) return node as Node;
        keyNode = pair.key;
        node = pair.value ?? pair.key;
      } else if (isSeq(node) && typeof seg === 'number') {
        const item = node.items[seg];
        if (item === undefined) return node as Node;
        keyNode = undefined;
        node = item;
      } else {
        return node as Node;
      }
    }
    return (key && keyNode !== undefined ? keyNode : node) as Node;
  };

  return {
    value,
    map,
    locate(path, key = false) {
      const node = find(path, key);
      return map.position(node?.range?.[0] ?? 0);
    },
    stringMap(path, key = false) {
      const node = find(path, key);
      if (!isScalar(node) || typeof node.value !== 'string' || node.range == null) return undefined;
      return scalarText(map, node.value, node.type as ScalarStyle, node.range[0], node.range[1]);
    },
    source(path) {
      const node = find(path, false);
      if (!isScalar(node) || node.range == null) return undefined;
      return map.text.slice(node.range[0], node.range[1]);
    },
  };
}

/**
 * Text that could hold an alias (`*name`) or a tag other than the core ones. Such documents take
 * the positioned path, which bounds alias expansion; a false positive only costs speed.
 */
const SLOW_PATH = /(?:^|[\s[{,])\*[^\s,\]}]|(?:^|[\s[{,:-])!(?!!(?:str|int|float|bool|null|map|seq)\b)/m;

/**
 * The same result as `parseYaml`, faster: valid documents are read by js-yaml (an order of
 * magnitude quicker, no positions), and positions come from a positioned parse of the same text
 * made only when one is asked for (a finding). Anything js-yaml refuses, and anything that might
 * hold aliases, goes to `parseYaml`, whose verdict is the one reported.
 */
export function parseYamlFast(map: TextMap): ParsedYaml {
  if (SLOW_PATH.test(map.text)) return parseYaml(map);
  let values: unknown[];
  try {
    values = jsyaml.loadAll(map.text, undefined, { schema: jsyaml.CORE_SCHEMA, json: false });
  } catch {
    return parseYaml(map);
  }
  let positioned: ParsedYaml | undefined;
  const full = (): ParsedYaml => (positioned ??= parseYaml(map));
  const documents: YamlDocument[] = [];
  for (const value of values) {
    if (value === null || value === undefined) continue;
    const index = documents.length;
    const doc = (): YamlDocument | undefined => full().documents[index];
    documents.push({
      value,
      map,
      locate: (path, key) => doc()?.locate(path, key) ?? { line: 1, column: 1 },
      stringMap: (path, key) => doc()?.stringMap(path, key),
      source: (path) => doc()?.source(path),
    });
  }
  return { documents, problems: [] };
}
