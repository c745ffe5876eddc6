import { readFileSync, readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { withAbsoluteId } from '../../src/schema/index.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const SCHEMA_DIR = fileURLToPath(new URL('../../schemas/', import.meta.url));
const ID_BASE = 'https://strata.local/schemas/';

function listJsonFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return listJsonFiles(path);
      return entry.name.endsWith('.json') ? [path] : [];
    })
    .sort();
}

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const schemas = new Map<string, JsonObject>(
  listJsonFiles(SCHEMA_DIR).map((file) => {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Json;
    if (!isObject(parsed)) throw new Error(`${file} is not a JSON object`);
    return [relative(SCHEMA_DIR, file).split(sep).join('/'), parsed];
  }),
);

function makeAjv(): Ajv2020 {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  ajv.addKeyword('x-strata');
  ajv.addKeyword('markdownEnumDescriptions');
  for (const [path, schema] of schemas) ajv.addSchema(withAbsoluteId(schema, path));
  return ajv;
}

const ajv = makeAjv();

function validator(relPath: string): ValidateFunction {
  const validate = ajv.getSchema(ID_BASE + relPath);
  if (!validate) throw new Error(`no schema ${relPath}`);
  return validate;
}

function expectValid(validate: ValidateFunction, data: Json): void {
  const ok = validate(data);
  expect(validate.errors ?? [], 'unexpected errors').toEqual([]);
  expect(ok).toBe(true);
}

function errorsOf(validate: ValidateFunction, data: Json): ErrorObject[] {
  expect(validate(data), 'expected the data to be invalid').toBe(false);
  return validate.errors ?? [];
}

/** A copy of `base` with the value at JSON pointer `at` replaced, or removed when `value` is undefined. */
function edited(base: Json, at: string, value: Json | undefined): Json {
  const copy = structuredClone(base);
  const keys = at.split('/').slice(1);
  const last = keys.pop();
  if (last === undefined) throw new Error('cannot edit the root');
  let node: Json | undefined = copy;
  for (const key of keys) node = Array.isArray(node) ? node[Number(key)] : isObject(node) ? node[key] : undefined;
  if (Array.isArray(node)) {
    if (value === undefined) node.splice(Number(last), 1);
    else node[Number(last)] = value;
  } else if (isObject(node)) {
    if (value === undefined) delete node[last];
    else node[last] = value;
  } else {
    throw new Error(`no container at ${at}`);
  }
  return copy;
}

interface InvalidCase {
  name: string;
  /** JSON pointer of the value to change in the valid example. */
  at: string;
  /** The new value; absent means the key is removed. */
  set?: Json;
  keyword: string;
  params?: Record<string, unknown>;
  /** Where the expected error points; defaults to `at`, or its parent for required/additionalProperties. */
  instancePath?: string;
  /** The expected error must be the first one reported (the error mapper shows the first). Default true. */
  first?: boolean;
}

function parentOf(pointer: string): string {
  return pointer.slice(0, pointer.lastIndexOf('/'));
}

function lastKey(pointer: string): string {
  return pointer.slice(pointer.lastIndexOf('/') + 1);
}

function expectInvalidCase(validate: ValidateFunction, valid: Json, c: InvalidCase): void {
  const data = edited(valid, c.at, c.set);
  const errors = errorsOf(validate, data);
  const onParent = c.keyword === 'required' || c.keyword === 'additionalProperties';
  const defaultParams: Record<string, unknown> =
    c.keyword === 'required'
      ? { missingProperty: lastKey(c.at) }
      : c.keyword === 'additionalProperties'
        ? { additionalProperty: lastKey(c.at) }
        : {};
  const expected = expect.objectContaining({
    keyword: c.keyword,
    instancePath: c.instancePath ?? (onParent ? parentOf(c.at) : c.at),
    params: expect.objectContaining(c.params ?? defaultParams),
  });
  if (c.first ?? true) expect(errors[0]).toEqual(expected);
  else expect(errors).toContainEqual(expected);
}

/** Every JSON pointer of a plain object inside `value`, the root included. */
function objectPointers(value: Json, at = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => objectPointers(item, `${at}/${i}`));
  if (!isObject(value)) return [];
  return [at, ...Object.entries(value).flatMap(([key, item]) => objectPointers(item, `${at}/${key}`))];
}

/** Adds an unknown key to every object of `example` except the open maps; returns how many objects were tried. */
function expectUnknownKeysRefused(validate: ValidateFunction, example: Json, maps: string[] = []): number {
  const pointers = objectPointers(example).filter((p) => !maps.includes(p));
  for (const pointer of pointers) {
    expectInvalidCase(validate, example, {
      name: `unknown key at ${pointer}`,
      at: `${pointer}/unexpected_key`,
      set: 'x',
      keyword: 'additionalProperties',
    });
  }
  return pointers.length;
}

const UNSET_REF = /defs\.schema\.json#\/\$defs\/unset$/;

/** Whether `branches` (an anyOf) is the wrapper that makes an optional field accept null. */
function isNullable(branches: Json | undefined): boolean {
  if (!Array.isArray(branches)) return false;
  const last = branches[branches.length - 1];
  return isObject(last) && typeof last.$ref === 'string' && UNSET_REF.test(last.$ref);
}

/** Calls `visit` on every subschema, with whether it sits under a composite keyword (anyOf, if, ...). */
function walkSchema(node: Json, visit: (schema: JsonObject, inComposite: boolean) => void, inComposite = false): void {
  if (Array.isArray(node)) {
    for (const item of node) walkSchema(item, visit, inComposite);
    return;
  }
  if (!isObject(node)) return;
  visit(node, inComposite);
  for (const [key, child] of Object.entries(node)) {
    if (key === 'x-strata' || key === 'examples' || key === 'enum' || key === 'const') continue;
    // `anyOf: [<schema>, unset]` only lets an optional field be null: its schema is the real one.
    const composite =
      ['anyOf', 'oneOf', 'allOf', 'not', 'if', 'then', 'else'].includes(key) && !(key === 'anyOf' && isNullable(child));
    if (key === 'properties' || key === '$defs') {
      if (isObject(child)) for (const sub of Object.values(child)) walkSchema(sub, visit, inComposite);
    } else {
      walkSchema(child, visit, inComposite || composite);
    }
  }
}

