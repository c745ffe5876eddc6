/**
 * The JSON Schemas of schemas/ as OpenAPI 3.1 components. OpenAPI 3.1 schema objects are JSON
 * Schema 2020-12, so the schemas are used as written; only their `$ref`s change: every `$defs`
 * entry a reference reaches becomes a component of its own (`#/components/schemas/IdOrReference`),
 * so tools that do not follow `$id`s across documents still resolve every reference.
 *
 * Invariant: a reference in a schema file is resolved against that file's location under
 * `schemas/` (as an editor and Ajv resolve it), never against a `$id`.
 */
import { schemaDocument } from '../../schema/index.js';

export type Schema = Record<string, unknown>;

const BASE = 'https://strata.local/schemas/';
const DEFS = `${BASE}defs.schema.json`;
const COMPONENT = '#/components/schemas/';

function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fileUrl(name: string): string {
  return `${BASE}${name}.schema.json`;
}

/** `schemas/<name>.schema.json` with every `$ref` made absolute, without `$id`, `$schema`, `x-strata`. */
export function loadSchema(name: string): Schema {
  const base = fileUrl(name);
  const absolute = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(absolute);
    if (!isSchema(node)) return node;
    const out: Schema = {};
    for (const [key, value] of Object.entries(node)) {
      if (key === '$id' || key === '$schema' || key === 'x-strata') continue;
      out[key] = key === '$ref' && typeof value === 'string' ? new URL(value, base).href : absolute(value);
    }
    return out;
  };
  return absolute(schemaDocument(name)) as Schema;
}

function refersTo(node: unknown, def: string): boolean {
  return isSchema(node) && node.$ref === `${DEFS}#/$defs/${def}`;
}

/**
 * A payload schema as the server holds it after resolving: `&{...}` references are refused
 * (UNRESOLVED_REFERENCE), so the reference alternatives go, and each `...OrReference` becomes
 * its first branch (the real value's schema, by the convention of defs.schema.json). Responses
 * never hold null (null means unset and is not stored), so `unset` goes too unless `keepUnset`.
 */
export function withoutReferences(schema: Schema, keepUnset: boolean): Schema {
  const defs = loadSchema('defs').$defs as Record<string, Schema>;
  const strip = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(strip);
    if (!isSchema(node)) return node;
    const ref = typeof node.$ref === 'string' ? /#\/\$defs\/(\w+)OrReference$/.exec(node.$ref) : null;
    if (ref && node.$ref === `${DEFS}#/$defs/${ref[1]}OrReference`) {
      const first = (defs[`${ref[1]}OrReference`]?.anyOf as unknown[] | undefined)?.[0];
      const { $ref: _replaced, ...rest } = node;
      return strip({ ...(first as Schema), ...rest });
    }
    const out: Schema = {};
    for (const [key, value] of Object.entries(node)) out[key] = strip(value);
    if (Array.isArray(out.anyOf)) {
      const kept = out.anyOf.filter(
        (branch) => !refersTo(branch, 'reference') && (keepUnset || !refersTo(branch, 'unset')),
      );
      if (kept.length === 1) {
        const { anyOf: _branches, ...rest } = out;
        return { ...(kept[0] as Schema), ...rest };
      }
      out.anyOf = kept;
    }
    return out;
  };
  return strip(schema) as Schema;
}

function pascal(name: string): string {
  return name.replace(/(^|[_-])([a-z0-9])/g, (_m, _sep: string, c: string) => c.toUpperCase());
}

/** The components of one OpenAPI document: schemas added by name, `$defs` hoisted on first use. */
export class SchemaComponents {
  readonly schemas: Record<string, Schema> = {};
  readonly #hoisted = new Map<string, string>();

  /** Adds `schema` (absolute refs) as the component `name`; returns the reference to it. */
  add(name: string, schema: Schema): Schema {
    if (name in this.schemas) throw new Error(`bug: two OpenAPI components named ${name}`);
    this.schemas[name] = {};
    this.schemas[name] = this.rewrite(schema) as Schema;
    return this.ref(name);
  }

  ref(name: string): Schema {
    return { $ref: `${COMPONENT}${name}` };
  }

  /** The reference to a `$defs` entry of a schema file, hoisting it (and what it reaches). */
  def(file: string, def: string): Schema {
    return this.rewrite({ $ref: `${fileUrl(file)}#/$defs/${def}` }) as Schema;
  }

  /** `node` with every absolute `$ref` turned into a component reference. */
  rewrite(node: unknown): unknown {
    if (Array.isArray(node)) return node.map((n) => this.rewrite(n));
    if (!isSchema(node)) return node;
    const out: Schema = {};
    for (const [key, value] of Object.entries(node)) {
      out[key] = key === '$ref' && typeof value === 'string' ? this.#target(value) : this.rewrite(value);
    }
    return out;
  }

  #target(absolute: string): string {
    if (absolute.startsWith(COMPONENT)) return absolute;
    const m = /^https:\/\/strata\.local\/schemas\/(.+)\.schema\.json#\/\$defs\/([^/]+)(\/.*)?$/.exec(
      absolute,
    );
    if (!m) throw new Error(`bug: the OpenAPI document cannot refer to ${absolute}`);
    const [, file, def, rest] = m as unknown as [string, string, string, string | undefined];
    const key = `${file}#${def}`;
    let name = this.#hoisted.get(key);
    if (name === undefined) {
      name = pascal(def);
      if (name in this.schemas) name = `${pascal(file.replace(/\//g, '_'))}${name}`;
      this.#hoisted.set(key, name);
      const defs = loadSchema(file).$defs as Record<string, Schema> | undefined;
      const schema = defs?.[def];
      if (schema === undefined) throw new Error(`bug: schemas/${file}.schema.json has no $defs/${def}`);
      this.add(name, schema);
    }
    return `${COMPONENT}${name}${rest ?? ''}`;
  }
}
