/**
 * The OpenAPI 3.1 description of the bundled server (`GET /openapi.json`, docs/openapi.json),
 * built from what the server itself runs on: the resource-type registry (paths, list keys,
 * parents, views, updates), the JSON Schemas the server validates request bodies with
 * (schemas/types, schemas/defs), the response shapes in schemas/api, and the error catalog.
 * test/server/openapi.test.ts checks it against the routes the server registers and validates
 * real responses against it.
 */
import { RESOURCE_TYPES, resourceSpec, type ResourceTypeSpec } from '../../resource/index.js';
import { VERSION } from '../../version.js';
import { ERROR_CATALOG } from '../errors.js';
import { loadSchema, SchemaComponents, withoutReferences, type Schema } from './schemas.js';
import { ledgerPaths } from './ledger.js';
import { releasePaths } from './release.js';
import {
  errorResponses,
  listOf,
  mapOf,
  operation,
  pageParameters,
  repeated,
  type Access,
  type OperationSpec,
  type Paths,
} from './operations.js';

/** Vault's name of a type's objects, from its payload key: `product_version` -> `ProductVersion`. */
function objectName(spec: ResourceTypeSpec): string {
  return spec.payloadKey.replace(/(^|_)([a-z])/g, (_m, _s: string, c: string) => c.toUpperCase());
}

const READ: Access = { scope: 'read' };
const WRITE: Access = { scope: 'config:write' };
const ACTIVATE: Access = { scope: 'config:activate' };

/** The object of a type as the server returns it: its payload object plus the server's fields. */
function objectSchema(spec: ResourceTypeSpec): Schema {
  const root = loadSchema(spec.schema);
  const inner = withoutReferences(
    (root.properties as Record<string, Schema>)[spec.payloadKey] as Schema,
    false,
  );
  const fields = (
    (loadSchema('api/config').$defs as Record<string, Schema>).serverFields!.properties as Record<
      string,
      Schema
    >
  )[spec.type];
  if (fields === undefined)
    throw new Error(`bug: schemas/api/config.schema.json has no serverFields.${spec.type}`);
  const hidden = new Set(spec.views?.hidden ?? []);
  const required = [
    ...new Set([
      ...((inner.required as string[] | undefined) ?? []),
      ...((fields.required as string[]) ?? []),
    ]),
  ].filter((f) => !hidden.has(f));
  return {
    ...inner,
    description: String(root.description ?? ''),
    required,
    properties: { ...(inner.properties as Schema), ...(fields.properties as Schema) },
    additionalProperties: false,
  };
}

function createRequest(spec: ResourceTypeSpec): Schema {
  const root = withoutReferences(loadSchema(spec.schema), true);
  return {
    ...root,
    required: ['request_id', ...((root.required as string[] | undefined) ?? [])],
    properties: {
      request_id: { $ref: 'https://strata.local/schemas/api/server.schema.json#/$defs/RequestId' },
      ...(root.properties as Schema),
    },
  };
}

function updateRequest(spec: ResourceTypeSpec): Schema {
  const rule = spec.update!;
  const inner = withoutReferences(
    (loadSchema(spec.schema).properties as Record<string, Schema>)[spec.payloadKey] as Schema,
    true,
  );
  const fields = rule.groups.flatMap((g) => g.fields);
  const props = inner.properties as Record<string, Schema>;
  const groups = rule.groups
    .map((g) => (g.together ? `exactly ${g.fields.join(', ')} together` : `any of ${g.fields.join(', ')}`))
    .join('; or ');
  return {
    description: `The changed fields, all of one group: ${groups}. Without update_mask, the fields given are the mask.`,
    type: 'object',
    required: ['request_id', spec.payloadKey],
    additionalProperties: false,
    properties: {
      request_id: { $ref: 'https://strata.local/schemas/api/server.schema.json#/$defs/RequestId' },
      [spec.payloadKey]: {
        type: 'object',
        minProperties: 1,
        additionalProperties: false,
        properties: Object.fromEntries(fields.map((f) => [f, props[f] ?? {}])),
      },
      update_mask: { $ref: 'https://strata.local/schemas/api/server.schema.json#/$defs/UpdateMask' },
    },
  };
}

function viewParameters(spec: ResourceTypeSpec): Schema[] {
  if (spec.views === null) return [];
  const { basic, full, hidden } = spec.views;
  return [
    {
      name: 'view',
      in: 'query',
      description: `\`${full}\` includes ${hidden.join(', ')}; the default \`${basic}\` leaves them out.`,
      schema: { enum: [basic, full] },
    },
  ];
}

