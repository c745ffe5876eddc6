/**
 * `buildApp()` makes the HTTP app of the bundled server and never listens: the `server start`
 * command listens, tests use `inject()` or port 0. Cross-cutting concerns live here (auth, error
 * shape, request ids, body limit, logging, metrics, draining); the endpoints are in `routes.ts`.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Storage, TokenRecord } from '../storage/types.js';
import { hasScope, TokenCache, type Scope } from './auth.js';
import { ConfigService } from './config/service.js';
import { ApiError } from './errors.js';
import {
  checkRequestIds,
  loggedPath,
  MAX_PATH_SEGMENT,
  sendError,
  toApiError,
  useJsonBodyParser,
} from './edge.js';
import { isValidId } from '../util/id.js';
import { Metrics } from './metrics.js';
import { registerRoutes } from './routes.js';
import { registerLedgerRoutes } from './ledger/routes.js';
import { registerOpenApiRoute } from './openapi/route.js';
import { registerConsole } from './console.js';
import { LedgerService } from './ledger/service.js';
import { ReleaseService } from './release/service.js';
import { registerReleaseRoutes } from './release/routes.js';
import type { Denominations } from '../ledger/money.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The scope a route needs; `none` only for liveness, `token` for any valid token (who am I).
     * Routes without one need `admin`.
     */
    scope?: Scope | 'none' | 'token';
  }
  interface FastifyRequest {
    token: TokenRecord | null;
  }
  interface FastifyInstance {
    strata: ServerState;
  }
}

export interface ServerState {
  storage: Storage;
  metrics: Metrics;
  service: ConfigService;
  ledger: LedgerService;
  release: ReleaseService;
  /** Set when shutting down: new requests get 503 with Retry-After. */
  draining: boolean;
}

/** A destination for the JSON log lines (one per request), e.g. `process.stderr`. */
export interface LogDestination {
  write(line: string): unknown;
}

export interface AppOptions {
  storage: Storage;
  /** Where JSON log lines go; false for none (the default). */
  logger?: LogDestination | false;
  /** `info` (default): one line per request; `error`: only internal errors. */
  logLevel?: 'info' | 'error';
  /** Largest accepted request body in bytes (default 16 MiB); larger gets 413. */
  bodyLimit?: number;
  /** Requests served at once before 429 (default 4096). */
  maxInFlight?: number;
  /** Clock (ms since epoch) and id generator, for tests. */
  now?: () => number;
  newId?: () => string;
  /** Exponents of the ledger's denominations beyond ISO 4217 (`--denomination CODE=EXPONENT`). */
  denominations?: Denominations;
  /** Four-eyes: activations wait for another actor's approval (`server start --require-approval`). */
  requireApproval?: boolean;
  /** The built console served at /console (default: dist/console of this installation). */
  consoleDir?: string;
  /** Passed to Fastify for HTTPS. */
  https?: { cert: string | Buffer; key: string | Buffer };
}

export const DEFAULT_BODY_LIMIT = 16 * 1024 * 1024;
/** The token a request presents: `X-Auth-Token`, or `Authorization: Bearer` (CLU's --jwt). */
function presentedToken(req: FastifyRequest): string | undefined {
  const given = req.headers['x-auth-token'];
  if (typeof given === 'string' && given !== '') return given;
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
  return bearer;
}

