/**
 * JSON Schemas: one copy in `schemas/`, loaded and compiled once per process, shared by the CLI
 * (validate, config) and the server (request bodies). Ajv errors become findings with positions
 * and hints (nearest valid key, allowed values).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as Ajv2020Module from 'ajv/dist/2020.js';
import type { Ajv2020, ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import { clip, type FindingCode } from '../findings.js';
import { nearest } from '../util/nearest.js';
import type { PathSegment } from '../pack/yaml.js';

export const SCHEMA_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'schemas');
export const SCHEMA_BASE = 'https://strata.local/schemas/';

/**
 * A schema file's document with its `$id` made absolute. The files' `$id`s are relative (their own
 * file names) so that editors resolve `$ref`s to the files beside them; resolved against the
 * file's place under SCHEMA_BASE, they give every schema the same absolute id wherever it loads.
 */
export function withAbsoluteId(document: Record<string, unknown>, file: string): Record<string, unknown> {
  const id = typeof document.$id === 'string' ? document.$id : file.split('/').pop();
  return { ...document, $id: new URL(id ?? file, `${SCHEMA_BASE}${file}`).href };
}

/** Keywords for editors (yaml-language-server, VS Code) that validation ignores. */
export const EDITOR_KEYWORDS = ['markdownEnumDescriptions'] as const;

export interface SchemaViolation {
  code: FindingCode;
  message: string;
  /** Path of the offending value inside the validated document. */
  path: PathSegment[];
  /** True when the position is that of a mapping key (unknown fields). */
  atKey: boolean;
  hint?: string;
  /** A scalar that would pass as a string: the hint should show it quoted, as written. */
  quote?: boolean;
}

let ajvInstance: Ajv2020 | undefined;
const compiled = new Map<string, ValidateFunction>();

function schemaFiles(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) out.push(...schemaFiles(join(dir, entry.name), `${prefix}${entry.name}/`));
    else if (entry.name.endsWith('.schema.json')) out.push(`${prefix}${entry.name}`);
  }
  return out.sort();
}

const require = createRequire(import.meta.url);

/** Ajv itself loads only when a schema has no precompiled validator (running from sources). */
function ajv(): Ajv2020 {
  if (ajvInstance) return ajvInstance;
  const { Ajv2020: Ajv } = require('ajv/dist/2020.js') as typeof Ajv2020Module;
  const instance = new Ajv({ allErrors: true, strict: true, verbose: true, allowUnionTypes: true });
  instance.addKeyword({ keyword: 'x-strata', schemaType: 'object' });
  for (const keyword of EDITOR_KEYWORDS) instance.addKeyword({ keyword, schemaType: 'array' });
  for (const file of schemaFiles(SCHEMA_DIR)) {
    const document = JSON.parse(readFileSync(join(SCHEMA_DIR, file), 'utf8')) as Record<string, unknown>;
    instance.addSchema(withAbsoluteId(document, file));
  }
  ajvInstance = instance;
  return instance;
}

let precompiledModule: Record<string, ValidateFunction> | null | undefined;

/**
 * The build compiles every schema to standalone code (scripts/compile-schemas.js), so the built
 * program never compiles schemas at start-up; running from the TypeScript sources compiles them.
 */
function precompiled(name: string): ValidateFunction | undefined {
  if (precompiledModule === undefined) {
    try {
      precompiledModule = createRequire(import.meta.url)('./compiled.cjs') as Record<
        string,
        ValidateFunction
      >;
    } catch {
      precompiledModule = null;
    }
  }
  return precompiledModule?.[name];
}

/** The compiled validator of `schemas/<name>.schema.json`. */
export function validator(name: string): ValidateFunction {
  let fn = compiled.get(name);
  if (!fn) {
    const id = `${SCHEMA_BASE}${name}.schema.json`;
    fn = precompiled(name) ?? ajv().getSchema(id);
    if (!fn) throw new Error(`bug: schema ${id} is not in ${SCHEMA_DIR}`);
    compiled.set(name, fn);
  }
  return fn;
}

const documents = new Map<string, Record<string, unknown>>();

/** The raw schema document of `schemas/<name>.schema.json`. */
export function schemaDocument(name: string): Record<string, unknown> {
  let doc = documents.get(name);
  if (!doc) {
    doc = JSON.parse(readFileSync(join(SCHEMA_DIR, `${name}.schema.json`), 'utf8')) as Record<
      string,
      unknown
    >;
    documents.set(name, doc);
  }
  return doc;
}