/** The operations of one resource type at the registry's paths (`{id}` templates; ids may hold colons). */
function resourceOperations(
  c: SchemaComponents,
  spec: ResourceTypeSpec,
): Array<[string, string, OperationSpec]> {
  const name = objectName(spec);
  const object = c.add(name, objectSchema(spec));
  const noun = spec.payloadKey.replace(/_/g, ' ');
  const a = `${/^[aeiou]/.test(noun) ? 'an' : 'a'} ${noun} (${spec.type})`;
  const plural = `${noun}s`;
  const tag = 'Configuration';
  const view = viewParameters(spec);
  const parent =
    spec.parent === null
      ? []
      : [repeated(spec.parent.filter, `Only objects whose ${spec.parent.field} is one of these.`)];
  const ops: Array<[string, string, OperationSpec]> = [
    [
      spec.paths.create,
      'post',
      {
        id: `create${name}`,
        tag,
        summary: `Create ${a}`,
        access: WRITE,
        ok: object,
        mutation: true,
        body: c.add(`Create${name}Request`, createRequest(spec)),
      },
    ],
    [
      spec.paths.list,
      'get',
      {
        id: `list${name}s`,
        tag,
        summary: `List ${plural}, in creation order`,
        access: READ,
        parameters: [...pageParameters(), ...parent, ...view],
        ok: listOf(c, `${name}List`, spec.listKey, object),
      },
    ],
    [
      spec.paths.batchGet,
      'get',
      {
        id: `batchGet${name}s`,
        tag,
        summary: `Get several ${plural} by id (404 naming unknown ones)`,
        access: READ,
        parameters: [repeated('ids', 'The ids.', true), ...view],
        ok: mapOf(spec.listKey, object),
        notFound: true,
      },
    ],
    [
      spec.paths.get,
      'get',
      {
        id: `get${name}`,
        tag,
        summary: `Get ${a}`,
        access: READ,
        parameters: [idParameter(), ...view],
        ok: object,
        notFound: true,
      },
    ],
  ];
  if (spec.update !== null) {
    ops.push([
      spec.update.path,
      'put',
      {
        id: `update${name}`,
        tag,
        summary: `Update ${a}`,
        access: WRITE,
        parameters: [idParameter()],
        body: c.add(`Update${name}Request`, updateRequest(spec)),
        ok: object,
        mutation: true,
        notFound: true,
      },
    ]);
  }
  return ops;
}

function resourcePaths(c: SchemaComponents, spec: ResourceTypeSpec): Paths {
  const paths: Paths = {};
  for (const [path, method, op] of resourceOperations(c, spec))
    paths[path] = { ...(paths[path] ?? {}), [method]: operation(op) };
  return paths;
}

