/** Release management's operations (src/server/release/routes.ts), shapes in schemas/api/release. */
import { listOf, operation, pageParameters, repeated, type Access, type Paths } from './operations.js';
import type { Schema, SchemaComponents } from './schemas.js';

const READ: Access = { scope: 'read' };
const APPROVE: Access = { scope: 'config:approve' };
const tag = 'Release';

export function releasePaths(c: SchemaComponents): Paths {
  const def = (name: string): Schema => c.def('api/release', name);
  const request = def('ActivationRequest');
  const id: Schema = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
  const decide = (action: 'approve' | 'reject', summary: string, description: string) =>
    operation({
      id: `${action}ActivationRequest`,
      tag,
      summary,
      description,
      access: APPROVE,
      parameters: [id],
      body: def('DecideRequest'),
      ok: request,
      mutation: true,
      notFound: true,
    });
  return {
    '/v1/server-settings': {
      get: operation({
        id: 'serverSettings',
        tag,
        summary: "The server's settings (whether activations require approval)",
        access: READ,
        ok: def('ServerSettings'),
      }),
    },
    '/v1/activation-requests': {
      get: operation({
        id: 'listActivationRequests',
        tag,
        summary: 'List activation requests, oldest first',
        access: READ,
        parameters: [
          ...pageParameters(),
          { name: 'status', in: 'query', schema: { enum: ['PENDING', 'APPROVED', 'REJECTED'] } },
          repeated('product_id', 'Only requests for these products.'),
          repeated('workflow_definition_id', 'Only requests for these workflow definitions.'),
        ],
        ok: listOf(c, 'ActivationRequestList', 'activation_requests', request),
      }),
    },
    '/v1/activation-requests/{id}': {
      get: operation({
        id: 'getActivationRequest',
        tag,
        summary: 'Get an activation request',
        access: READ,
        parameters: [id],
        ok: request,
        notFound: true,
      }),
    },
    '/v1/activation-requests/{id}:approve': {
      post: decide(
        'approve',
        'Approve a pending activation request: applies it atomically',
        'Another actor than the requester (403 SAME_ACTOR_APPROVAL); only while the active version is still the one the request saw (409 STALE_ACTIVATION); only once (409 ALREADY_DECIDED).',
      ),
    },
    '/v1/activation-requests/{id}:reject': {
      post: decide(
        'reject',
        'Reject a pending activation request (reason required)',
        'Another actor than the requester (403 SAME_ACTOR_APPROVAL); only once (409 ALREADY_DECIDED).',
      ),
    },
  };
}