const TYPE_FILES = [
  'smart_contract_version',
  'internal_account',
  'flag_definition',
  'account_schedule_tag',
  'calendar',
  'calendar_event',
  'contract_module',
  'contract_module_version',
  'smart_contract_module_versions_link',
  'supervisor_contract',
  'supervisor_contract_version',
  'workflow_definition_version',
  'global_parameter',
];

const REFERENCE_REF = /defs\.schema\.json#\/\$defs\/(reference|unset)$|^#\/\$defs\/(reference|unset)$/;

describe('schema files', () => {
  it('include the input, config and result schemas and one schema per resource type', () => {
    expect([...schemas.keys()]).toEqual(
      expect.arrayContaining([
        'config.schema.json',
        'defs.schema.json',
        'manifest.schema.json',
        'resource.schema.json',
        'resources-file.schema.json',
        'validate-result.schema.json',
        ...TYPE_FILES.map((name) => `types/${name}.schema.json`),
      ]),
    );
    expect([...schemas.keys()].filter((path) => path.startsWith('types/'))).toHaveLength(TYPE_FILES.length);
  });

  it.each([...schemas.entries()])('%s declares draft 2020-12, its $id, a title and a description', (path, schema) => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    // Relative: its own file name, so that editors resolve references to the files beside it.
    expect(schema.$id).toBe(path.split('/').pop());
    expect(new URL(String(schema.$id), `file:///schemas/${path}`).href).toBe(`file:///schemas/${path}`);
    expect(typeof schema.title).toBe('string');
    expect(typeof schema.description).toBe('string');
  });

  it.each([...schemas.keys()])('%s compiles under strict mode', (path) => {
    expect(() => validator(path)).not.toThrow();
  });

  it('do not compile under strict mode without the x-strata keyword', () => {
    const bare = new Ajv2020({ strict: true });
    bare.addSchema(schemas.get('defs.schema.json') ?? {});
    expect(() => bare.compile(schemas.get('types/calendar.schema.json') ?? {})).toThrow(/x-strata/);
  });

  it.each([...schemas.entries()])('%s puts the reference and unset branches after the real schema in every anyOf', (_path, schema) => {
    walkSchema(schema, (node) => {
      const branches = node.anyOf;
      if (!Array.isArray(branches)) return;
      const first = branches[0];
      expect(isObject(first) && typeof first.$ref === 'string' && REFERENCE_REF.test(first.$ref)).toBe(false);
    });
  });

  it.each([...schemas.entries()])('%s closes every object it describes', (_path, schema) => {
    walkSchema(schema, (node, inComposite) => {
      if (inComposite || node.type !== 'object') return;
      expect(node.additionalProperties, JSON.stringify(node).slice(0, 120)).toBeDefined();
      if (node.properties !== undefined) expect(node.additionalProperties).toBe(false);
    });
  });

  it('the files are formatted with 2-space indentation', () => {
    for (const file of listJsonFiles(SCHEMA_DIR)) {
      const text = readFileSync(file, 'utf8');
      expect(text.endsWith('}\n'), file).toBe(true);
      for (const line of text.split('\n')) expect((/^ */.exec(line)?.[0].length ?? 0) % 2, file).toBe(0);
    }
  });
});

describe('defs', () => {
  const def = (name: string): ValidateFunction => validator(`defs.schema.json#/$defs/${name}`);

  it.each(['&{a}', '&{contract:product_id}', '&{a.b-c_D9}'])('reference accepts %s', (value) => {
    expectValid(def('reference'), value);
  });
  it.each(['&{a b}', 'x&{a}', '&{a}x', '&{a:}', '&{a:b:c}', '${a}', '&{}', '&{a:b-c}'])(
    'reference refuses %s',
    (value) => {
      expect(errorsOf(def('reference'), value)[0]).toMatchObject({ keyword: 'pattern' });
    },
  );

  it.each(['2026-12-25T00:00:00+00:00', '2026-12-25T00:00:00Z', '2022-01-04T00:00:00+11:00', '2026-12-25T09:30:00.123456Z'])(
    'timestamp accepts %s',
    (value) => {
      expectValid(def('timestamp'), value);
      expectValid(def('timestampOrReference'), value);
    },
  );
  it.each([
    '2026-12-25',
    '2026-12-25T00:00:00',
    '2026-12-25 00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-12-25T24:00:00Z',
    '2026-12-25T00:00:00+0000',
    '2026-12-25T00:00:00.Z',
  ])('timestamp refuses %s, reporting the timestamp pattern first', (value) => {
    expect(errorsOf(def('timestampOrReference'), value)[0]).toMatchObject({
      keyword: 'pattern',
      schemaPath: expect.stringContaining('timestamp/pattern'),
    });
  });
  it('timestampOrReference accepts a whole reference', () => {
    expectValid(def('timestampOrReference'), '&{launch_date}');
  });

  it.each(['0', '-12.50', '0.0001', '1000'])('decimalString accepts %s', (value) => {
    expectValid(def('decimalString'), value);
  });
  it.each(['01', '1e5', '+1', '1.', '.5', '', '1,000'])('decimalString refuses %s', (value) => {
    expect(errorsOf(def('decimalString'), value)[0]).toMatchObject({ keyword: 'pattern' });
  });
  it('decimalString refuses a number', () => {
    expect(errorsOf(def('decimalString'), 0.5)[0]).toMatchObject({ keyword: 'type' });
  });

  it.each(['1.0.0', '0.1.2', '1.0.0-rc.1+build.5'])('semver accepts %s', (value) => {
    expectValid(def('semver'), value);
  });
  it.each(['1.0', '01.0.0', 'v1.0.0', '1.0.0-'])('semver refuses %s', (value) => {
    expect(errorsOf(def('semver'), value)[0]).toMatchObject({ keyword: 'pattern' });
  });

  it('booleanOrReference reports the boolean type error first', () => {
    expectValid(def('booleanOrReference'), true);
    expectValid(def('booleanOrReference'), '&{flag}');
    expect(errorsOf(def('booleanOrReference'), 'true')[0]).toMatchObject({ keyword: 'type', params: { type: 'boolean' } });
  });

  it('idOrReference refuses spaces and embedded references', () => {
    expectValid(def('idOrReference'), 'ACCRUED_INTEREST_PAYABLE');
    expectValid(def('idOrReference'), '&{cal}');
    expect(errorsOf(def('idOrReference'), 'has space')[0]).toMatchObject({ keyword: 'pattern' });
    expect(errorsOf(def('idOrReference'), 'PREFIX_&{cal}')[0]).toMatchObject({ keyword: 'pattern' });
  });
});


