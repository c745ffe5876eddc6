/**
 * The ledger endpoints (ledger.md): customers, accounts, posting instruction batches, balances,
 * events (long poll and Server-Sent Events). They live in their own Fastify scope whose JSON
 * body parser is the ledger's lossless one, so no decimal in a ledger request ever becomes a JS
 * number. Each handler parses HTTP and calls one LedgerService method.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { JsonSyntaxError, parseJson } from '../../ledger/json.js';
import { formatTimestamp } from '../../ledger/time.js';
import type { StoredEvent, Storage } from '../../storage/types.js';
import { invalid } from '../errors.js';
import type { LedgerOutcome, LedgerService } from './service.js';
import { verifyLedger } from './verify.js';

const JSON_TYPE = 'application/json; charset=utf-8';
/** Longest a long poll waits, and the SSE keep-alive interval. */
export const MAX_WAIT_MS = 30_000;
const SSE_HEARTBEAT_MS = 15_000;
const EVENTS_PAGE_MAX = 1000;

type Query = Record<string, string | string[] | undefined>;

function many(q: Query, name: string): string[] | undefined {
  const v = q[name];
  if (v === undefined) return undefined;
  return (Array.isArray(v) ? v : [v]).flatMap((x) => x.split(',')).filter((x) => x !== '');
}

function one(q: Query, name: string): string | undefined {
  const v = q[name];
  return Array.isArray(v) ? v[0] : v;
}

function sendJson(reply: FastifyReply, text: string): FastifyReply {
  return reply.code(200).type(JSON_TYPE).send(text);
}

function sendOutcome(reply: FastifyReply, o: LedgerOutcome): FastifyReply {
  if (o.replay) reply.header('idempotent-replay', 'true');
  return reply.code(o.status).type(JSON_TYPE).send(o.body);
}

function id(req: FastifyRequest): string {
  return (req.params as { id: string }).id;
}

function integer(q: Query, name: string, fallback: number, max: number): number {
  const raw = one(q, name);
  if (raw === undefined || raw === '') return fallback;
  if (!/^[0-9]{1,16}$/.test(raw) || Number(raw) > max) {
    throw invalid(`${name} must be a whole number from 0 to ${max}`, [
      { field: name, description: `0 to ${max}` },
    ]);
  }
  return Number(raw);
}

/** Open streams and long polls, ended when the server closes so that close never waits on them. */
class Waiters {
  readonly #closers = new Set<() => void>();
  closed = false;

  add(close: () => void): () => void {
    this.#closers.add(close);
    return () => {
      this.#closers.delete(close);
    };
  }

  closeAll(): void {
    this.closed = true;
    for (const c of [...this.#closers]) c();
  }
}

/** Resolves when events after `after` are committed, after `ms`, or at close, whichever is first. */
function waitForEvents(storage: Storage, waiters: Waiters, after: number, ms: number): Promise<void> {
  return new Promise((resolve) => {
    let unwatch = (): void => undefined;
    let forget = (): void => undefined;
    const done = (): void => {
      clearTimeout(timer);
      unwatch();
      forget();
      resolve();
    };
    const timer = setTimeout(done, ms);
    unwatch = storage.watchEvents((sequence) => {
      if (sequence > after) done();
    });
    forget = waiters.add(done);
  });
}

function renderEvent(e: StoredEvent): string {
  return `{"sequence":${e.sequence},"topic":${JSON.stringify(e.topic)},"key":${JSON.stringify(e.key)},"timestamp":${JSON.stringify(formatTimestamp(e.timestampMs))},"payload":${e.payload}}`;
}

export function registerLedgerRoutes(app: FastifyInstance, ledger: LedgerService, storage: Storage): void {
  const waiters = new Waiters();
  app.addHook('preClose', (done) => {
    waiters.closeAll();
    done();
  });
  void app.register(async (scope) => {
    scope.removeContentTypeParser('application/json');
    scope.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
      try {
        done(null, parseJson(body as string));
      } catch (e) {
        if (e instanceof JsonSyntaxError)
          done(
            invalid(`the body is not valid JSON: ${e.message}`, [{ field: 'body', description: e.message }]),
            undefined,
          );
        else done(e as Error, undefined);
      }
    });
    ledgerResources(scope, ledger, storage);
    eventRoutes(scope, storage, waiters);
  });
}

