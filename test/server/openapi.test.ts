/**
 * GET /openapi.json against the real server: a valid OpenAPI 3.1 document, the same routes the
 * server registers, and every response the server gives (to a real import of the example packs,
 * through a recording proxy, and to calls of every other operation with ledger data) valid
 * against the operation it documents, on SQLite and on PostgreSQL.
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/server/app.js';
import { issueToken } from '../../src/server/auth.js';
import { routeOf } from '../../src/server/routes.js';
import { importPaths } from '../../src/deploy/import.js';
import { DEFAULTS } from '../../src/config/config.js';
import { RESOURCE_TYPES, resourceSpec } from '../../src/resource/index.js';
import { STORAGE_FACTORIES } from '../storage/factories.js';

const root = join(import.meta.dirname, '..', '..');
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Exchange {
  method: string;
  path: string;
  requestBody: string;
  status: number;
  contentType: string;
  body: string;
}

/** An HTTP proxy in front of the app that records every request and response. */
async function recorder(target: string): Promise<{ url: string; log: Exchange[]; close(): Promise<void> }> {
  const to = new URL(target);
  const log: Exchange[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const requestBody = Buffer.concat(chunks).toString('utf8');
      const up = httpRequest(
        { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          const out: Buffer[] = [];
          answer.on('data', (c: Buffer) => {
            out.push(c);
            res.write(c);
          });
          let logged = false;
          const done = (): void => {
            if (logged) return;
            logged = true;
            log.push({
              method: req.method ?? '',
              path: (req.url ?? '').split('?')[0] ?? '',
              requestBody,
              status: answer.statusCode ?? 0,
              contentType: String(answer.headers['content-type'] ?? ''),
              body: Buffer.concat(out).toString('utf8'),
            });
            res.end();
          };
          answer.on('end', done);
          // A client that stops reading a stream (SSE) closes it: log what it got.
          res.on('close', () => {
            done();
            answer.destroy();
          });
        },
      );
      up.end(requestBody);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    log,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** The documented path template a request path falls under (the longest literal match wins). */
function templateOf(doc: Json, method: string, path: string): string | undefined {
  const candidates = Object.keys(doc.paths as Json).filter((t) => {
    if (!(doc.paths[t] as Json)[method.toLowerCase()]) return false;
    const pattern = t.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{id\\?\}/g, '[^/]+');
    return new RegExp(`^${pattern}$`).test(path);
  });
  return candidates.sort((a, b) => b.replace('{id}', '').length - a.replace('{id}', '').length)[0];
}

/** Every route the app registers (but HEAD), from Fastify's route tree: `GET /v1/calendar/:id`. */
function routesOf(app: FastifyInstance): string[] {
  const out: string[] = [];
  const prefixes: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^([│ ]*)[├└]── (\S+)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    const path = (depth > 0 ? prefixes[depth - 1]! : '') + m[2]!;
    prefixes[depth] = path;
    for (const method of (m[3] ?? '').split(', ').filter((x) => x !== '' && x !== 'HEAD'))
      out.push(`${method} ${path}`);
  }
  return out.sort();
}