interface TypeCase {
  valid: Json[];
  invalid: InvalidCase[];
  /** Object pointers in the valid example that are string maps, open to any key. */
  maps?: string[];
  idField: string | null;
}

const TYPE_CASES: Record<string, TypeCase> = {
  smart_contract_version: {
    idField: null,
    valid: [
      {
        product_version: {
          product_id: 'wallet',
          display_name: 'Wallet',
          code: '@{wallet.py}',
          params: [
            { name: 'denomination', value: 'GBP' },
            { name: 'tiers', value: '["&{UPPER_TIER}","&{LOWER_TIER}"]' },
          ],
          tags: ['retail'],
          description: 'A wallet for everyday spending',
          summary: 'Wallet',
          supported_denominations: ['GBP', 'USD'],
        },
        migration_strategy: 'PRODUCT_VERSION_MIGRATION_STRATEGY_ADD_VERSION_APPLY_NEW_USERS',
        is_internal: false,
      },
      { product_version: { product_id: '&{wallet}', display_name: 'W', code: 'api = "4.0.0"' } },
    ],
    invalid: [
      { name: 'unprefixed migration strategy', at: '/migration_strategy', set: 'ADD_VERSION', keyword: 'enum' },
      { name: 'missing code', at: '/product_version/code', keyword: 'required' },
      { name: 'missing product_version', at: '/product_version', keyword: 'required' },
      { name: 'numeric param value', at: '/product_version/params/0/value', set: 5, keyword: 'type' },
      { name: 'param without value', at: '/product_version/params/0/value', keyword: 'required' },
      { name: 'request_id left in the payload', at: '/request_id', set: 'r1', keyword: 'additionalProperties' },
      { name: 'server-generated id', at: '/product_version/id', set: '123', keyword: 'additionalProperties' },
      { name: 'is_internal as a string', at: '/is_internal', set: 'false', keyword: 'type' },
    ],
  },
  internal_account: {
    idField: 'id',
    maps: ['/internal_account/details'],
    valid: [
      {
        internal_account: {
          id: '1',
          product_id: '&{internal_contract:product_id}',
          accounting: { tside: 'TSIDE_LIABILITY' },
          permitted_denominations: ['GBP'],
          details: { purpose: 'suspense' },
        },
      },
      { internal_account: { id: 'CASH', product_id: 'internal', accounting: { tside: 'TSIDE_ASSET' } } },
    ],
    invalid: [
      { name: 'unprefixed tside', at: '/internal_account/accounting/tside', set: 'LIABILITY', keyword: 'enum' },
      { name: 'missing accounting', at: '/internal_account/accounting', keyword: 'required' },
      { name: 'missing product_id', at: '/internal_account/product_id', keyword: 'required' },
      { name: 'numeric detail', at: '/internal_account/details/purpose', set: 1, keyword: 'type' },
      { name: 'tside beside accounting', at: '/internal_account/tside', set: 'TSIDE_ASSET', keyword: 'additionalProperties' },
    ],
  },
  flag_definition: {
    idField: 'id',
    valid: [
      {
        flag_definition: {
          id: 'REPAYMENT_HOLIDAY',
          name: 'Repayment holiday',
          description: 'No repayments are due while set',
          required_flag_level: 'FLAG_LEVEL_ACCOUNT',
          flag_visibility: 'FLAG_VISIBILITY_CONTRACT',
        },
      },
    ],
    invalid: [
      { name: 'unprefixed level', at: '/flag_definition/required_flag_level', set: 'ACCOUNT', keyword: 'enum' },
      { name: 'unknown visibility', at: '/flag_definition/flag_visibility', set: 'FLAG_VISIBILITY_ALL', keyword: 'enum' },
      { name: 'missing name', at: '/flag_definition/name', keyword: 'required' },
      { name: 'response-only field', at: '/flag_definition/is_active', set: true, keyword: 'additionalProperties' },
    ],
  },
  account_schedule_tag: {
    idField: 'id',
    valid: [
      {
        account_schedule_tag: {
          id: 'PAUSED_TAG',
          description: 'Accrual schedules',
          sends_scheduled_operation_reports: true,
          schedule_status_override: 'ACCOUNT_SCHEDULE_TAG_SCHEDULE_STATUS_OVERRIDE_TO_SKIPPED',
          schedule_status_override_start_timestamp: '1970-01-01T00:00:00+00:00',
          schedule_status_override_end_timestamp: '9999-12-31T23:59:59Z',
          test_pause_at_timestamp: null,
        },
      },
      { account_schedule_tag: { id: 'T', test_pause_at_timestamp: '2026-01-01T00:00:00.5+01:00' } },
      { account_schedule_tag: { id: 'T', schedule_status_override: '&{override}', test_pause_at_timestamp: '&{t}' } },
    ],
    invalid: [
      {
        name: 'unprefixed override',
        at: '/account_schedule_tag/schedule_status_override',
        set: 'TO_SKIPPED',
        keyword: 'enum',
      },
      {
        name: 'date-only start',
        at: '/account_schedule_tag/schedule_status_override_start_timestamp',
        set: '2026-12-25',
        keyword: 'pattern',
      },
      { name: 'null id (required: null means unset)', at: '/account_schedule_tag/id', set: null, keyword: 'type' },
      {
        name: 'reports flag as text',
        at: '/account_schedule_tag/sends_scheduled_operation_reports',
        set: 'yes',
        keyword: 'type',
      },
      { name: 'missing id', at: '/account_schedule_tag/id', keyword: 'required' },
      {
        name: 'processing_group_id (not a pack field)',
        at: '/account_schedule_tag/processing_group_id',
        set: 'pg',
        keyword: 'additionalProperties',
      },
    ],
  },
  calendar: {
    idField: 'id',
    valid: [
      {
        calendar: {
          id: 'PUBLIC_HOLIDAYS',
          is_active: true,
          display_name: 'Public holidays',
          description: 'Bank holidays in England and Wales',
        },
      },
      { calendar: { id: '&{PUBLIC_HOLIDAYS}' } },
    ],
    invalid: [
      { name: 'is_active as a string', at: '/calendar/is_active', set: 'true', keyword: 'type' },
      { name: 'missing id', at: '/calendar/id', keyword: 'required' },
      { name: 'unknown name field', at: '/calendar/name', set: 'x', keyword: 'additionalProperties' },
    ],
  },
  calendar_event: {
    idField: 'id',
    valid: [
      {
        calendar_event: {
          id: 'CHRISTMAS_2026',
          calendar_id: '&{PUBLIC_HOLIDAYS}',
          name: 'Christmas Day',
          is_active: true,
          start_timestamp: '2026-12-25T00:00:00+00:00',
          end_timestamp: '2026-12-26T00:00:00Z',
        },
      },
    ],
    invalid: [
      { name: 'missing end', at: '/calendar_event/end_timestamp', keyword: 'required' },
      { name: 'missing calendar', at: '/calendar_event/calendar_id', keyword: 'required' },
      { name: 'start without offset', at: '/calendar_event/start_timestamp', set: '2026-12-25T00:00:00', keyword: 'pattern' },
      { name: 'id with a space', at: '/calendar_event/id', set: 'CHRISTMAS 2026', keyword: 'pattern' },
      { name: 'unknown key', at: '/calendar_event/end', set: 'x', keyword: 'additionalProperties' },
    ],
  },
  contract_module: {
    idField: null,
    valid: [{ contract_module: { display_name: 'Interest utilities', description: 'Shared interest code' } }],
    invalid: [
      { name: 'missing display_name', at: '/contract_module/display_name', keyword: 'required' },
      { name: 'server-generated id', at: '/contract_module/id', set: 'x', keyword: 'additionalProperties' },
    ],
  },
  contract_module_version: {
    idField: null,
    valid: [
      {
        contract_module_version: {
          contract_module_id: '&{interest_module}',
          display_name: 'Interest utilities 1.2',
          description: 'Adds daily accrual',
          code: '@{interest.py}',
        },
      },
    ],
    invalid: [
      { name: 'missing code', at: '/contract_module_version/code', keyword: 'required' },
      { name: 'missing module id', at: '/contract_module_version/contract_module_id', keyword: 'required' },
      { name: 'unknown version key', at: '/contract_module_version/version', set: '1', keyword: 'additionalProperties' },
    ],
  },
  smart_contract_module_versions_link: {
    idField: null,
    maps: ['/smart_contract_module_versions_link/alias_to_contract_module_version_id'],
    valid: [
      {
        smart_contract_module_versions_link: {
          smart_contract_version_id: '&{loan}',
          alias_to_contract_module_version_id: { interest: '&{interest_module_v1}', utils: '&{utils_v2}' },
        },
      },
    ],
    invalid: [
      {
        name: 'no aliases',
        at: '/smart_contract_module_versions_link/alias_to_contract_module_version_id',
        set: {},
        keyword: 'minProperties',
      },
      {
        name: 'missing contract version',
        at: '/smart_contract_module_versions_link/smart_contract_version_id',
        keyword: 'required',
      },
      {
        name: 'alias value that is not an id',
        at: '/smart_contract_module_versions_link/alias_to_contract_module_version_id/utils',
        set: 'not an id',
        keyword: 'pattern',
      },
      {
        name: 'server-generated id',
        at: '/smart_contract_module_versions_link/id',
        set: 'x',
        keyword: 'additionalProperties',
      },
    ],
  },
  supervisor_contract: {
    idField: 'id',
    valid: [{ supervisor_contract: { id: 'offset_mortgage', display_name: 'Offset mortgage' } }],
    invalid: [
      { name: 'missing id', at: '/supervisor_contract/id', keyword: 'required' },
      { name: 'code on the contract', at: '/supervisor_contract/code', set: 'x', keyword: 'additionalProperties' },
    ],
  },
  supervisor_contract_version: {
    idField: 'id',
    valid: [
      {
        supervisor_contract_version: {
          supervisor_contract_id: '&{offset_mortgage}',
          display_name: 'Offset mortgage 1.0',
          description: 'First version',
          code: '@{supervisor.py}',
          id: 'offset_mortgage_v1',
        },
      },
      { supervisor_contract_version: { supervisor_contract_id: 'offset_mortgage', code: 'x' } },
    ],
    invalid: [
      {
        name: 'missing supervisor contract',
        at: '/supervisor_contract_version/supervisor_contract_id',
        keyword: 'required',
      },
      { name: 'missing code', at: '/supervisor_contract_version/code', keyword: 'required' },
      { name: 'params key', at: '/supervisor_contract_version/params', set: [], keyword: 'additionalProperties' },
    ],
  },
  workflow_definition_version: {
    idField: null,
    valid: [
      {
        workflow_definition_version: {
          workflow_definition_id: 'WALLET_APPLICATION',
          specification: '@{wallet_application.yaml}',
        },
      },
    ],
    invalid: [
      { name: 'missing specification', at: '/workflow_definition_version/specification', keyword: 'required' },
      {
        name: 'missing workflow definition',
        at: '/workflow_definition_version/workflow_definition_id',
        keyword: 'required',
      },
      {
        name: 'display_name key',
        at: '/workflow_definition_version/display_name',
        set: 'x',
        keyword: 'additionalProperties',
      },
    ],
  },
  global_parameter: {
    idField: 'id',
    valid: [
      {
        global_parameter: {
          id: 'base_rate',
          display_name: 'Base rate',
          description: 'The central bank base rate',
          number: { value_type: 'NUMBER_VALUE_TYPE_PERCENTAGE', min_value: '0', max_value: '1', step: '0.0001' },
        },
        initial_value: '0.0525',
      },
      { global_parameter: { id: 'name', str: {} }, initial_value: 'anything at all' },
      { global_parameter: { id: 'ccy', denomination: { permitted_values: ['GBP', 'EUR'] } }, initial_value: 'GBP' },
      { global_parameter: { id: 'launch', date: {} }, initial_value: '2026-01-01' },
      { global_parameter: { id: 'floor', number: { min_value: '&{min}', max_value: '9', step: '1' } }, initial_value: '&{x}' },
    ],
    invalid: [
      { name: 'missing initial_value', at: '/initial_value', keyword: 'required' },
      { name: 'missing step', at: '/global_parameter/number/step', keyword: 'required' },
      {
        name: 'numeric min_value',
        at: '/global_parameter/number/min_value',
        set: 0,
        keyword: 'type',
        params: { type: 'string' },
      },
      { name: 'two value types', at: '/global_parameter/str', set: {}, keyword: 'oneOf', instancePath: '/global_parameter' },
      {
        name: 'no value type',
        at: '/global_parameter/number',
        keyword: 'oneOf',
        instancePath: '/global_parameter',
        params: { passingSchemas: null },
        first: false,
      },
      { name: 'non-decimal initial value of a number', at: '/initial_value', set: '5%', keyword: 'pattern' },
      { name: 'unknown key in number', at: '/global_parameter/number/kind', set: 'x', keyword: 'additionalProperties' },
    ],
  },
};

