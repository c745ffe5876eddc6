/** `GET /openapi.json`: the API description, readable without a token (like /health). */
import type { FastifyInstance } from 'fastify';
import { openApiDocument } from './document.js';

export function registerOpenApiRoute(app: FastifyInstance): void {
  let text: string | undefined;
  app.get('/openapi.json', { config: { scope: 'none' } }, async (_req, reply) => {
    text ??= JSON.stringify(openApiDocument());
    return reply.type('application/json; charset=utf-8').send(text);
  });
}
