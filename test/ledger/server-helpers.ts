/** A real server (inject) on a real storage, with products, internal accounts and customers to post to. */
import type { LightMyRequestResponse } from 'fastify';
import type { StorageFactory } from '../storage/factories.js';
import { contractCode, harness, json, rid, type Harness } from '../server/helpers.js';
import type { AppOptions } from '../../src/server/app.js';

export interface LedgerHarness extends Harness {
  /** POSTs raw JSON text (so tests can send JSON numbers and other things a client library would not). */
  postText(url: string, text: string, token?: string): Promise<LightMyRequestResponse>;
  /** Posts a batch of instructions; resolves with the response. */
  batch(
    instructions: unknown[],
    batch?: Record<string, unknown>,
    requestId?: string,
  ): Promise<LightMyRequestResponse>;
  openAccount(id: string, more?: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** Live COMMITTED (or other phase) balance of the account in GBP, as the API shows it. */
  balance(accountId: string, phase?: string, denomination?: string): Promise<string>;
}

const STRATEGY = 'PRODUCT_VERSION_MIGRATION_STRATEGY_';

export async function ledgerHarness(
  factory: StorageFactory,
  options: Omit<AppOptions, 'storage'> = {},
): Promise<LedgerHarness> {
  const h = await harness(factory, options);
  await seedLedger((url, body) => h.post(url, body));
  const ok = (res: LightMyRequestResponse): LightMyRequestResponse => {
    if (res.statusCode !== 200) throw new Error(`${res.statusCode} ${res.body}`);
    return res;
  };
  const postText = (url: string, text: string, token?: string) =>
    h.app.inject({
      method: 'POST',
      url,
      headers: { 'x-auth-token': token ?? h.admin, 'content-type': 'application/json' },
      payload: text,
    });
  const lh: LedgerHarness = {
    ...h,
    postText,
    batch: (instructions, batch = {}, requestId = rid('batch')) =>
      h.post('/v1/posting-instruction-batches', {
        request_id: requestId,
        posting_instruction_batch: {
          client_id: 'test-client',
          client_batch_id: 'cb',
          ...batch,
          posting_instructions: instructions,
        },
      }),
    openAccount: async (id, more = {}) =>
      json(
        ok(
          await h.post('/v1/accounts', {
            request_id: rid(),
            account: {
              id,
              product_id: 'current_account',
              stakeholder_ids: ['alice'],
              permitted_denominations: ['GBP'],
              ...more,
            },
          }),
        ),
      ),
    balance: async (accountId, phase = 'POSTING_PHASE_COMMITTED', denomination = 'GBP') => {
      const res = ok(await h.get(`/v1/balances/live?account_ids=${encodeURIComponent(accountId)}`));
      const balances = json(res)['balances'] as Array<Record<string, unknown>>;
      const b = balances.find(
        (x) =>
          x['phase'] === phase && x['denomination'] === denomination && x['account_address'] === 'DEFAULT',
      );
      return b === undefined ? 'none' : String(b['amount']);
    },
  };
  return lh;
}

/**
 * Products (internal `gl`, `current_account` LIABILITY, `loan` ASSET), internal accounts BANK
 * (asset) and SUSPENSE (liability), customers alice and bob.
 */
export async function seedLedger(
  post: (url: string, body: unknown) => Promise<LightMyRequestResponse>,
): Promise<void> {
  const ok = async (res: Promise<LightMyRequestResponse>): Promise<void> => {
    const r = await res;
    if (r.statusCode !== 200) throw new Error(`${r.statusCode} ${r.body}`);
  };
  const version = (productId: string, code: string, internal: boolean) =>
    post('/v1/product-versions', {
      request_id: rid(),
      product_version: { product_id: productId, display_name: productId, code },
      migration_strategy: `${STRATEGY}NEW_PRODUCT`,
      ...(internal ? { is_internal: true } : {}),
    });
  await ok(version('gl', contractCode('1.0.0'), true));
  await ok(version('current_account', contractCode('1.0.0', 'tside = Tside.LIABILITY\n'), false));
  await ok(version('loan', contractCode('1.0.0', 'tside = Tside.ASSET\n'), false));
  for (const [id, tside] of [
    ['BANK', 'TSIDE_ASSET'],
    ['SUSPENSE', 'TSIDE_LIABILITY'],
  ] as const) {
    await ok(
      post('/v1/internal-accounts', {
        request_id: rid(),
        internal_account: { id, product_id: 'gl', accounting: { tside } },
      }),
    );
  }
  for (const id of ['alice', 'bob']) {
    await ok(
      post('/v1/customers', { request_id: rid(), customer: { id, customer_details: { first_name: id } } }),
    );
  }
}

export function instruction(
  clientTransactionId: string,
  type: string,
  fields: Record<string, unknown>,
): Record<string, unknown> {
  return { client_transaction_id: clientTransactionId, [type]: fields };
}

export function deposit(
  amount: string,
  account: string,
  internal = 'BANK',
  extra: Record<string, unknown> = {},
) {
  return {
    amount,
    denomination: 'GBP',
    target_account: { account_id: account },
    internal_account_id: internal,
    ...extra,
  };
}

export function transfer(amount: string, from: string, to: string) {
  return {
    amount,
    denomination: 'GBP',
    debtor_target_account: { account_id: from },
    creditor_target_account: { account_id: to },
  };
}

export { json, rid };
