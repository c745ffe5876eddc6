/**
 * The console: the web front end built from console/ into dist/console by `npm run build`,
 * served at /console. It adds no server logic: static files, and index.html for every other path
 * under /console so that each page is deep-linkable (the front end routes on the path). Files are
 * public (no token; the front end asks for one and calls the same API as any client). Every
 * response carries a strict Content-Security-Policy: scripts, styles and calls from this origin
 * only, nothing inline, no frames.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { ApiError } from './errors.js';
import { sendError } from './edge.js';

export const CONSOLE_PREFIX = '/console';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
};

/** Where `npm run build` puts the console: dist/console, from src/server or dist/server alike. */
export function defaultConsoleDir(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'console');
}

/** A relative file path the console may serve: plain segments, no dot-dot, no hidden files. */
const FILE_PATH = /^(?:[A-Za-z0-9_-][A-Za-z0-9._-]*\/)*[A-Za-z0-9_-][A-Za-z0-9._-]*\.[A-Za-z0-9]+$/;

const PUBLIC = { config: { scope: 'none' as const } };

/**
 * Registers /console. `dir` holds the built console (index.html, assets/); when it was not built,
 * /console answers 404 saying how to build it.
 */
export function registerConsole(app: FastifyInstance, dir: string = defaultConsoleDir()): void {
  void app.register(async (scope) => {
    const built = existsSync(join(dir, 'index.html'));
    if (built) await scope.register(fastifyStatic, { root: dir, serve: false, index: false });
    scope.addHook('onSend', (_req, reply, payload, done) => {
      reply.headers(SECURITY_HEADERS);
      done(null, payload);
    });
    const page = (reply: FastifyReply): FastifyReply => {
      if (!built) return notBuilt(reply);
      return reply
        .header('cache-control', 'no-cache')
        .type('text/html; charset=utf-8')
        .sendFile('index.html', { cacheControl: false });
    };
    // The router ignores trailing slashes: this is /console and /console/ alike.
    scope.get(CONSOLE_PREFIX, PUBLIC, (_req, reply) => page(reply));
    scope.get(`${CONSOLE_PREFIX}/*`, PUBLIC, (req, reply) => {
      const path = (req.params as { '*': string })['*'];
      // Pages (no file extension) are the front end's routes; files are served when they exist.
      if (!/\.[A-Za-z0-9]+$/.test(path)) return page(reply);
      if (!built || !FILE_PATH.test(path) || !existsSync(join(dir, path))) {
        return sendError(reply, new ApiError('NOT_FOUND', `no console file ${path}`));
      }
      // Vite names assets by content hash: they never change under the same name.
      const immutable = path.startsWith('assets/');
      reply.header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
      return reply.sendFile(path, { cacheControl: false });
    });
  });
}

function notBuilt(reply: FastifyReply): FastifyReply {
  return sendError(
    reply,
    new ApiError('NOT_FOUND', 'the console is not built into this installation; run npm run build'),
  );
}