function idParameter(): Schema {
  return { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
}

function apiDef(c: SchemaComponents, def: string): Schema {
  return c.def('api/config', def);
}

function productPaths(c: SchemaComponents): Paths {
  const tag = 'Configuration';
  const product = apiDef(c, 'Product');
  const activation = apiDef(c, 'Activation');
  return {
    '/v1/products': {
      get: operation({
        id: 'listProducts',
        tag,
        summary: 'List products',
        access: READ,
        parameters: pageParameters(),
        ok: listOf(c, 'ProductList', 'products', product),
      }),
    },
    '/v1/products:batchGet': {
      get: operation({
        id: 'batchGetProducts',
        tag,
        summary: 'Get several products by id',
        access: READ,
        parameters: [repeated('ids', 'The ids.', true)],
        ok: mapOf('products', product),
        notFound: true,
      }),
    },
    '/v1/products/{id}': {
      get: operation({
        id: 'getProduct',
        tag,
        summary: 'Get a product',
        access: READ,
        parameters: [idParameter()],
        ok: product,
        notFound: true,
      }),
    },
    '/v1/products/{id}:activateVersion': {
      post: operation({
        id: 'activateProductVersion',
        tag,
        summary: "Make a version the product's current version (recorded as an activation)",
        access: ACTIVATE,
        parameters: [idParameter()],
        body: apiDef(c, 'ActivateVersionRequest'),
        ok: product,
        accepted: c.def('api/release', 'ActivationRequestAccepted'),
        mutation: true,
        notFound: true,
      }),
    },
    '/v1/workflow-definitions/{id}': {
      get: operation({
        id: 'getWorkflowDefinition',
        tag,
        summary: 'Get a workflow definition',
        access: READ,
        parameters: [idParameter()],
        ok: apiDef(c, 'WorkflowDefinition'),
        notFound: true,
      }),
      put: operation({
        id: 'setWorkflowDefaultVersion',
        tag,
        summary: "Set a workflow definition's default version (recorded as an activation)",
        access: ACTIVATE,
        parameters: [idParameter()],
        body: apiDef(c, 'SetDefaultWorkflowVersionRequest'),
        ok: apiDef(c, 'WorkflowDefinition'),
        accepted: c.def('api/release', 'ActivationRequestAccepted'),
        mutation: true,
        notFound: true,
      }),
    },
    '/v1/activations': {
      get: operation({
        id: 'listActivations',
        tag,
        summary: 'List activations (changes of current and default versions), oldest first',
        access: READ,
        parameters: [
          ...pageParameters(),
          repeated('product_id', 'Only activations of these products.'),
          repeated('workflow_definition_id', 'Only activations of these workflow definitions.'),
        ],
        ok: listOf(c, 'ActivationList', 'activations', activation),
      }),
    },
  };
}

function serverPaths(c: SchemaComponents): Paths {
  const tag = 'Server';
  const def = (name: string): Schema => c.def('api/server', name);
  return {
    '/health': {
      get: operation({
        id: 'health',
        tag,
        summary: 'Liveness and storage status',
        access: { scope: 'none' },
        ok: def('Health'),
        unavailable: def('Health'),
      }),
    },
    '/openapi.json': {
      get: operation({
        id: 'openApi',
        tag,
        summary: 'This description (OpenAPI 3.1)',
        access: { scope: 'none' },
        ok: { type: 'object', required: ['openapi', 'paths'] },
      }),
    },
    '/metrics': {
      get: operation({
        id: 'metrics',
        tag,
        summary: 'Prometheus metrics: requests, latencies, storage commits',
        access: READ,
        ok: { type: 'string' },
        contentType: 'text/plain',
      }),
    },
    '/v1/vault-version': {
      get: operation({
        id: 'vaultVersion',
        tag,
        summary: 'The Vault API version this server speaks',
        access: READ,
        ok: def('VaultVersion'),
      }),
    },
    '/v1/tokens/self': {
      get: operation({
        id: 'tokenSelf',
        tag,
        summary: "The caller's token name and scopes (any valid token)",
        access: { scope: 'token' },
        ok: def('TokenSelf'),
      }),
    },
  };
}

function errorSchema(c: SchemaComponents): void {
  const error = c.def('api/server', 'Error');
  const name = String(error.$ref).split('/').pop()!;
  const schema = c.schemas[name] as Schema & { properties: Record<string, Schema> };
  const codes = Object.keys(ERROR_CATALOG);
  schema.properties.code = {
    description: `A stable code; it fixes the HTTP status:\n\n${Object.entries(ERROR_CATALOG)
      .map(([code, e]) => `- \`${code}\` (${e.status}): ${e.doc}`)
      .join('\n')}`,
    enum: codes,
  };
}

let built: Schema | undefined;

/** The document (built once per process). */
export function openApiDocument(): Schema {
  if (built) return built;
  const c = new SchemaComponents();
  errorSchema(c);
  const paths: Paths = { ...serverPaths(c) };
  for (const type of RESOURCE_TYPES) Object.assign(paths, resourcePaths(c, resourceSpec(type)));
  Object.assign(paths, productPaths(c), ledgerPaths(c), releasePaths(c));
  built = {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'Strata server API',
      version: VERSION,
      summary:
        "The bundled server of strata-cli: Vault's configuration-layer and Core API shapes, and a ledger.",
      description:
        'Every call but /health and /openapi.json needs a token (`X-Auth-Token`, or `Authorization: Bearer`) with the scope the operation names. Mutations are idempotent by `request_id`. Errors are `{code, message, details, field_violations}`.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    tags: [
      { name: 'Server', description: 'Liveness, metrics, versions, tokens.' },
      { name: 'Configuration', description: 'The configuration layer: what `strata import` writes.' },
      { name: 'Ledger', description: 'Customers, accounts, posting instruction batches, balances, events.' },
      { name: 'Release', description: 'Four-eyes approval of activations, and the server settings.' },
    ],
    paths: sortPaths(paths),
    components: {
      schemas: c.schemas,
      responses: errorResponses(c),
      securitySchemes: {
        XAuthToken: { type: 'apiKey', in: 'header', name: 'X-Auth-Token' },
        BearerToken: { type: 'http', scheme: 'bearer' },
      },
    },
  };
  return built;
}

function sortPaths(paths: Paths): Paths {
  return Object.fromEntries(Object.entries(paths).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
