/**
 * The endpoints of `server-api.md` sections 1 to 3. Each handler parses the request and calls one
 * ConfigService method; responses are JSON text as stored.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RESOURCE_TYPES, resourceSpec, type ResourceType } from '../resource/index.js';
import type { ServerState } from './app.js';
import type { Actor, WriteResponse } from './config/service.js';
import { ApiError } from './errors.js';
import { VERSION } from '../version.js';

const JSON_TYPE = 'application/json; charset=utf-8';

type Query = Record<string, string | string[] | undefined>;

function many(q: Query, name: string): string[] | undefined {
  const v = q[name];
  if (v === undefined) return undefined;
  return Array.isArray(v) ? v : [v];
}

function one(q: Query, name: string): string | undefined {
  const v = q[name];
  return Array.isArray(v) ? v[0] : v;
}

function param(req: FastifyRequest): string {
  return (req.params as { id: string }).id;
}

function actor(req: FastifyRequest): Actor {
  return { tokenId: req.token?.id ?? '', name: req.token?.name ?? '' };
}

function sendJson(reply: FastifyReply, text: string): FastifyReply {
  return reply.code(200).type(JSON_TYPE).send(text);
}

function sendResponse(reply: FastifyReply, o: WriteResponse): FastifyReply {
  if (o.replay) reply.header('idempotent-replay', 'true');
  return reply.code(o.status).type(JSON_TYPE).send(o.body);
}

/** Splits `id:action` (ids may themselves contain colons); 404 unless the action matches. */
function withAction(req: FastifyRequest, action: string): string {
  const raw = param(req);
  const suffix = `:${action}`;
  if (!raw.endsWith(suffix) || raw.length === suffix.length) {
    throw new ApiError('NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0] ?? ''}`);
  }
  return raw.slice(0, -suffix.length);
}

/**
 * A registry path template as a route: `{id}` becomes the `:id` parameter, a literal colon is
 * escaped, and an `:action` after `{id}` is returned apart (ids may contain colons, so the
 * handler splits it off with `withAction`).
 */
export function routeOf(template: string): { url: string; action: string | null } {
  const [before, after] = template.split('{id}') as [string, string | undefined];
  const url = before.replaceAll(':', '::') + (after === undefined ? '' : ':id');
  if (after === undefined || after === '') return { url, action: null };
  if (!after.startsWith(':')) throw new Error(`bug: unsupported path template ${template}`);
  return { url, action: after.slice(1) };
}

/** The object id of a request to a templated route. */
function idOf(req: FastifyRequest, action: string | null): string {
  return action === null ? param(req) : withAction(req, action);
}

const READ = { config: { scope: 'read' as const } };
const WRITE = { config: { scope: 'config:write' as const } };
const ACTIVATE = { config: { scope: 'config:activate' as const } };

/** The Vault API version this server speaks (label names the Strata release). */
export const VAULT_API_VERSION = { major: 5, minor: 0, patch: 0 };

export function registerRoutes(app: FastifyInstance, state: ServerState): void {
  const { service, storage, metrics } = state;
  const versionBody = JSON.stringify({
    version: { ...VAULT_API_VERSION, label: `strata-${VERSION}` },
  });

  app.get('/health', { config: { scope: 'none' } }, async (_req, reply) => {
    const health = await storage.health();
    const ok = health.ok && !state.draining;
    return reply
      .code(ok ? 200 : 503)
      .type(JSON_TYPE)
      .send(
        JSON.stringify({ status: ok ? 'ok' : state.draining ? 'draining' : 'unavailable', storage: health }),
      );
  });
  app.get('/metrics', { config: { scope: 'read' } }, async (_req, reply) =>
    reply.type('text/plain; version=0.0.4; charset=utf-8').send(metrics.render()),
  );
  app.get('/v1/vault-version', { config: { scope: 'read' } }, async (_req, reply) =>
    sendJson(reply, versionBody),
  );

  // Who the caller is, for any valid token: the CLI checks scopes before it writes anything.
  app.get('/v1/tokens/self', { config: { scope: 'token' } }, async (req, reply) =>
    sendJson(
      reply,
      JSON.stringify({
        token: { id: req.token?.id, name: req.token?.name, scopes: req.token?.scopes ?? [] },
      }),
    ),
  );

  for (const type of RESOURCE_TYPES) registerResourceRoutes(app, state, type);

  app.get('/v1/products', READ, async (req, reply) => {
    const q = req.query as Query;
    return sendJson(
      reply,
      await service.listProducts({ pageSize: one(q, 'page_size'), pageToken: one(q, 'page_token') }),
    );
  });
  app.get('/v1/products::batchGet', READ, async (req, reply) =>
    sendJson(reply, await service.batchGetProducts(many(req.query as Query, 'ids') ?? [])),
  );
  app.get('/v1/products/:id', READ, async (req, reply) =>
    sendJson(reply, await service.getProduct(param(req))),
  );
  app.post('/v1/products/:id', ACTIVATE, async (req, reply) =>
    sendResponse(
      reply,
      await service.activateProductVersion(withAction(req, 'activateVersion'), req.body, actor(req)),
    ),
  );

  app.get('/v1/workflow-definitions/:id', READ, async (req, reply) =>
    sendJson(reply, await service.getWorkflowDefinition(param(req))),
  );
  app.put('/v1/workflow-definitions/:id', ACTIVATE, async (req, reply) =>
    sendResponse(reply, await service.setWorkflowDefaultVersion(param(req), req.body, actor(req))),
  );

  app.get('/v1/activations', READ, async (req, reply) => {
    const q = req.query as Query;
    return sendJson(
      reply,
      await service.listActivations(
        { productIds: many(q, 'product_id'), workflowDefinitionIds: many(q, 'workflow_definition_id') },
        { pageSize: one(q, 'page_size'), pageToken: one(q, 'page_token') },
      ),
    );
  });
}

/** The create, read and update endpoints of one resource type, at the registry's paths. */
function registerResourceRoutes(app: FastifyInstance, state: ServerState, type: ResourceType): void {
  const { service } = state;
  const spec = resourceSpec(type);
  app.post(routeOf(spec.paths.create).url, WRITE, async (req, reply) =>
    sendResponse(reply, await service.create(type, req.body, actor(req))),
  );
  app.get(routeOf(spec.paths.batchGet).url, READ, async (req, reply) => {
    const q = req.query as Query;
    return sendJson(reply, await service.batchGet(type, many(q, 'ids') ?? [], one(q, 'view')));
  });
  app.get(routeOf(spec.paths.list).url, READ, async (req, reply) => {
    const q = req.query as Query;
    const list = {
      pageSize: one(q, 'page_size'),
      pageToken: one(q, 'page_token'),
      parents: spec.parent === null ? undefined : many(q, spec.parent.filter),
    };
    return sendJson(reply, await service.list(type, list, one(q, 'view')));
  });
  const get = routeOf(spec.paths.get);
  app.get(get.url, READ, async (req, reply) =>
    sendJson(reply, await service.get(type, idOf(req, get.action), one(req.query as Query, 'view'))),
  );
  if (spec.update !== null) {
    const update = routeOf(spec.update.path);
    app.put(update.url, WRITE, async (req, reply) =>
      sendResponse(reply, await service.update(type, idOf(req, update.action), req.body)),
    );
  }
}
