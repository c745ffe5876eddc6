/**
 * Release management's endpoints: the server's settings (is four-eyes on), activation requests
 * (list, read, approve, reject). Activation calls themselves stay at their Vault paths (routes.ts).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../errors.js';
import type { WriteResponse } from '../config/service.js';
import type { Actor } from './activations.js';
import type { ReleaseService } from './service.js';

const JSON_TYPE = 'application/json; charset=utf-8';
const READ = { config: { scope: 'read' as const } };
const APPROVE = { config: { scope: 'config:approve' as const } };

type Query = Record<string, string | string[] | undefined>;

function many(q: Query, name: string): string[] | undefined {
  const v = q[name];
  return v === undefined ? undefined : Array.isArray(v) ? v : [v];
}

function one(q: Query, name: string): string | undefined {
  const v = q[name];
  return Array.isArray(v) ? v[0] : v;
}

function actor(req: FastifyRequest): Actor {
  return { tokenId: req.token?.id ?? '', name: req.token?.name ?? '' };
}

function send(reply: FastifyReply, o: WriteResponse): FastifyReply {
  if (o.replay) reply.header('idempotent-replay', 'true');
  return reply.code(o.status).type(JSON_TYPE).send(o.body);
}

/** `{id}:approve` or `{id}:reject`; 404 for any other action. */
function decisionOf(req: FastifyRequest): { id: string; decision: 'approve' | 'reject' } {
  const raw = (req.params as { id: string }).id;
  const m = /^(.+):(approve|reject)$/.exec(raw);
  if (!m) throw new ApiError('NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0] ?? ''}`);
  return { id: m[1] as string, decision: m[2] as 'approve' | 'reject' };
}

export function registerReleaseRoutes(app: FastifyInstance, release: ReleaseService): void {
  app.get('/v1/server-settings', READ, async (_req, reply) => reply.type(JSON_TYPE).send(release.settings()));
  app.get('/v1/activation-requests', READ, async (req, reply) => {
    const q = req.query as Query;
    const text = await release.listRequests({
      status: one(q, 'status'),
      productIds: many(q, 'product_id'),
      workflowDefinitionIds: many(q, 'workflow_definition_id'),
      pageSize: one(q, 'page_size'),
      pageToken: one(q, 'page_token'),
    });
    return reply.type(JSON_TYPE).send(text);
  });
  app.get('/v1/activation-requests/:id', READ, async (req, reply) =>
    reply.type(JSON_TYPE).send(await release.getRequest((req.params as { id: string }).id)),
  );
  app.post('/v1/activation-requests/:id', APPROVE, async (req, reply) => {
    const { id, decision } = decisionOf(req);
    return send(reply, await release.decide(decision, id, req.body, actor(req)));
  });
}