describe('resource type payload schemas', () => {
  describe.each(TYPE_FILES)('%s', (name) => {
    const path = `types/${name}.schema.json`;
    const schema = schemas.get(path) ?? {};
    const typeCase = TYPE_CASES[name];
    if (!typeCase) throw new Error(`no test case for ${name}`);
    const validate = validator(path);
    const [example] = typeCase.valid;
    if (example === undefined) throw new Error(`no valid example for ${name}`);

    it.each(typeCase.valid.map((payload, i) => [i, payload] as const))('accepts valid payload %i', (_i, payload) => {
      expectValid(validate, payload);
    });

    it.each(typeCase.invalid.map((c) => [c.name, c] as const))('refuses %s', (_name, c) => {
      expectInvalidCase(validate, example, c);
    });

    it('covers required, additionalProperties and a value check', () => {
      const keywords = new Set(typeCase.invalid.map((c) => c.keyword));
      expect(keywords).toContain('required');
      expect(keywords).toContain('additionalProperties');
      expect(typeCase.invalid.length).toBeGreaterThanOrEqual(2);
    });

    it('refuses an unknown key at every object level of the valid payload', () => {
      expect(expectUnknownKeysRefused(validate, example, typeCase.maps)).toBeGreaterThanOrEqual(2);
    });

    it('describes its type in x-strata', () => {
      const meta = schema['x-strata'];
      if (!isObject(meta)) throw new Error('x-strata missing');
      expect(Object.keys(meta).sort()).toEqual(['idField', 'plural', 'resourceKey', 'responseFields', 'type']);
      expect(meta.type).toBe(name.toUpperCase());
      expect(meta.plural).toMatch(/^[a-z]+(-[a-z]+)*$/);
      expect(meta.idField).toBe(typeCase.idField);

      const resourceKey = meta.resourceKey;
      if (typeof resourceKey !== 'string') throw new Error('resourceKey missing');
      expect(resourceKey).toBe(name === 'smart_contract_version' ? 'product_version' : name);
      expect(schema.required).toContain(resourceKey);
      const properties = schema.properties;
      const resourceSchema = isObject(properties) ? properties[resourceKey] : undefined;
      if (!isObject(resourceSchema)) throw new Error('resource key not described');
      const inner = resourceSchema.properties;
      if (meta.idField !== null) expect(isObject(inner) && typeof meta.idField === 'string' && meta.idField in inner).toBe(true);

      const fields = meta.responseFields;
      if (!Array.isArray(fields)) throw new Error('responseFields missing');
      expect(fields).toContain('id');
      expect(new Set(fields).size).toBe(fields.length);
      for (const field of fields) expect(field).toMatch(/^[a-z][a-z0-9_]*$/);
    });
  });

  it('lets real packs reference &{contract:product_id}', () => {
    const meta = schemas.get('types/smart_contract_version.schema.json')?.['x-strata'];
    expect(isObject(meta) ? meta.responseFields : undefined).toContain('product_id');
  });

  it('accepts a reference where an enum, boolean, id or timestamp stands, and not a reference-like typo', () => {
    const tag = validator('types/account_schedule_tag.schema.json');
    expectValid(tag, {
      account_schedule_tag: {
        id: '&{tag}',
        sends_scheduled_operation_reports: '&{reports}',
        schedule_status_override: '&{override}',
        schedule_status_override_start_timestamp: '&{start}',
        schedule_status_override_end_timestamp: '&{end:end_timestamp}',
      },
    });
    expect(errorsOf(tag, { account_schedule_tag: { id: 'T', schedule_status_override: '&{override' } })[0]).toMatchObject(
      { keyword: 'enum', instancePath: '/account_schedule_tag/schedule_status_override' },
    );
  });
});