describe.each(STORAGE_FACTORIES)('the OpenAPI description, against a real server on $name', (factory) => {
  describe.skipIf(factory.skip)('', () => {
    let app: FastifyInstance;
    let proxy: Awaited<ReturnType<typeof recorder>>;
    let token: string;
    let readOnly: string;
    let doc: Json;
    let cleanup: () => Promise<void>;
    let work: string;
    // Four-eyes (release management): a second server on the same storage requires approval.
    let fourEyes: Awaited<ReturnType<typeof recorder>>;
    let checker: string;

    const callAt = async (
      base: string,
      method: string,
      path: string,
      body?: unknown,
      as = token,
    ): Promise<Json> => {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: {
          ...(as === '' ? {} : { 'x-auth-token': as }),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      return (res.headers.get('content-type') ?? '').startsWith('application/json')
        ? (JSON.parse(text) as Json)
        : { text };
    };
    const call = (method: string, path: string, body?: unknown, as = token): Promise<Json> =>
      callAt(proxy.url, method, path, body, as);

    beforeAll(async () => {
      const created = await factory.create();
      token = (await issueToken(created.storage, { scopes: ['admin'], name: 'openapi-test' })).token;
      readOnly = (await issueToken(created.storage, { scopes: ['read'], name: 'reader' })).token;
      app = buildApp({ storage: created.storage });
      await app.listen({ port: 0, host: '127.0.0.1' });
      proxy = await recorder(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}`);
      const approvalApp = buildApp({ storage: created.storage, requireApproval: true });
      await approvalApp.listen({ port: 0, host: '127.0.0.1' });
      fourEyes = await recorder(`http://127.0.0.1:${(approvalApp.server.address() as AddressInfo).port}`);
      checker = (await issueToken(created.storage, { scopes: ['read', 'config:approve'], name: 'checker' }))
        .token;
      work = mkdtempSync(join(tmpdir(), 'strata-openapi-'));
      cpSync(join(root, 'packs'), join(work, 'packs'), { recursive: true });
      cleanup = async () => {
        await proxy.close();
        await fourEyes.close();
        await approvalApp.close();
        await app.close();
        await created.cleanup();
        rmSync(work, { recursive: true, force: true });
      };
      const paths = ['wallet', 'savings', 'loan'].map((m) => `packs/library/${m}_manifest.yaml`);
      for (const path of [...paths, 'packs/bundle']) {
        const result = await importPaths({
          paths: [path],
          cwd: work,
          dataDir: join(work, '.strata'),
          target: {
            environment: null,
            url: proxy.url,
            token,
            tokenSource: 'test',
            caFile: null,
            concurrency: DEFAULTS.concurrency,
            timeoutMs: 10_000,
            maxRetries: 0,
            activateOnImport: true,
          },
        });
        expect(result.status, JSON.stringify(result.import)).toBe('SUCCESS');
      }
      doc = await call('GET', '/openapi.json', undefined, '');
    }, 120_000);
    afterAll(async () => cleanup?.());

    it('is a valid OpenAPI 3.1 document, served without a token', async () => {
      expect(doc.openapi).toBe('3.1.0');
      const validator = new Validator();
      const result = await validator.validate(doc);
      expect(result.errors ?? [], JSON.stringify(result.errors, null, 1)).toEqual([]);
      expect(result.valid).toBe(true);
      // Every component is a schema Ajv compiles in strict mode (no stray keywords).
      const ajv = new Ajv2020({ strict: true, allowUnionTypes: true });
      ajv.addKeyword('components');
      ajv.addSchema({ $id: 'https://strata.local/openapi.json', components: doc.components });
      for (const name of Object.keys(doc.components.schemas as Json))
        expect(() =>
          ajv.getSchema(`https://strata.local/openapi.json#/components/schemas/${name}`),
        ).not.toThrow();
    });

    it('describes exactly the routes the server registers', () => {
      const documented = Object.entries(doc.paths as Json)
        .flatMap(([template, ops]) =>
          Object.keys(ops as Json).map(
            (m) => `${m.toUpperCase()} ${routeOf(template).url.replaceAll('::', ':')}`,
          ),
        )
        .sort();
      // The console's pages and files (src/server/console.ts) are not part of the API.
      const api = routesOf(app).filter((r) => !/^[A-Z]+ \/console([/*]|$)/.test(r));
      expect([...new Set(documented)]).toEqual([...new Set(api)]);
    });

    it('validates every response of every operation, and every request the server accepted', async () => {
      const products = (await call('GET', '/v1/products?page_size=1000')).products as Json[];
      const product = products.find((p) => p.is_internal === false)!;
      const internal = ((await call('GET', '/v1/internal-accounts')).internal_accounts as Json[])[0]!;
      const first: Record<string, Json> = {};
      for (const type of RESOURCE_TYPES) {
        const spec = resourceSpec(type);
        const list = await call('GET', `${spec.paths.list}?page_size=2`);
        first[type] = (list[spec.listKey] as Json[])[0]!;
        const id = encodeURIComponent(String(first[type]!.id));
        await call('GET', spec.paths.get.replace('{id}', id));
        await call('GET', `${spec.paths.batchGet}?ids=${id}`);
        if (spec.views) await call('GET', `${spec.paths.get.replace('{id}', id)}?view=${spec.views.full}`);
      }
      const tag = first.ACCOUNT_SCHEDULE_TAG!;
      await call('PUT', `/v1/account-schedule-tags/${encodeURIComponent(String(tag.id))}`, {
        request_id: 'openapi-tag',
        account_schedule_tag: { test_pause_at_timestamp: '2030-01-01T00:00:00Z' },
        update_mask: { paths: ['test_pause_at_timestamp'] },
      });
      await call('PUT', `/v1/calendar/${encodeURIComponent(String(first.CALENDAR!.id))}:updateDetails`, {
        request_id: 'openapi-calendar',
        calendar: { description: 'edited' },
        update_mask: { paths: ['description'] },
      });
      await call('GET', `/v1/products/${encodeURIComponent(String(product.id))}`);
      await call('GET', `/v1/products:batchGet?ids=${encodeURIComponent(String(product.id))}`);
      await call('POST', `/v1/products/${encodeURIComponent(String(product.id))}:activateVersion`, {
        request_id: 'openapi-activate',
        product_version_id: product.current_version_id,
      });
      const workflow = first.WORKFLOW_DEFINITION_VERSION!;
      const wf = encodeURIComponent(String(workflow.workflow_definition_id));
      await call('GET', `/v1/workflow-definitions/${wf}`);
      await call('PUT', `/v1/workflow-definitions/${wf}`, {
        request_id: 'openapi-workflow',
        workflow_definition: { default_workflow_definition_version_id: workflow.id },
        update_mask: { paths: ['default_workflow_definition_version_id'] },
      });
      await call('GET', '/v1/activations');
      await call('GET', '/health', undefined, '');
      await call('GET', '/metrics');

      // The ledger: a customer, an account on an imported product, deposits, a transfer, a rejection.
      await call('POST', '/v1/customers', { request_id: 'c1', customer: { id: 'alice' } });
      await call('POST', '/v1/customers', {
        request_id: 'c2',
        customer: { id: 'bob', customer_details: { a: 'b' } },
      });
      await call('GET', '/v1/customers');
      await call('GET', '/v1/customers/alice');
      await call('GET', '/v1/customers:batchGet?ids=alice,bob');
      for (const [id, who] of [
        ['acc-a', 'alice'],
        ['acc-b', 'bob'],
      ] as const) {
        await call('POST', '/v1/accounts', {
          request_id: `open-${id}`,
          account: { id, product_id: product.id, stakeholder_ids: [who], permitted_denominations: ['GBP'] },
        });
      }
      await call('GET', '/v1/accounts?stakeholder_id=alice');
      await call('GET', '/v1/accounts/acc-a');
      await call('GET', '/v1/accounts:batchGet?ids=acc-a&ids=acc-b');
      await call('PUT', '/v1/accounts/acc-b', {
        request_id: 'details-b',
        account: { details: { note: 'x' } },
        update_mask: { paths: ['details'] },
      });
      const deposit = {
        amount: '100.00',
        denomination: 'GBP',
        target_account: { account_id: 'acc-a' },
        internal_account_id: internal.id,
      };
      const batch = (requestId: string, instructions: unknown[]) =>
        call('POST', '/v1/posting-instruction-batches', {
          request_id: requestId,
          posting_instruction_batch: { client_id: 'openapi', posting_instructions: instructions },
        });
      await batch('b1', [{ client_transaction_id: 't1', inbound_hard_settlement: deposit }]);
      await batch('b2', [
        {
          client_transaction_id: 't2',
          transfer: {
            amount: '10.5',
            denomination: 'GBP',
            debtor_target_account: { account_id: 'acc-a' },
            creditor_target_account: { account_id: 'acc-b' },
          },
        },
      ]);
      await batch('b3', [
        { client_transaction_id: 't3', outbound_authorisation: { ...deposit, amount: '5000' } },
      ]);
      await batch('b4', [
        { client_transaction_id: 't4', outbound_authorisation: { ...deposit, amount: '5' } },
      ]);
      await batch('b5', [{ client_transaction_id: 't4', settlement: { final: true } }]);
      await call('GET', '/v1/posting-instruction-batches?account_ids=acc-a');
      const batches = (await call('GET', '/v1/posting-instruction-batches'))
        .posting_instruction_batches as Json[];
      expect(batches.map((b) => b.status)).toContain('POSTING_INSTRUCTION_BATCH_STATUS_REJECTED');
      await call('GET', `/v1/posting-instruction-batches/${String(batches[0]!.id)}`);
      await call('GET', `/v1/posting-instruction-batches:batchGet?ids=${String(batches[0]!.id)}`);
      await call('GET', '/v1/balances/live?account_ids=acc-a,acc-b');
      await call('GET', '/v1/balances/timerange?account_ids=acc-a');
      await call('GET', '/v1/events?after=0&page_size=50');
      await call('GET', '/v1/ledger:verify');
      const stream = new AbortController();
      const sse = await fetch(`${proxy.url}/v1/events:stream?after=0`, {
        headers: { 'x-auth-token': token },
        signal: stream.signal,
      });
      const reader = sse.body!.getReader();
      await reader.read();
      stream.abort();

      // Four-eyes: requests left pending (202), listed, approved, refused as self-approval or stale.
      const at4 = (method: string, path: string, body?: unknown, as = token) =>
        callAt(fourEyes.url, method, path, body, as);
      for (const v of ['1.0.0', '2.0.0', '3.0.0']) {
        await call('POST', '/v1/product-versions', {
          request_id: `openapi-4e-${v}`,
          product_version: {
            product_id: 'four-eyes',
            display_name: 'Four eyes',
            code: `api = "4.0.0"\nversion = "${v}"\n`,
          },
          migration_strategy: `PRODUCT_VERSION_MIGRATION_STRATEGY_${v === '1.0.0' ? 'NEW_PRODUCT' : 'ADD_VERSION'}`,
        });
      }
      const [v1, v2, v3] = (
        (await call('GET', '/v1/product-versions?product_id=four-eyes')).product_versions as Json[]
      ).map((v) => String(v.id));
      const ask = async (version: string | undefined, requestId: string): Promise<string> =>
        String(
          (
            (
              await at4('POST', '/v1/products/four-eyes:activateVersion', {
                request_id: requestId,
                product_version_id: version,
                reason: 'openapi',
              })
            ).activation_request as Json
          ).id,
        );
      const a = await ask(v2, 'openapi-4e-a');
      await at4('GET', '/v1/server-settings');
      await at4('GET', '/v1/activation-requests?status=PENDING');
      await at4('GET', `/v1/activation-requests/${a}`);
      await at4(
        'POST',
        `/v1/activation-requests/${a}:approve`,
        { request_id: 'openapi-4e-ok', reason: 'ok' },
        checker,
      );
      const b = await ask(v3, 'openapi-4e-b');
      await at4('POST', `/v1/activation-requests/${b}:approve`, { request_id: 'openapi-4e-self' });
      await at4(
        'POST',
        `/v1/activation-requests/${b}:reject`,
        { request_id: 'openapi-4e-no', reason: 'no' },
        checker,
      );
      const c = await ask(v3, 'openapi-4e-c');
      const d = await ask(v1, 'openapi-4e-d');
      await at4('POST', `/v1/activation-requests/${d}:approve`, { request_id: 'openapi-4e-d-ok' }, checker);
      await at4('POST', `/v1/activation-requests/${c}:approve`, { request_id: 'openapi-4e-stale' }, checker);
      await at4('PUT', `/v1/workflow-definitions/${wf}`, {
        request_id: 'openapi-workflow-4e',
        workflow_definition: { default_workflow_definition_version_id: workflow.id },
        update_mask: { paths: ['default_workflow_definition_version_id'] },
        reason: 'already the default: 200',
      });

      // Errors, each documented for its operation.
      await call('GET', '/v1/flag-definitions/no-such-flag');
      await call('GET', '/v1/flag-definitions:batchGet?ids=no-such-flag');
      await call('GET', '/v1/vault-version', undefined, '');
      await call('POST', '/v1/flag-definitions', { request_id: 'x', flag_definition: { id: 'F' } }, readOnly);
      await call('POST', '/v1/flag-definitions', { request_id: 'bad', flag_definition: { id: 'F' } });
      await call('POST', '/v1/customers', { request_id: 'c1', customer: { id: 'carol' } });
      await call('POST', '/v1/posting-instruction-batches', {
        request_id: 'b-number',
        posting_instruction_batch: {
          client_id: 'openapi',
          posting_instructions: [
            { client_transaction_id: 'n', inbound_hard_settlement: { ...deposit, amount: 1 } },
          ],
        },
      });
      await new Promise((r) => setTimeout(r, 50)); // the aborted stream's exchange is logged on close

      const ajv = new Ajv2020({ strict: false, allErrors: true });
      ajv.addSchema({ ...doc, $id: 'https://strata.local/openapi.json' });
      const pointer = (...parts: string[]) =>
        `https://strata.local/openapi.json#/${parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;
      const covered = new Set<string>();
      const problems: string[] = [];
      for (const x of [...proxy.log, ...fourEyes.log]) {
        const template = templateOf(doc, x.method, x.path);
        if (template === undefined) {
          problems.push(`${x.method} ${x.path}: not documented`);
          continue;
        }
        const method = x.method.toLowerCase();
        const op = doc.paths[template][method] as Json;
        const status = String(x.status);
        if (!(status in op.responses)) {
          problems.push(`${x.method} ${template}: status ${status} not documented (${x.body.slice(0, 200)})`);
          continue;
        }
        if (x.status === 200) covered.add(`${x.method} ${template}`);
        let response = op.responses[status] as Json;
        const base = response.$ref
          ? ['components', 'responses', String(response.$ref).split('/').pop()!]
          : ['paths', template, method, 'responses', status];
        if (response.$ref)
          response = doc.components.responses[String(response.$ref).split('/').pop()!] as Json;
        const [type] = Object.keys(response.content as Json);
        if (!x.contentType.startsWith(type!)) {
          problems.push(
            `${x.method} ${template} ${status}: content-type ${x.contentType}, documented ${type}`,
          );
          continue;
        }
        if (type === 'application/json') {
          const check = ajv.getSchema(pointer(...base, 'content', type, 'schema'))!;
          if (!check(JSON.parse(x.body)))
            problems.push(
              `${x.method} ${template} ${status}: ${ajv.errorsText(check.errors)}\n${x.body.slice(0, 400)}`,
            );
        }
        if (x.status === 200 && op.requestBody) {
          const check = ajv.getSchema(
            pointer('paths', template, method, 'requestBody', 'content', 'application/json', 'schema'),
          )!;
          if (!check(JSON.parse(x.requestBody)))
            problems.push(
              `${x.method} ${template} request: ${ajv.errorsText(check.errors)}\n${x.requestBody.slice(0, 400)}`,
            );
        }
      }
      expect(problems).toEqual([]);
      const operations = Object.entries(doc.paths as Json).flatMap(([t, ops]) =>
        Object.keys(ops as Json).map((m) => `${m.toUpperCase()} ${t}`),
      );
      expect(operations.filter((o) => !covered.has(o))).toEqual([]);
      const statuses = new Set([...proxy.log, ...fourEyes.log].map((x) => x.status));
      expect(fourEyes.log.map((x) => x.status)).toEqual(expect.arrayContaining([202, 403, 409, 200]));
      for (const s of [400, 401, 403, 404, 409]) expect(statuses).toContain(s);
    }, 120_000);
  });
});
