/**
 * Sites: where something stands in the input. Analysis records most sites lazily (file, document,
 * path, offset) because turning them into line and column needs the positioned YAML parse, which
 * valid input never needs; a `Locator` resolves them when a finding or a graph edge asks.
 */
import { FileText, type LineColumn } from './text.js';
import { readText, type ReadLimits } from './limits.js';
import { parseYaml, type ParsedYaml, type PathSegment, type YamlDocument } from './yaml.js';

/** A resolved position: `file` is the display path. */
export interface FixedSite {
  file: string;
  line: number;
  column: number;
}

/** A position not yet resolved: a string (or key) inside a YAML document, at `offset` in it. */
export interface LazySite {
  /** Absolute path of the YAML file. */
  path: string;
  shown: string;
  /** Index of the (non-empty) document in the file. */
  doc: number;
  /** Path inside the document (to the payload string, when `payload` is set). */
  at: PathSegment[];
  /** Path inside a block-string payload document. */
  payload: { at: PathSegment[]; key: boolean } | null;
  /** Position of the mapping key rather than of the value. */
  key: boolean;
  /** Offset inside the string value (or key); null for the position of the node itself. */
  offset: number | null;
}

export type Site = FixedSite | LazySite;

export function isFixed(site: Site): site is FixedSite {
  return 'line' in site;
}

/** YAML text as positions count it: a byte order mark is not a column. */
export function yamlText(raw: string): string {
  return raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
}

export class Locator {
  #files = new Map<string, ParsedYaml | null>();
  #payloads = new Map<string, YamlDocument | null>();

  /** `limits` bound each file read again (the run's total already counted it once). */
  constructor(private readonly limits: ReadLimits) {}

  #document(site: LazySite): YamlDocument | undefined {
    let parsed = this.#files.get(site.path);
    if (parsed === undefined) {
      const read = readText(site.path, this.limits, null);
      parsed = 'refused' in read ? null : parseYaml(new FileText(site.shown, yamlText(read.text)));
      this.#files.set(site.path, parsed);
    }
    return parsed?.documents[site.doc];
  }

  resolve(site: Site): FixedSite {
    if (isFixed(site)) return site;
    const at = (pos: LineColumn): FixedSite => ({ file: site.shown, line: pos.line, column: pos.column });
    const doc = this.#document(site);
    if (!doc) return at({ line: 1, column: 1 });
    if (site.payload === null) {
      const map = site.offset !== null ? doc.stringMap(site.at, site.key) : undefined;
      return at(map && site.offset !== null ? map.position(site.offset) : doc.locate(site.at, site.key));
    }
    const key = `${site.path}\u0000${site.doc}\u0000${JSON.stringify(site.at)}`;
    let payload = this.#payloads.get(key);
    if (payload === undefined) {
      const map = doc.stringMap(site.at);
      payload = map ? (parseYaml(map).documents[0] ?? null) : null;
      this.#payloads.set(key, payload);
    }
    if (!payload) return at(doc.locate(site.at));
    const inner = site.payload;
    const map = site.offset !== null ? payload.stringMap(inner.at, inner.key) : undefined;
    return at(map && site.offset !== null ? map.position(site.offset) : payload.locate(inner.at, inner.key));
  }
}