/** A property of an object schema: where it stands in an instance, and whether it is required. */
interface PropertySite {
  pointer: string;
  required: boolean;
}

/** Every property a schema describes (nested objects and list items included), by instance pointer. */
function propertySites(schema: Json, at = ''): PropertySite[] {
  if (!isObject(schema)) return [];
  const out: PropertySite[] = [];
  const required = Array.isArray(schema.required) ? schema.required : [];
  if (isObject(schema.properties)) {
    for (const [key, sub] of Object.entries(schema.properties)) {
      out.push({ pointer: `${at}/${key}`, required: required.includes(key) });
      out.push(...propertySites(sub, `${at}/${key}`));
    }
  }
  if (isObject(schema.items)) out.push(...propertySites(schema.items, `${at}/0`));
  // Only the nullable wrapper's branches describe the value; other composites only declare keys.
  if (isNullable(schema.anyOf)) for (const branch of schema.anyOf as Json[]) out.push(...propertySites(branch, at));
  return out;
}

function valueAt(value: Json, pointer: string): Json | undefined {
  let node: Json | undefined = value;
  for (const key of pointer.split('/').slice(1)) {
    node = Array.isArray(node) ? node[Number(key)] : isObject(node) ? node[key] : undefined;
  }
  return node;
}

const RESOURCE_ENTRY_EXAMPLES: Json[] = [
  {
    type: 'CALENDAR',
    id: 'PUBLIC_HOLIDAYS',
    vault_id: 'PUBLIC_HOLIDAYS',
    vault_version: 1,
    on_conflict: 'SKIP',
    activate: false,
    payload: 'calendar:\n  id: PUBLIC_HOLIDAYS\n',
  },
  { type: 'CALENDAR', id: 'C', payload: { calendar: { id: 'C' } } },
];

