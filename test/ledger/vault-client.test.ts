/**
 * "A client written for Vault's Core API shapes can open accounts, post and read balances
 * against `strata server start`": a small client that knows only Vault Core API paths, field
 * names and enum values (nothing of Strata), over real HTTP to the real server process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

// ---- the client: Vault Core API shapes only -----------------------------------------------------

interface Posting {
  credit: boolean;
  amount: string;
  denomination: string;
  account_id: string;
  account_address: string;
  asset: string;
  phase: string;
}

interface PostingInstructionBatch {
  id: string;
  client_id: string;
  client_batch_id: string;
  status: string;
  value_timestamp: string;
  insertion_timestamp: string;
  posting_instructions: Array<{
    id: string;
    client_transaction_id: string;
    committed_postings: Posting[];
    posting_violations: unknown[];
    account_violations: unknown[];
  }>;
}

interface Balance {
  id: string;
  account_id: string;
  account_address: string;
  phase: string;
  asset: string;
  denomination: string;
  posting_instruction_batch_id: string;
  value_time: string;
  amount: string;
  total_debit: string;
  total_credit: string;
}

interface Account {
  id: string;
  product_id: string;
  product_version_id: string;
  stakeholder_ids: string[];
  permitted_denominations: string[];
  status: string;
  opening_timestamp: string;
}

class VaultCoreClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
  ) {}

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(this.baseUrl + path, {
      method,
      headers: { 'X-Auth-Token': this.token, 'Content-Type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return JSON.parse(text) as T;
  }

  private requestId(): string {
    return randomBytes(16).toString('hex');
  }

  createProductVersion(productId: string, code: string, internal = false) {
    return this.call<{ id: string; product_id: string }>('POST', '/v1/product-versions', {
      request_id: this.requestId(),
      product_version: { product_id: productId, code, display_name: productId },
      migration_strategy: 'PRODUCT_VERSION_MIGRATION_STRATEGY_NEW_PRODUCT',
      is_internal: internal,
    });
  }

  createInternalAccount(id: string, productId: string, tside: 'TSIDE_ASSET' | 'TSIDE_LIABILITY') {
    return this.call<{ id: string }>('POST', '/v1/internal-accounts', {
      request_id: this.requestId(),
      internal_account: { id, product_id: productId, accounting: { tside } },
    });
  }

  createCustomer(id: string) {
    return this.call<{ id: string; status: string }>('POST', '/v1/customers', {
      request_id: this.requestId(),
      customer: { id, status: 'CUSTOMER_STATUS_ACTIVE', customer_details: { first_name: id } },
    });
  }

  createAccount(account: { id?: string; product_id: string; stakeholder_ids: string[] }) {
    return this.call<Account>('POST', '/v1/accounts', {
      request_id: this.requestId(),
      account: {
        ...account,
        permitted_denominations: ['GBP'],
        status: 'ACCOUNT_STATUS_OPEN',
        instance_param_vals: {},
        details: {},
      },
    });
  }

  getAccount(id: string) {
    return this.call<Account>('GET', `/v1/accounts/${encodeURIComponent(id)}`);
  }

  createPostingInstructionBatch(clientBatchId: string, instructions: unknown[]) {
    return this.call<PostingInstructionBatch>('POST', '/v1/posting-instruction-batches', {
      request_id: this.requestId(),
      posting_instruction_batch: {
        client_id: 'vault-client',
        client_batch_id: clientBatchId,
        batch_details: {},
        posting_instructions: instructions,
      },
    });
  }

  listLiveBalances(accountIds: string[]) {
    const q = accountIds.map((id) => `account_ids=${encodeURIComponent(id)}`).join('&');
    return this.call<{ balances: Balance[]; next_page_token: string }>('GET', `/v1/balances/live?${q}`);
  }
}

// ---- the server process ---------------------------------------------------------------------------

let server: ChildProcess | undefined;
let client: VaultCoreClient;
const dataDir = mkdtempSync(join(tmpdir(), 'strata-vault-client-'));
const token = `strata_vc_${randomBytes(16).toString('hex')}`;

beforeAll(async () => {
  const child = spawn(
    process.execPath,
    [join(root, 'bin', 'run.js'), 'server', 'start', '--port', '0', '--quiet', '--data-dir', dataDir],
    { cwd: root, env: { ...process.env, STRATA_BOOTSTRAP_TOKEN: token }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  server = child;
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (\S+)/.exec(out);
      if (m?.[1] !== undefined) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`server exited ${code}: ${out}`)));
  });
  client = new VaultCoreClient(url, token);
}, 60_000);

afterAll(async () => {
  if (server && server.exitCode === null) {
    const gone = new Promise((r) => server?.once('exit', r));
    server.kill('SIGTERM');
    await gone;
  }
  rmSync(dataDir, { recursive: true, force: true });
});

const gbp = (amount: string, account: string) => ({
  amount,
  denomination: 'GBP',
  target_account: { account_id: account },
  internal_account_id: 'CASH',
  advice: false,
});

describe("a client written for Vault's Core API shapes, against strata server start", () => {
  it('opens accounts, posts (hard settlements, a transfer, authorise and settle) and reads live balances', async () => {
    await client.createProductVersion('ledger_gl', 'api = "4.0.0"\nversion = "1.0.0"\n', true);
    await client.createProductVersion(
      'easy_saver',
      'api = "4.0.0"\nversion = "1.0.0"\ntside = Tside.LIABILITY\n',
    );
    await client.createInternalAccount('CASH', 'ledger_gl', 'TSIDE_ASSET');
    expect(await client.createCustomer('ada')).toMatchObject({ id: 'ada', status: 'CUSTOMER_STATUS_ACTIVE' });

    const opened = await client.createAccount({
      id: 'ada-saver',
      product_id: 'easy_saver',
      stakeholder_ids: ['ada'],
    });
    expect(opened).toMatchObject({
      id: 'ada-saver',
      product_id: 'easy_saver',
      stakeholder_ids: ['ada'],
      permitted_denominations: ['GBP'],
      status: 'ACCOUNT_STATUS_OPEN',
    });
    expect(opened.product_version_id).toEqual(expect.any(String));
    expect(await client.getAccount('ada-saver')).toMatchObject({
      id: 'ada-saver',
      status: 'ACCOUNT_STATUS_OPEN',
    });
    // No id given: the server generates one.
    const second = await client.createAccount({ product_id: 'easy_saver', stakeholder_ids: ['ada'] });
    expect(second.id).toMatch(/\S/);

    const deposit = await client.createPostingInstructionBatch('salary', [
      {
        client_transaction_id: 'salary-1',
        instruction_details: {},
        inbound_hard_settlement: gbp('1000.00', 'ada-saver'),
      },
    ]);
    expect(deposit.status).toBe('POSTING_INSTRUCTION_BATCH_STATUS_ACCEPTED');
    expect(deposit.posting_instructions[0]?.committed_postings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          credit: true,
          amount: '1000.00',
          account_id: 'ada-saver',
          phase: 'POSTING_PHASE_COMMITTED',
        }),
        expect.objectContaining({ credit: false, amount: '1000.00', account_id: 'CASH' }),
      ]),
    );
    const moved = await client.createPostingInstructionBatch('move', [
      {
        client_transaction_id: 'move-1',
        instruction_details: {},
        transfer: {
          amount: '250.10',
          denomination: 'GBP',
          debtor_target_account: { account_id: 'ada-saver' },
          creditor_target_account: { account_id: second.id },
        },
      },
    ]);
    expect(moved.status).toBe('POSTING_INSTRUCTION_BATCH_STATUS_ACCEPTED');
    await client.createPostingInstructionBatch('card', [
      {
        client_transaction_id: 'card-1',
        instruction_details: {},
        outbound_authorisation: gbp('20.00', 'ada-saver'),
      },
    ]);
    const settled = await client.createPostingInstructionBatch('card-settle', [
      {
        client_transaction_id: 'card-1',
        instruction_details: {},
        settlement: { amount: '15.00', final: true },
      },
    ]);
    expect(settled.status).toBe('POSTING_INSTRUCTION_BATCH_STATUS_ACCEPTED');
    const overdraw = await client.createPostingInstructionBatch('too-much', [
      {
        client_transaction_id: 'atm-1',
        instruction_details: {},
        outbound_hard_settlement: gbp('5000.00', 'ada-saver'),
      },
    ]);
    expect(overdraw.status).toBe('POSTING_INSTRUCTION_BATCH_STATUS_REJECTED');

    const { balances } = await client.listLiveBalances(['ada-saver', second.id]);
    const committed = (account: string) =>
      balances.find(
        (b) =>
          b.account_id === account &&
          b.phase === 'POSTING_PHASE_COMMITTED' &&
          b.account_address === 'DEFAULT' &&
          b.asset === 'COMMERCIAL_BANK_MONEY' &&
          b.denomination === 'GBP',
      );
    // 1000.00 - 250.10 - 15.00 (the final settlement releases the rest of the 20.00 hold).
    expect(committed('ada-saver')).toMatchObject({
      amount: '734.90',
      total_credit: '1000.00',
      total_debit: '265.10',
    });
    expect(committed(second.id)).toMatchObject({ amount: '250.10' });
    const hold = balances.find(
      (b) => b.account_id === 'ada-saver' && b.phase === 'POSTING_PHASE_PENDING_OUTGOING',
    );
    expect(hold?.amount).toBe('0.00');
    for (const b of balances) expect(b.posting_instruction_batch_id).toEqual(expect.any(String));
  }, 60_000);
});
