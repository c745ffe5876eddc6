/** The ledger's operations (src/server/ledger/routes.ts), with the shapes of schemas/api/ledger. */
import { listOf, mapOf, operation, pageParameters, repeated, type Access, type Paths } from './operations.js';
import type { Schema, SchemaComponents } from './schemas.js';

const READ: Access = { scope: 'ledger:read' };
const WRITE: Access = { scope: 'ledger:write' };
const tag = 'Ledger';

function idParameter(): Schema {
  return { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
}

function timeParameter(name: string, description: string): Schema {
  return { name, in: 'query', description, schema: { type: 'string', format: 'date-time' } };
}

/** Create, batchGet, list and get of customers, accounts or batches. */
function collection(
  c: SchemaComponents,
  o: { path: string; name: string; key: string; what: string; filters: Schema[] },
): Paths {
  const def = (name: string): Schema => c.def('api/ledger', name);
  const object = def(o.name);
  return {
    [o.path]: {
      post: operation({
        id: `create${o.name}`,
        tag,
        summary: `Create ${o.what}`,
        access: WRITE,
        body: def(`Create${o.name}Request`),
        ok: object,
        mutation: true,
      }),
      get: operation({
        id: `list${o.name}s`,
        tag,
        summary: `List ${o.key.replace(/_/g, ' ')}`,
        access: READ,
        parameters: [...pageParameters(), ...o.filters],
        ok: listOf(c, `${o.name}List`, o.key, object),
      }),
    },
    [`${o.path}:batchGet`]: {
      get: operation({
        id: `batchGet${o.name}s`,
        tag,
        summary: `Get several ${o.key.replace(/_/g, ' ')} by id`,
        access: READ,
        parameters: [repeated('ids', 'The ids (repeated, or comma-separated).', true)],
        ok: mapOf(o.key, object),
        notFound: true,
      }),
    },
    [`${o.path}/{id}`]: {
      get: operation({
        id: `get${o.name}`,
        tag,
        summary: `Get ${o.what}`,
        access: READ,
        parameters: [idParameter()],
        ok: object,
        notFound: true,
      }),
    },
  };
}

function balancePaths(c: SchemaComponents): Paths {
  const list = c.def('api/ledger', 'BalanceList');
  const accounts = repeated('account_ids', 'The accounts (repeated, or comma-separated).', true);
  return {
    '/v1/balances/live': {
      get: operation({
        id: 'liveBalances',
        tag,
        summary: "Accounts' live balances, one per dimension",
        access: READ,
        parameters: [accounts],
        ok: list,
      }),
    },
    '/v1/balances/timerange': {
      get: operation({
        id: 'timerangeBalances',
        tag,
        summary:
          'Every balance value in a time range, by value time (the as-of balance at T is the last at or before T)',
        access: READ,
        parameters: [
          accounts,
          timeParameter('from_time', 'Start of the range (default: the beginning).'),
          timeParameter('to_time', 'End of the range (default: now).'),
          {
            name: 'page_size',
            in: 'query',
            description: 'Entries per page (the first page also carries the values as of from_time).',
            schema: { type: 'integer', minimum: 1 },
          },
          {
            name: 'page_token',
            in: 'query',
            description:
              'The next_page_token of the previous page, unchanged (with the same other parameters).',
            schema: { type: 'string' },
          },
        ],
        ok: list,
      }),
    },
  };
}

function eventPaths(c: SchemaComponents): Paths {
  const topics = repeated('topics', 'Only these topics (repeated, or comma-separated).');
  const after = {
    name: 'after',
    in: 'query',
    description: 'Events after this sequence (default 0).',
    schema: { type: 'integer', minimum: 0 },
  };
  return {
    '/v1/events': {
      get: operation({
        id: 'listEvents',
        tag,
        summary: 'Events after a sequence; a long poll with wait_ms',
        access: READ,
        parameters: [
          after,
          topics,
          { name: 'page_size', in: 'query', schema: { type: 'integer', minimum: 0, maximum: 1000 } },
          {
            name: 'wait_ms',
            in: 'query',
            description: 'When nothing is there yet, wait up to this long for events (at most 30000).',
            schema: { type: 'integer', minimum: 0, maximum: 30000 },
          },
        ],
        ok: c.def('api/ledger', 'EventPage'),
      }),
    },
    '/v1/events:stream': {
      get: operation({
        id: 'streamEvents',
        tag,
        summary:
          'The same events as Server-Sent Events (`id:` is the sequence; resumable with Last-Event-ID)',
        access: READ,
        parameters: [
          after,
          topics,
          {
            name: 'Last-Event-ID',
            in: 'header',
            description: 'Resume after this sequence (instead of `after`).',
            schema: { type: 'string' },
          },
        ],
        ok: { type: 'string' },
        contentType: 'text/event-stream',
      }),
    },
  };
}

export function ledgerPaths(c: SchemaComponents): Paths {
  const def = (name: string): Schema => c.def('api/ledger', name);
  const accounts = collection(c, {
    path: '/v1/accounts',
    name: 'Account',
    key: 'accounts',
    what: "an account (on a product's current version, or a given version)",
    filters: [
      repeated('stakeholder_id', 'Only accounts of these customers.'),
      repeated('product_id', 'Only accounts on these products.'),
    ],
  });
  accounts['/v1/accounts/{id}']!.put = operation({
    id: 'updateAccount',
    tag,
    summary: "Change an account's status or details",
    access: WRITE,
    parameters: [idParameter()],
    body: def('UpdateAccountRequest'),
    ok: def('Account'),
    mutation: true,
    notFound: true,
  });
  return {
    ...collection(c, {
      path: '/v1/customers',
      name: 'Customer',
      key: 'customers',
      what: 'a customer',
      filters: [],
    }),
    ...accounts,
    ...collection(c, {
      path: '/v1/posting-instruction-batches',
      name: 'PostingInstructionBatch',
      key: 'posting_instruction_batches',
      what: 'a posting instruction batch (atomic; a business rule that fails stores it REJECTED)',
      filters: [
        repeated('account_ids', 'Only batches posting to these accounts.'),
        repeated('client_batch_ids', 'Only batches with these client batch ids.'),
        timeParameter('start_time', 'Inserted at or after.'),
        timeParameter('end_time', 'Inserted before.'),
      ],
    }),
    ...balancePaths(c),
    ...eventPaths(c),
    '/v1/ledger:verify': {
      get: operation({
        id: 'verifyLedger',
        tag,
        summary: "Check the ledger's invariants over everything stored",
        access: { scope: 'admin' },
        ok: def('VerifyReport'),
      }),
    },
  };
}