describe('null means unset (packs.md 3): every optional field accepts null, every required one refuses it', () => {
  const subjects: Array<[string, Json[]]> = [
    ...TYPE_FILES.map((name): [string, Json[]] => [`types/${name}.schema.json`, TYPE_CASES[name]?.valid ?? []]),
    ['resource.schema.json', RESOURCE_ENTRY_EXAMPLES],
  ];

  it.each(subjects)('%s', (path, examples) => {
    const validate = validator(path);
    const sites = propertySites(schemas.get(path) ?? {});
    const parent = (pointer: string) => pointer.slice(0, pointer.lastIndexOf('/'));
    const holding = (pointer: string) => examples.filter((e) => isObject(valueAt(e, parent(pointer)) ?? null));
    for (const site of sites) {
      const candidates = holding(site.pointer);
      expect(candidates.length, `no valid example holds ${parent(site.pointer)}: add one`).toBeGreaterThan(0);
      if (site.required) {
        const errors = errorsOf(validate, edited(candidates[0] as Json, site.pointer, null));
        expect(
          errors.filter((e) => e.instancePath === site.pointer && ['type', 'enum'].includes(e.keyword)),
          `${site.pointer} is required and must refuse null`,
        ).not.toEqual([]);
      } else {
        // Where the example leaves the field out, null must mean exactly that.
        const example = candidates.find((e) => valueAt(e, site.pointer) === undefined) ?? (candidates[0] as Json);
        const ok = validate(edited(example, site.pointer, null));
        expect(validate.errors ?? [], `${site.pointer} is optional and must accept null`).toEqual([]);
        expect(ok).toBe(true);
      }
    }
  });

  it('walks every property of every type (nested objects and list items included)', () => {
    const all = subjects.flatMap(([path]) => propertySites(schemas.get(path) ?? {}));
    expect(all.filter((s) => s.required).length).toBeGreaterThanOrEqual(30);
    expect(all.filter((s) => !s.required).length).toBeGreaterThanOrEqual(40);
    const count = (name: string) => propertySites(schemas.get(`types/${name}.schema.json`) ?? {}).length;
    expect(count('account_schedule_tag')).toBe(8);
    expect(count('smart_contract_version')).toBe(13);
    expect(count('global_parameter')).toBe(14);
  });

  it('lets a global parameter name its one value type beside a null one, and refuses all four null', () => {
    const validate = validator('types/global_parameter.schema.json');
    expectValid(validate, { global_parameter: { id: 'g', str: {}, number: null, date: null }, initial_value: 'x' });
    expect(
      errorsOf(validate, { global_parameter: { id: 'g', str: null, number: null }, initial_value: 'x' }).map((e) => e.keyword),
    ).toContain('oneOf');
  });

  it('does not count a null id as the id of a resource entry, nor a null vault_id for on_conflict: UPDATE', () => {
    const validate = validator('resource.schema.json');
    expect(validate({ type: 'CALENDAR', id: null, vault_id: null, payload: 'x' })).toBe(false);
    expect(validate({ type: 'CALENDAR', id: 'C', vault_id: null, on_conflict: 'UPDATE', payload: 'x' })).toBe(false);
    expectValid(validate, { type: 'CALENDAR', id: null, vault_id: 'C', payload: 'x' });
  });
});

describe('manifest', () => {
  const validate = validator('manifest.schema.json');
  const valid: Json = {
    pack_version: '1.0.0',
    pack_name: 'Current Account',
    resource_ids: ['current_account_contract', 'current_account_internal '],
  };

  it('accepts a manifest', () => {
    expectValid(validate, valid);
  });

  it('refuses unknown keys', () => {
    expect(expectUnknownKeysRefused(validate, valid)).toBe(1);
  });

  it.each<InvalidCase>([
    { name: 'missing resource_ids', at: '/resource_ids', keyword: 'required' },
    { name: 'missing pack_name', at: '/pack_name', keyword: 'required' },
    { name: 'missing pack_version', at: '/pack_version', keyword: 'required' },
    { name: 'empty resource_ids', at: '/resource_ids', set: [], keyword: 'minItems' },
    { name: 'non-string id', at: '/resource_ids/0', set: 7, keyword: 'type' },
    { name: 'unknown key', at: '/description', set: 'x', keyword: 'additionalProperties' },
    { name: 'name starting with a dash', at: '/pack_name', set: '-wallet', keyword: 'pattern' },
    { name: 'name with a slash', at: '/pack_name', set: 'a/b', keyword: 'pattern' },
    { name: 'two-part version', at: '/pack_version', set: '1.0', keyword: 'pattern' },
    { name: 'numeric version', at: '/pack_version', set: 1, keyword: 'type' },
  ])('refuses $name', (c) => {
    expectInvalidCase(validate, valid, c);
  });
});