export function buildApp(options: AppOptions): FastifyInstance {
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const maxInFlight = options.maxInFlight ?? 4096;
  const logger = options.logger
    ? { level: options.logLevel ?? 'info', stream: options.logger, base: null, messageKey: 'msg' }
    : false;
  const app = Fastify({
    logger,
    bodyLimit,
    // One line per request, written by the onResponse hook below, instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'request_id' }),
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return isValidId(given) ? given : randomUUID();
    },
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: MAX_PATH_SEGMENT },
    // Errors raised before routing (bad URL encoding, an overlong path segment) join the catalog.
    frameworkErrors: (err, _req, reply) => sendError(reply, toApiError(err, bodyLimit)),
    ...(options.https ? { https: options.https } : {}),
  }) as unknown as FastifyInstance;

  const metrics = new Metrics();
  options.storage.onCommit((s) => metrics.observeCommit(s));
  const service = new ConfigService(options.storage, options.now, options.newId, options.requireApproval);
  const state: ServerState = {
    storage: options.storage,
    metrics,
    service,
    release: new ReleaseService(options.storage, service.activations, options.now),
    ledger: new LedgerService(options.storage, options.denominations, options.now, options.newId),
    draining: false,
  };
  app.decorate('strata', state);
  app.decorateRequest('token', null);
  const tokens = new TokenCache(options.storage);
  // A request leaves the in-flight count once, whether it completes or is aborted.
  const counted = new WeakSet<FastifyRequest>();
  const release = (req: FastifyRequest): void => {
    if (counted.delete(req)) metrics.inFlight -= 1;
  };

  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', req.id);
    metrics.inFlight += 1;
    counted.add(req);
    const scope = req.routeOptions.config.scope;
    // Liveness answers for itself, draining included.
    if (scope === 'none') return;
    if (state.draining) {
      throw new ApiError(
        'UNAVAILABLE',
        'the server is shutting down; retry against the new instance',
        {},
        [],
        1,
      );
    }
    if (metrics.inFlight > maxInFlight) {
      throw new ApiError(
        'RESOURCE_EXHAUSTED',
        'too many requests in flight; retry shortly',
        { max_in_flight: maxInFlight },
        [],
        1,
      );
    }
    const given = presentedToken(req);
    if (given === undefined) {
      throw new ApiError('UNAUTHENTICATED', 'missing X-Auth-Token (or Authorization: Bearer) header');
    }
    const token = await tokens.lookup(given);
    if (!token) throw new ApiError('UNAUTHENTICATED', 'unknown token');
    req.token = token;
    // Unknown routes need only a valid token, then get 404; known routes need their scope.
    if (req.routeOptions.url === undefined || scope === 'token') return;
    const needed: Scope = scope ?? 'admin';
    if (!hasScope(token, needed)) {
      throw new ApiError('PERMISSION_DENIED', `this call needs a token with scope ${needed}`, {
        required_scope: needed,
        token_scopes: token.scopes,
      });
    }
    checkRequestIds(req);
  });

  // While draining, every response closes its connection, so that keep-alive clients do not hold
  // the server open after their in-flight request is answered.
  app.addHook('onSend', (_req, reply, payload, done) => {
    if (state.draining) reply.header('connection', 'close');
    done(null, payload);
  });

  app.addHook('onResponse', (req, reply, done) => {
    release(req);
    const seconds = reply.elapsedTime / 1000;
    metrics.observeRequest(req.method, req.routeOptions.url ?? 'unmatched', reply.statusCode, seconds);
    req.log.info(
      {
        method: req.method,
        path: loggedPath(req.url),
        status: reply.statusCode,
        duration_ms: Math.round(reply.elapsedTime * 1000) / 1000,
      },
      'request',
    );
    done();
  });
  app.addHook('onRequestAbort', (req, done) => {
    release(req);
    done();
  });

  app.setErrorHandler((err, req, reply) => {
    const apiError = toApiError(err, bodyLimit);
    if (apiError.code === 'INTERNAL') req.log.error({ err }, 'internal error');
    return sendError(reply, apiError);
  });
  app.setNotFoundHandler((req, reply) =>
    sendError(reply, new ApiError('NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0] ?? ''}`)),
  );

  useJsonBodyParser(app);
  registerRoutes(app, state);
  registerLedgerRoutes(app, state.ledger, options.storage);
  registerReleaseRoutes(app, state.release);
  registerOpenApiRoute(app);
  registerConsole(app, options.consoleDir);
  return app;
}