function pointerToPath(pointer: string): PathSegment[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^(0|[1-9][0-9]*)$/.test(s) ? Number(s) : s));
}

function describePath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out === '' ? seg : `.${seg}`;
  return out === '' ? 'the document' : clip(out, 120);
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'number') return 'a number';
  if (typeof value === 'boolean') return 'a boolean';
  return typeof value;
}

/**
 * Ajv reports every branch of an `anyOf`. Our schemas put the real type first and the reference
 * and `unset` (null) alternatives after it, so only the first branch's errors are useful to a person.
 */
function usefulErrors(errors: readonly ErrorObject[]): ErrorObject[] {
  const kept = errors.filter(
    (e) =>
      !/\/anyOf\/[1-9][0-9]*\//.test(e.schemaPath) &&
      !e.schemaPath.includes('$defs/reference/') &&
      !e.schemaPath.includes('$defs/unset/') &&
      e.keyword !== 'if',
  );
  // An anyOf error says no more than the errors of its first branch, at or below its path.
  const paths = kept.filter((e) => e.keyword !== 'anyOf').map((e) => e.instancePath);
  const explained = (at: string) => paths.some((p) => p === at || p.startsWith(`${at}/`));
  return kept.filter((e) => e.keyword !== 'anyOf' || !explained(e.instancePath));
}

export function toViolations(errors: readonly ErrorObject[] | null | undefined): SchemaViolation[] {
  const out: SchemaViolation[] = [];
  const seen = new Set<string>();
  for (const e of usefulErrors(errors ?? [])) {
    const path = pointerToPath(e.instancePath);
    const where = describePath(path);
    let v: SchemaViolation;
    switch (e.keyword) {
      case 'additionalProperties': {
        const key = String((e.params as { additionalProperty: string }).additionalProperty);
        const props = Object.keys(
          ((e.parentSchema as { properties?: object } | undefined)?.properties ?? {}) as object,
        );
        const near = nearest(key, props);
        v = {
          code: 'E_SCHEMA_UNKNOWN_FIELD',
          message: `unknown field "${clip(key)}" in ${where}`,
          path: [...path, key],
          atKey: true,
          hint: near ? `did you mean "${near}"?` : `valid fields: ${props.join(', ')}`,
        };
        break;
      }
      case 'required': {
        const missing = String((e.params as { missingProperty: string }).missingProperty);
        v = {
          code: 'E_SCHEMA_REQUIRED',
          message: `missing required field "${missing}" in ${where}`,
          path,
          atKey: false,
          hint: `add "${missing}"`,
        };
        break;
      }
      case 'enum': {
        const allowed = ((e.params as { allowedValues: unknown[] }).allowedValues ?? []).map(String);
        const near = typeof e.data === 'string' ? nearest(e.data, allowed) : undefined;
        v = {
          code: 'E_SCHEMA_ENUM',
          message: `${where} is ${clip(JSON.stringify(e.data) ?? String(e.data))}, which is not one of the allowed values`,
          path,
          atKey: false,
          hint: near
            ? `did you mean "${near}"? allowed: ${allowed.join(', ')}`
            : `allowed: ${allowed.join(', ')}`,
        };
        break;
      }
      case 'type': {
        const expected = String((e.params as { type: string }).type);
        const quote = expected === 'string' && (typeof e.data === 'number' || typeof e.data === 'boolean');
        v = {
          code: 'E_SCHEMA_TYPE',
          message: `${where} must be ${expected.replace(/,/g, ' or ')}, not ${typeName(e.data)}`,
          path,
          atKey: false,
          ...(quote ? { hint: `quote the value: "${clip(String(e.data))}"`, quote: true } : {}),
          // Optional fields accept null (unset); a null that is refused stands where a value is needed.
          ...(e.data === null ? { hint: 'null means "unset", and this field needs a value' } : {}),
        };
        break;
      }
      default:
        v = { code: 'E_SCHEMA', message: `${where} ${e.message ?? 'is invalid'}`, path, atKey: false };
    }
    const key = `${v.code}|${v.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(v);
    }
  }
  return out;
}

/** Validates `value` against `schemas/<name>.schema.json`. */
export function checkSchema(name: string, value: unknown): SchemaViolation[] {
  const fn = validator(name);
  return fn(value) ? [] : toViolations(fn.errors);
}