describe('resource entry', () => {
  const validate = validator('resource.schema.json');
  const valid: Json = {
    type: 'CALENDAR',
    id: 'PUBLIC_HOLIDAYS',
    vault_id: 'PUBLIC_HOLIDAYS',
    vault_version: 1,
    on_conflict: 'SKIP',
    activate: false,
    payload: 'calendar:\n  id: PUBLIC_HOLIDAYS\n',
  };

  it('accepts a full entry, a mapping payload and a string vault_version', () => {
    expectValid(validate, valid);
    expectValid(validate, { type: 'CALENDAR', id: 'C', payload: { calendar: { id: 'C' } }, vault_version: '3' });
  });

  it('refuses unknown keys', () => {
    expect(expectUnknownKeysRefused(validate, valid)).toBe(1);
  });

  it('accepts an entry with vault_id and no id', () => {
    expectValid(validate, { type: 'FLAG_DEFINITION', vault_id: 'REPAYMENT_HOLIDAY', payload: 'x' });
  });

  it('accepts on_conflict UPDATE with vault_id', () => {
    expectValid(validate, { type: 'ACCOUNT_SCHEDULE_TAG', id: 'T', vault_id: 'T', on_conflict: 'UPDATE', payload: 'x' });
  });

  it('refuses on_conflict UPDATE without vault_id', () => {
    const errors = errorsOf(validate, { type: 'ACCOUNT_SCHEDULE_TAG', id: 'T', on_conflict: 'UPDATE', payload: 'x' });
    expect(errors[0]).toMatchObject({ keyword: 'required', instancePath: '', params: { missingProperty: 'vault_id' } });
    expect(errors.map((e) => e.keyword)).toContain('if');
  });

  it('refuses an entry with neither id nor vault_id', () => {
    const errors = errorsOf(validate, { type: 'CALENDAR', payload: 'x' });
    expect(errors.map((e) => e.params)).toEqual(
      expect.arrayContaining([{ missingProperty: 'id' }, { missingProperty: 'vault_id' }]),
    );
    expect(errors.map((e) => e.keyword)).toContain('anyOf');
  });

  it.each<InvalidCase>([
    { name: 'missing type', at: '/type', keyword: 'required' },
    { name: 'missing payload', at: '/payload', keyword: 'required' },
    { name: 'misspelt on_conflict', at: '/on_conflcit', set: 'SKIP', keyword: 'additionalProperties' },
    { name: 'a literal token', at: '/token', set: 'secret', keyword: 'additionalProperties' },
    { name: 'unknown on_conflict', at: '/on_conflict', set: 'REPLACE', keyword: 'enum' },
    { name: 'activate as a string', at: '/activate', set: 'yes', keyword: 'type' },
    { name: 'numeric payload', at: '/payload', set: 3, keyword: 'type' },
    { name: 'empty id', at: '/id', set: '', keyword: 'minLength' },
    { name: 'boolean vault_version', at: '/vault_version', set: true, keyword: 'type' },
  ])('refuses $name', (c) => {
    expectInvalidCase(validate, valid, c);
  });
});

describe('resources file', () => {
  const validate = validator('resources-file.schema.json');
  const valid: Json = {
    resources: [
      { type: 'CALENDAR', id: 'A', payload: 'calendar:\n  id: A\n' },
      { type: 'CALENDAR_EVENT', id: 'B', payload: 'x' },
    ],
  };

  it('accepts a list of entries', () => {
    expectValid(validate, valid);
  });

  it('refuses unknown keys in the document and in every entry', () => {
    expect(expectUnknownKeysRefused(validate, valid)).toBe(3);
  });

  it.each<InvalidCase>([
    { name: 'missing resources', at: '/resources', keyword: 'required' },
    { name: 'a second top-level key', at: '/resource', set: [], keyword: 'additionalProperties' },
    { name: 'an entry with an unknown key', at: '/resources/1/payloads', set: 'x', keyword: 'additionalProperties' },
    { name: 'an entry without payload', at: '/resources/0/payload', keyword: 'required' },
    { name: 'a mapping instead of a list', at: '/resources', set: {}, keyword: 'type' },
  ])('refuses $name', (c) => {
    expectInvalidCase(validate, valid, c);
  });
});

describe('config', () => {
  const validate = validator('config.schema.json');
  const valid: Json = {
    environments: {
      dev: { url: 'http://127.0.0.1:8055', token_env: 'STRATA_DEV_TOKEN' },
      staging: {
        url: 'https://config.staging.example',
        token_env: 'STRATA_STAGING_TOKEN',
        ca_file: 'certs/staging-ca.pem',
        concurrency: 16,
        timeout: 30000,
        max_retries: 5,
        activate_on_import: true,
      },
    },
    defaults: { activate_on_import: false, concurrency: 8, timeout: 10000, max_retries: 0, output: 'json' },
  };

  it('accepts the example from cli.md and an empty file', () => {
    expectValid(validate, valid);
    expectValid(validate, {});
  });

  it('refuses unknown keys at the top, in defaults and in every environment', () => {
    expect(expectUnknownKeysRefused(validate, valid, ['/environments'])).toBe(4);
  });

  it.each<InvalidCase>([
    { name: 'a token in an environment', at: '/environments/dev/token', set: 's3cret', keyword: 'additionalProperties' },
    { name: 'an auth_token in an environment', at: '/environments/dev/auth_token', set: 's', keyword: 'additionalProperties' },
    { name: 'a token in defaults', at: '/defaults/token', set: 's3cret', keyword: 'additionalProperties' },
    { name: 'a token at the top', at: '/auth_token', set: 's3cret', keyword: 'additionalProperties' },
    { name: 'an environment without url', at: '/environments/dev/url', keyword: 'required' },
    { name: 'a url without scheme', at: '/environments/dev/url', set: '127.0.0.1:8055', keyword: 'pattern' },
    { name: 'a token_env that is not a variable name', at: '/environments/dev/token_env', set: '1TOKEN', keyword: 'pattern' },
    { name: 'zero concurrency', at: '/environments/staging/concurrency', set: 0, keyword: 'minimum' },
    { name: 'concurrency over 256', at: '/defaults/concurrency', set: 257, keyword: 'maximum' },
    { name: 'fractional concurrency', at: '/defaults/concurrency', set: 1.5, keyword: 'type' },
    { name: 'zero timeout', at: '/defaults/timeout', set: 0, keyword: 'minimum' },
    { name: 'negative retries', at: '/environments/staging/max_retries', set: -1, keyword: 'minimum' },
    { name: 'too many retries', at: '/defaults/max_retries', set: 21, keyword: 'maximum' },
    { name: 'activate_on_import as a string', at: '/defaults/activate_on_import', set: 'false', keyword: 'type' },
    { name: 'yaml output', at: '/defaults/output', set: 'yaml', keyword: 'enum' },
    { name: 'output per environment', at: '/environments/dev/output', set: 'json', keyword: 'additionalProperties' },
  ])('refuses $name', (c) => {
    expectInvalidCase(validate, valid, c);
  });

  it('refuses an environment name with a space', () => {
    const data = edited(valid, '/environments/my env', { url: 'http://x' });
    expect(errorsOf(validate, data)).toContainEqual(
      expect.objectContaining({ keyword: 'propertyNames', instancePath: '/environments' }),
    );
  });
});