function ledgerResources(app: FastifyInstance, ledger: LedgerService, storage: Storage): void {
  const read = { config: { scope: 'ledger:read' as const } };
  const write = { config: { scope: 'ledger:write' as const } };

  app.post('/v1/customers', write, async (req, reply) =>
    sendOutcome(reply, await ledger.createCustomer(req.body as never)),
  );
  app.get('/v1/customers::batchGet', read, async (req, reply) =>
    sendJson(reply, await ledger.getCustomers(many(req.query as Query, 'ids') ?? [])),
  );
  app.get('/v1/customers', read, async (req, reply) => {
    const q = req.query as Query;
    return sendJson(
      reply,
      await ledger.listCustomers({ pageSize: one(q, 'page_size'), pageToken: one(q, 'page_token') }),
    );
  });
  app.get('/v1/customers/:id', read, async (req, reply) =>
    sendJson(reply, await ledger.getCustomer(id(req))),
  );

  app.post('/v1/accounts', write, async (req, reply) =>
    sendOutcome(reply, await ledger.createAccount(req.body as never)),
  );
  app.get('/v1/accounts::batchGet', read, async (req, reply) =>
    sendJson(reply, await ledger.getAccounts(many(req.query as Query, 'ids') ?? [])),
  );
  app.get('/v1/accounts', read, async (req, reply) => {
    const q = req.query as Query;
    return sendJson(
      reply,
      await ledger.listAccounts(
        { stakeholderIds: many(q, 'stakeholder_id'), productIds: many(q, 'product_id') },
        { pageSize: one(q, 'page_size'), pageToken: one(q, 'page_token') },
      ),
    );
  });
  app.get('/v1/accounts/:id', read, async (req, reply) => sendJson(reply, await ledger.getAccount(id(req))));
  app.put('/v1/accounts/:id', write, async (req, reply) =>
    sendOutcome(reply, await ledger.updateAccount(id(req), req.body as never)),
  );

  app.post('/v1/posting-instruction-batches', write, async (req, reply) =>
    sendOutcome(reply, await ledger.postBatch(req.body as never)),
  );
  app.get('/v1/posting-instruction-batches::batchGet', read, async (req, reply) =>
    sendJson(reply, await ledger.getBatches(many(req.query as Query, 'ids') ?? [])),
  );
  app.get('/v1/posting-instruction-batches', read, async (req, reply) => {
    const q = req.query as Query;
    return sendJson(
      reply,
      await ledger.listBatches(
        {
          accountIds: many(q, 'account_ids'),
          clientBatchIds: many(q, 'client_batch_ids'),
          startTime: one(q, 'start_time'),
          endTime: one(q, 'end_time'),
        },
        { pageSize: one(q, 'page_size'), pageToken: one(q, 'page_token') },
      ),
    );
  });
  app.get('/v1/posting-instruction-batches/:id', read, async (req, reply) =>
    sendJson(reply, await ledger.getBatch(id(req))),
  );

  // No scope in the config: the app's default, admin.
  app.get('/v1/ledger::verify', async (_req, reply) =>
    sendJson(reply, JSON.stringify(await verifyLedger(storage))),
  );

  app.get('/v1/balances/live', read, async (req, reply) =>
    sendJson(reply, await ledger.liveBalances(many(req.query as Query, 'account_ids') ?? [])),
  );
  app.get('/v1/balances/timerange', read, async (req, reply) => {
    const q = req.query as Query;
    return sendJson(
      reply,
      await ledger.timerangeBalances(many(q, 'account_ids') ?? [], one(q, 'from_time'), one(q, 'to_time'), {
        pageSize: one(q, 'page_size'),
        pageToken: one(q, 'page_token'),
      }),
    );
  });
}

function eventRoutes(app: FastifyInstance, storage: Storage, waiters: Waiters): void {
  const read = { config: { scope: 'ledger:read' as const } };

  app.get('/v1/events', read, async (req, reply) => {
    const q = req.query as Query;
    const after = integer(q, 'after', 0, Number.MAX_SAFE_INTEGER);
    const limit = integer(q, 'page_size', 100, EVENTS_PAGE_MAX) || 100;
    const waitMs = integer(q, 'wait_ms', 0, MAX_WAIT_MS);
    const topics = many(q, 'topics');
    const query = { afterSeq: after, topics, limit };
    let events = await storage.read((tx) => tx.events.read(query));
    if (events.length === 0 && waitMs > 0 && !waiters.closed) {
      await waitForEvents(storage, waiters, after, waitMs);
      events = await storage.read((tx) => tx.events.read(query));
    }
    const last = events[events.length - 1]?.sequence ?? after;
    return sendJson(reply, `{"events":[${events.map(renderEvent).join(',')}],"last_sequence":${last}}`);
  });

  app.get('/v1/events::stream', read, async (req, reply) => {
    const q = req.query as Query;
    const header = req.headers['last-event-id'];
    const resume = typeof header === 'string' && /^[0-9]{1,16}$/.test(header) ? Number(header) : undefined;
    let after = resume ?? integer(q, 'after', 0, Number.MAX_SAFE_INTEGER);
    const topics = many(q, 'topics');
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-request-id': req.id,
    });
    let open = true;
    const stop = (): void => {
      open = false;
    };
    req.raw.on('close', stop);
    const forget = waiters.add(() => {
      stop();
      raw.end();
    });
    try {
      raw.write(': connected\n\n');
      while (open) {
        const events = await storage.read((tx) =>
          tx.events.read({ afterSeq: after, topics, limit: EVENTS_PAGE_MAX }),
        );
        for (const e of events) {
          raw.write(`id: ${e.sequence}\nevent: ${e.topic}\ndata: ${renderEvent(e)}\n\n`);
          after = e.sequence;
        }
        if (events.length === EVENTS_PAGE_MAX || !open) continue;
        await waitForEvents(storage, waiters, after, SSE_HEARTBEAT_MS);
        if (open) raw.write(': keep-alive\n\n');
      }
    } catch (e) {
      req.log.error({ err: e }, 'event stream failed');
    } finally {
      forget();
      if (!raw.writableEnded) raw.end();
    }
  });
}