describe('validate result', () => {
  // The result's own shape; the file's root also admits the error result (tested below).
  const validate = validator('validate-result.schema.json#/$defs/result');
  const finding: Json = {
    code: 'E_REF_UNKNOWN',
    severity: 'error',
    message: 'reference to unknown id "wallet_contrat"',
    file: 'library/wallet/internal.resource.yaml',
    line: 12,
    column: 17,
    hint: 'did you mean "wallet_contract"?',
    resource_id: 'wallet_internal',
  };
  const summary: Json = { packs: 1, resources: 3, skipped: 1, errors: 1, warnings: 1, duration_ms: 0 };
  const valid: Json = {
    status: 'INVALID',
    validate: {
      wallet_contract: { resource_type: 'SMART_CONTRACT_VERSION', valid: true, findings: [] },
      wallet_internal: { resource_type: 'INTERNAL_ACCOUNT', valid: false, findings: [{ ...finding }] },
    },
    packs: [
      {
        pack_name: 'wallet',
        pack_version: '1.0.0',
        manifest: 'library/wallet_manifest.yaml',
        root: 'library',
        bundle: null,
        valid: false,
        import_order: ['wallet_contract', 'wallet_internal'],
        resources: {
          wallet_contract: { resource_type: 'SMART_CONTRACT_VERSION', valid: true, findings: [] },
          wallet_internal: { resource_type: 'INTERNAL_ACCOUNT', valid: false, findings: [finding] },
        },
        skipped: [
          {
            resource_id: 'wallet_restrictions',
            resource_type: 'RESTRICTION_SET_DEFINITION_VERSION',
            reason: 'RESTRICTION_SET_DEFINITION_VERSION is a type CLU knows and strata does not import',
            file: 'library/wallet/restrictions.resource.yaml',
            line: 3,
            column: 1,
          },
        ],
      },
    ],
    findings: [
      { code: 'W_DUPLICATE_UNLISTED', severity: 'note', message: 'm', file: 'library/a.resource.yaml', line: 1, column: 1 },
    ],
    unlisted_duplicates: [
      {
        id: 'TEST_FLAG',
        root: 'library',
        definitions: [
          { file: 'library/a.resource.yaml', line: 1, column: 1 },
          { file: 'library/b.resource.yaml', line: 3, column: 5 },
        ],
      },
    ],
    summary,
  };

  it('accepts a result, with a pack from a bundle', () => {
    expectValid(validate, valid);
    expectValid(validate, edited(valid, '/packs/0/bundle', 'bundle.tar.gz'));
    expectValid(validate, { status: 'VALID', validate: {}, packs: [], findings: [], unlisted_duplicates: [], summary });
  });

  it('refuses unknown keys in every object', () => {
    expect(expectUnknownKeysRefused(validate, valid, ['/packs/0/resources', '/validate'])).toBe(14);
  });

  it('is, at its root, the result or the error result, nothing in between', () => {
    const root = validator('validate-result.schema.json');
    expectValid(root, valid);
    const error = { status: 'ERROR', error: { code: 'E_USAGE', message: 'm', hint: 'h', exit_code: 64 } };
    expectValid(root, error);
    expect(root(edited(error, '/error/code', 'E_MADE_UP'))).toBe(false);
    expect(root(edited(error, '/error/exit_code', undefined))).toBe(false);
    expect(root({ ...error, packs: [] })).toBe(false);
    expect(root(edited(valid, '/status', 'ERROR'))).toBe(false);
  });

  const wallet = '/packs/0/resources/wallet_internal';
  it.each<InvalidCase>([
    { name: 'an unknown status', at: '/status', set: 'OK', keyword: 'enum' },
    { name: 'a finding code without E_/W_', at: `${wallet}/findings/0/code`, set: 'X_BAD', keyword: 'pattern' },
    { name: 'a lower-case finding code', at: '/findings/0/code', set: 'W_dup', keyword: 'pattern' },
    { name: 'line 0', at: `${wallet}/findings/0/line`, set: 0, keyword: 'minimum' },
    { name: 'column 0', at: '/findings/0/column', set: 0, keyword: 'minimum' },
    { name: 'a finding without file', at: '/findings/0/file', keyword: 'required' },
    { name: 'an unknown severity', at: '/findings/0/severity', set: 'info', keyword: 'enum' },
    { name: 'a camel-case resourceId', at: `${wallet}/findings/0/resourceId`, set: 'x', keyword: 'additionalProperties' },
    { name: 'a summary without duration', at: '/summary/duration_ms', keyword: 'required' },
    { name: 'a negative count', at: '/summary/errors', set: -1, keyword: 'minimum' },
    { name: 'a pack without bundle', at: '/packs/0/bundle', keyword: 'required' },
    { name: 'a numeric bundle', at: '/packs/0/bundle', set: 1, keyword: 'type' },
    { name: 'a pack without import_order', at: '/packs/0/import_order', keyword: 'required' },
    { name: 'a resource without valid', at: `${wallet}/valid`, keyword: 'required' },
    { name: 'an extra resource key', at: `${wallet}/imported`, set: true, keyword: 'additionalProperties' },
    { name: 'an extra top-level key', at: '/run_id', set: 'r', keyword: 'additionalProperties' },
    { name: 'a CLU entry without valid', at: '/validate/wallet_internal/valid', keyword: 'required' },
  ])('refuses $name', (c) => {
    expectInvalidCase(validate, valid, c);
  });
});
