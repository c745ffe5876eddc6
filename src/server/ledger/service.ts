/**
 * The ledger service (ledger.md): customers, accounts, posting instruction batches, balances,
 * over any `Storage`. Routes parse HTTP and call one method here; this returns response text.
 *
 * Every mutation is one storage write: the `request_id` is claimed, the state it needs is read
 * and locked, the rules are checked by the pure core (src/ledger) against exactly that state, and
 * the result, its events and the idempotency record are written, all in one transaction (so in
 * one group commit with other requests). Request bodies arrive parsed losslessly (src/ledger/json):
 * no amount is ever a JS number.
 */
import { randomUUID } from 'node:crypto';
import {
  balancesBlockingClose,
  contractTside,
  internalAccountTside,
  parseAccountRequest,
  parseAccountUpdate,
  parseCustomerRequest,
  statusChangeProblem,
  type AccountRequest,
} from '../../ledger/accounts.js';
import { assertBalanced } from '../../ledger/balances.js';
import {
  accountIdsOf,
  clientTransactionKeysOf,
  evaluateBatch,
  type BatchDecision,
} from '../../ledger/engine.js';
import { LedgerInputError } from '../../ledger/errors.js';
import { canonicalJsonText, type JsonObject, type JsonValue } from '../../ledger/json.js';
import { Denominations, formatMinorUnits } from '../../ledger/money.js';
import { renderBalance, renderBatch } from '../../ledger/render.js';
import { parseBatchRequest, type BatchRequest } from '../../ledger/request.js';
import { formatTimestamp, parseTimestamp } from '../../ledger/time.js';
import {
  clientTransactionKey,
  dimensionKey,
  type BalanceTotals,
  type LedgerAccount,
} from '../../ledger/types.js';
import { sha256Hex } from '../../util/canonical.js';
import type { AccountRecord, BalanceRecord } from '../../storage/ledger-types.js';
import type { Storage, WriteTx } from '../../storage/types.js';
import { ApiError, invalid } from '../errors.js';
import { decodeEntryToken, encodeEntryToken } from './timerange.js';

/** A response: status, JSON text, and whether it is a replay of a recorded one. */
export interface LedgerOutcome {
  status: number;
  body: string;
  replay: boolean;
}

export const ACCOUNT_EVENTS = 'vault.core_api.v2.accounts.account.events';
export const BATCH_EVENTS = 'vault.core_api.v1.postings.posting_instruction_batch.created';
export const BALANCE_EVENTS = 'vault.core_api.v1.balances.account_balance.events';

export const PAGE_SIZE_DEFAULT = 50;
export const PAGE_SIZE_MAX = 1000;
/** Most accounts in one balances read. */
export const MAX_BALANCE_ACCOUNTS = 100;

export interface Page {
  pageSize?: string | undefined;
  pageToken?: string | undefined;
}

/** A LedgerInputError as the API error it is (400 with the field at fault). */
export function toApiError(e: LedgerInputError): ApiError {
  return new ApiError(e.code, e.message, e.details, e.fieldViolations);
}

function parsed<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof LedgerInputError) throw toApiError(e);
    throw e;
  }
}

function encodePageToken(seq: number): string {
  return Buffer.from(`seq:${seq}`, 'utf8').toString('base64url');
}

function pageOf(page: Page): { afterSeq: number; limit: number } {
  const raw = page.pageSize;
  let limit = PAGE_SIZE_DEFAULT;
  if (raw !== undefined && raw !== '') {
    if (!/^[0-9]{1,7}$/.test(raw) || Number(raw) < 1 || Number(raw) > PAGE_SIZE_MAX) {
      throw invalid(`page_size must be an integer from 1 to ${PAGE_SIZE_MAX}`, [
        {
          field: 'page_size',
          description: `an integer from 1 to ${PAGE_SIZE_MAX} (default ${PAGE_SIZE_DEFAULT})`,
        },
      ]);
    }
    limit = Number(raw);
  }
  if (page.pageToken === undefined || page.pageToken === '') return { afterSeq: 0, limit };
  const m = /^seq:(0|[1-9][0-9]{0,15})$/.exec(Buffer.from(page.pageToken, 'base64url').toString('utf8'));
  if (!m) {
    throw invalid('page_token is not a token this server issued', [
      { field: 'page_token', description: 'pass the next_page_token of the previous page unchanged' },
    ]);
  }
  return { afterSeq: Number(m[1]), limit };
}

/** `{"<key>":[...],"next_page_token":"..."}` from rows fetched with limit + 1. */
function listBody<R extends { seq: number; body: string }>(key: string, rows: R[], limit: number): string {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  const next = rows.length > limit && last ? encodePageToken(last.seq) : '';
  return `{${JSON.stringify(key)}:[${page.map((r) => r.body).join(',')}],"next_page_token":${JSON.stringify(next)}}`;
}

function notFound(what: string, ids: readonly string[]): ApiError {
  return new ApiError(
    'NOT_FOUND',
    ids.length === 1 ? `${what} ${ids[0]} does not exist` : `${what}s do not exist: ${ids.join(', ')}`,
    { resource_type: what, ids },
  );
}

function requireIds(ids: readonly string[], field: string): void {
  if (ids.length === 0)
    throw invalid(`${field} is required`, [{ field, description: `give at least one ${field}` }]);
}

export class LedgerService {
  constructor(
    private readonly storage: Storage,
    readonly denominations: Denominations = new Denominations(),
    private readonly now: () => number = Date.now,
    private readonly newId: () => string = randomUUID,
  ) {}

  // ---- idempotent mutations ---------------------------------------------------------------

  /** Claims the request id, runs `op`, records its response; replays or refuses a reused id. */
  async #mutate(
    route: string,
    body: JsonValue,
    requestId: string,
    op: (tx: WriteTx, now: number) => Promise<string>,
  ): Promise<LedgerOutcome> {
    const rest = { ...(body as JsonObject) };
    delete rest['request_id'];
    const bodyHash = sha256Hex(`${route}\n${canonicalJsonText(rest)}`);
    return this.storage.write(async (tx) => {
      const now = this.now();
      const record = await tx.idempotency.claim(requestId, now);
      if (record) {
        if (record.bodyHash !== bodyHash) {
          throw new ApiError(
            'REQUEST_ID_REUSED',
            `request_id ${requestId} was already used for a different request; use a new request_id`,
            { request_id: requestId },
          );
        }
        return { status: record.status, body: record.response, replay: true };
      }
      const response = await op(tx, now);
      await tx.idempotency.put({ requestId, bodyHash, status: 200, response, createdAt: now });
      return { status: 200, body: response, replay: false };
    });
  }

  // ---- customers --------------------------------------------------------------------------

  createCustomer(body: JsonValue): Promise<LedgerOutcome> {
    const request = parsed(() => parseCustomerRequest(body));
    return this.#mutate('POST /v1/customers', body, request.requestId, async (tx, now) => {
      const definition = {
        id: request.id,
        status: request.status,
        customer_details: request.customerDetails,
      };
      const [existing] = await tx.ledger.getCustomers([request.id]);
      if (existing) return sameCustomer(existing.body, definition);
      const text = JSON.stringify({ ...definition, creation_timestamp: formatTimestamp(now) });
      await tx.ledger.insertCustomer({ id: request.id, body: text, createdAt: now });
      return text;
    });
  }

  async getCustomers(ids: readonly string[]): Promise<string> {
    requireIds(ids, 'ids');
    const rows = await this.storage.read((tx) => tx.ledger.getCustomers(ids));
    const missing = ids.filter((id) => !rows.some((r) => r.id === id));
    if (missing.length > 0) throw notFound('customer', missing);
    return `{"customers":{${rows.map((r) => `${JSON.stringify(r.id)}:${r.body}`).join(',')}}}`;
  }

  async getCustomer(id: string): Promise<string> {
    const [row] = await this.storage.read((tx) => tx.ledger.getCustomers([id]));
    if (!row) throw notFound('customer', [id]);
    return row.body;
  }

  async listCustomers(page: Page): Promise<string> {
    const { afterSeq, limit } = pageOf(page);
    return listBody(
      'customers',
      await this.storage.read((tx) => tx.ledger.listCustomers(afterSeq, limit + 1)),
      limit,
    );
  }

  // ---- accounts ---------------------------------------------------------------------------

  createAccount(body: JsonValue): Promise<LedgerOutcome> {
    const request = parsed(() => parseAccountRequest(body, this.denominations, this.now()));
    const id = request.id ?? this.newId();
    return this.#mutate('POST /v1/accounts', body, request.requestId, async (tx, now) => {
      const existing = await this.#accountOrInternal(tx, id);
      if (existing !== undefined) return sameAccount(existing, request, id);
      const stakeholders = await tx.ledger.getCustomers(request.stakeholderIds);
      const missing = request.stakeholderIds.filter((s) => !stakeholders.some((c) => c.id === s));
      if (missing.length > 0) {
        throw new ApiError(
          'REFERENCE_NOT_FOUND',
          `stakeholders do not exist: ${missing.join(', ')}`,
          { ids: missing },
          [
            {
              field: 'account.stakeholder_ids',
              description: `create the customers first: ${missing.join(', ')}`,
            },
          ],
        );
      }
      const version = await this.#productVersion(tx, request);
      const account: AccountRecord = {
        seq: 0,
        id,
        internal: false,
        status: request.status,
        tside: contractTside(typeof version['code'] === 'string' ? version['code'] : ''),
        productId: String(version['product_id'] ?? ''),
        productVersionId: String(version['id'] ?? ''),
        permittedDenominations: request.permittedDenominations,
        openingTime: request.openingTime ?? now,
        stakeholderIds: request.stakeholderIds,
        body: '',
        createdAt: now,
      };
      account.body = JSON.stringify(accountBody(account, request));
      await tx.ledger.insertAccount(account);
      tx.events.append({
        topic: ACCOUNT_EVENTS,
        key: id,
        timestampMs: now,
        payload: `{"account_created":{"account":${account.body}}}`,
      });
      return account.body;
    });
  }

  /** The customer account with `id`, or a marker that an internal account has it. */
  async #accountOrInternal(tx: WriteTx, id: string): Promise<AccountRecord | 'internal' | undefined> {
    const [account] = await tx.ledger.getAccounts([id]);
    if (account) return account.internal ? 'internal' : account;
    return (await tx.config.getObject('INTERNAL_ACCOUNT', id)) ? 'internal' : undefined;
  }

  async #productVersion(tx: WriteTx, request: AccountRequest): Promise<Record<string, unknown>> {
    let versionId: string;
    if ('productId' in request.product) {
      const product = await tx.config.getObject('PRODUCT', request.product.productId);
      if (!product) {
        throw new ApiError('REFERENCE_NOT_FOUND', `product ${request.product.productId} does not exist`, {}, [
          { field: 'account.product_id', description: 'import the product first (strata import)' },
        ]);
      }
      versionId = String((JSON.parse(product.body) as Record<string, unknown>)['current_version_id'] ?? '');
    } else {
      versionId = request.product.productVersionId;
    }
    const version = await tx.config.getObject('SMART_CONTRACT_VERSION', versionId);
    if (!version) {
      throw new ApiError('REFERENCE_NOT_FOUND', `product version ${versionId} does not exist`, {}, [
        { field: 'account.product_version_id', description: 'give the id of an imported product version' },
      ]);
    }
    const body = JSON.parse(version.body) as Record<string, unknown>;
    if (body['is_internal'] === true) {
      throw invalid(
        `product version ${versionId} is internal; internal accounts are created as internal accounts`,
        [{ field: 'account.product_id', description: 'give a customer product, not an internal one' }],
      );
    }
    return body;
  }

  async getAccounts(ids: readonly string[]): Promise<string> {
    requireIds(ids, 'ids');
    const rows = (await this.storage.read((tx) => tx.ledger.getAccounts(ids))).filter((a) => !a.internal);
    const missing = ids.filter((id) => !rows.some((r) => r.id === id));
    if (missing.length > 0) throw notFound('account', missing);
    return `{"accounts":{${rows.map((r) => `${JSON.stringify(r.id)}:${r.body}`).join(',')}}}`;
  }

  async getAccount(id: string): Promise<string> {
    const [row] = await this.storage.read((tx) => tx.ledger.getAccounts([id]));
    if (!row || row.internal) throw notFound('account', [id]);
    return row.body;
  }

  async listAccounts(
    filter: { stakeholderIds?: string[] | undefined; productIds?: string[] | undefined },
    page: Page,
  ): Promise<string> {
    const { afterSeq, limit } = pageOf(page);
    const rows = await this.storage.read((tx) =>
      tx.ledger.listAccounts({ ...filter, afterSeq, limit: limit + 1 }),
    );
    return listBody('accounts', rows, limit);
  }

  updateAccount(id: string, body: JsonValue): Promise<LedgerOutcome> {
    const update = parsed(() => parseAccountUpdate(body));
    return this.#mutate(`PUT /v1/accounts/${id}`, body, update.requestId, async (tx, now) => {
      const [account] = await tx.ledger.lockAccounts([id]);
      if (!account || account.internal) throw notFound('account', [id]);
      const current = JSON.parse(account.body) as Record<string, unknown>;
      const status = update.status ?? account.status;
      const problem = statusChangeProblem(account.status, status);
      if (problem !== undefined) throw invalid(problem, [{ field: 'account.status', description: problem }]);
      if (status === 'ACCOUNT_STATUS_CLOSED' && account.status !== 'ACCOUNT_STATUS_CLOSED') {
        await this.#requireZeroBalances(tx, account);
        current['closing_timestamp'] = formatTimestamp(now);
      }
      current['status'] = status;
      if (update.details !== undefined) current['details'] = update.details;
      const text = JSON.stringify(current);
      await tx.ledger.updateAccount(id, { status, body: text });
      tx.events.append({
        topic: ACCOUNT_EVENTS,
        key: id,
        timestampMs: now,
        payload: `{"account_updated":{"account":${text}}}`,
      });
      return text;
    });
  }

  async #requireZeroBalances(tx: WriteTx, account: AccountRecord): Promise<void> {
    const balances = await tx.ledger.lockBalances([account.id]);
    const blocking = balancesBlockingClose(
      balances.map((b) => ({
        key: `${b.dimension.accountAddress}/${b.dimension.asset}/${b.dimension.denomination}/${b.dimension.phase}`,
        totals: b.totals,
      })),
      account.tside,
    );
    if (blocking.length === 0) return;
    const listed = blocking.map((b) => {
      const denomination = b.key.split('/')[2] ?? '';
      return {
        balance: b.key,
        amount: formatMinorUnits(b.amount, this.denominations.exponent(denomination) ?? 0),
      };
    });
    throw new ApiError(
      'ACCOUNT_HAS_BALANCE',
      `account ${account.id} has non-zero balances (${listed.map((b) => `${b.balance} ${b.amount}`).join('; ')}); move them to zero before closing`,
      { account_id: account.id, balances: listed },
    );
  }

  // ---- posting instruction batches --------------------------------------------------------

  postBatch(body: JsonValue): Promise<LedgerOutcome> {
    const request = parsed(() => parseBatchRequest(body, this.denominations));
    return this.#mutate('POST /v1/posting-instruction-batches', body, request.requestId, (tx, now) =>
      this.#writeBatch(tx, request, now),
    );
  }

  async #writeBatch(tx: WriteTx, request: BatchRequest, now: number): Promise<string> {
    const transactions = await tx.ledger.lockClientTransactions(clientTransactionKeysOf(request));
    const accountIds = accountIdsOf(request, transactions);
    const accounts = await this.#ledgerAccounts(tx, accountIds);
    const balanceRows = await tx.ledger.lockBalances(accountIds);
    const rows = new Map<string, BalanceRecord>(balanceRows.map((b) => [dimensionKey(b.dimension), b]));
    const existing = new Map(
      transactions.map((t) => [clientTransactionKey(t.clientId, t.clientTransactionId), t]),
    );
    const decision = parsed(() =>
      evaluateBatch(
        request,
        {
          accounts: new Map(accounts.map((a) => [a.id, a])),
          clientTransactions: existing,
          balances: new Map([...rows].map(([k, b]) => [k, b.totals])),
        },
        { now, denominations: this.denominations },
      ),
    );
    const ids = { batchId: this.newId(), instructionIds: request.instructions.map(() => this.newId()) };
    const text = JSON.stringify(renderBatch(request, decision, ids, this.denominations));
    const batchSeq = await tx.ledger.insertBatch({
      id: ids.batchId,
      requestId: request.requestId,
      clientId: request.clientId,
      clientBatchId: request.clientBatchId,
      status: decision.status,
      valueTime: decision.valueTime,
      insertionTime: decision.insertionTime,
      body: text,
    });
    if (decision.status === 'ACCEPTED') {
      await this.#applyAccepted(
        tx,
        request,
        decision,
        { seq: batchSeq, id: ids.batchId },
        rows,
        new Set(existing.keys()),
      );
      this.#balanceEvents(tx, decision, ids.batchId, accounts, now);
    }
    tx.events.append({
      topic: BATCH_EVENTS,
      key: ids.batchId,
      timestampMs: now,
      payload: `{"posting_instruction_batch":${text}}`,
    });
    return text;
  }

  async #applyAccepted(
    tx: WriteTx,
    request: BatchRequest,
    decision: BatchDecision,
    batch: { seq: number; id: string },
    rows: ReadonlyMap<string, BalanceRecord>,
    existing: ReadonlySet<string>,
  ): Promise<void> {
    const postings = decision.instructions.flatMap((o, instructionIndex) =>
      o.postings.map((p) => ({
        ...p,
        instructionIndex,
        clientId: request.clientId,
        clientTransactionId: o.request.clientTransactionId,
        valueTime: decision.valueTime,
      })),
    );
    // Invariant, asserted on exactly what is written: the batch nets to zero.
    assertBalanced(postings);
    await tx.ledger.appendPostings(batch.seq, postings);
    await tx.ledger.applyBalances({ ...batch, valueTime: decision.valueTime }, decision.balanceChanges, rows);
    await tx.ledger.putClientTransactions(decision.clientTransactions, existing);
  }

  /** One balance event per account the batch changed, with its changed balances (live). */
  #balanceEvents(
    tx: WriteTx,
    decision: BatchDecision,
    batchId: string,
    accounts: readonly LedgerAccount[],
    now: number,
  ): void {
    const byAccount = new Map<string, string[]>();
    for (const c of decision.balanceChanges) {
      const account = accounts.find((a) => a.id === c.dimension.accountId);
      if (!account) continue;
      const rendered = renderBalance(
        {
          id: `${batchId}:${dimensionKey(c.dimension)}`,
          dimension: c.dimension,
          totals: c.after,
          tside: account.tside,
          batchId,
          valueTime: decision.valueTime,
        },
        this.denominations,
      );
      const list = byAccount.get(account.id) ?? [];
      list.push(JSON.stringify(rendered));
      byAccount.set(account.id, list);
    }
    for (const [accountId, balances] of byAccount) {
      tx.events.append({
        topic: BALANCE_EVENTS,
        key: accountId,
        timestampMs: now,
        payload: `{"account_id":${JSON.stringify(accountId)},"posting_instruction_batch_id":${JSON.stringify(batchId)},"balances":[${balances.join(',')}]}`,
      });
    }
  }

  /**
   * The ledger accounts with these ids, locked. An internal account of the configuration layer
   * is materialised on first use (tside from `accounting.tside`, open, with no opening time: the
   * bank's own books take backdated postings from before the account was imported).
   */
  async #ledgerAccounts(tx: WriteTx, ids: readonly string[]): Promise<AccountRecord[]> {
    const accounts = await tx.ledger.lockAccounts(ids);
    const missing = ids.filter((id) => !accounts.some((a) => a.id === id));
    if (missing.length === 0) return accounts;
    for (const o of await tx.config.getObjects('INTERNAL_ACCOUNT', missing)) {
      const body = JSON.parse(o.body) as Record<string, unknown>;
      const account: AccountRecord = {
        seq: 0,
        id: o.id,
        internal: true,
        status: 'ACCOUNT_STATUS_OPEN',
        tside: internalAccountTside(body['accounting']),
        productId: typeof body['product_id'] === 'string' ? body['product_id'] : null,
        productVersionId: null,
        permittedDenominations: Array.isArray(body['permitted_denominations'])
          ? (body['permitted_denominations'] as string[])
          : [],
        openingTime: 0,
        stakeholderIds: [],
        body: '',
        createdAt: o.createdAt,
      };
      await tx.ledger.insertAccount(account);
      accounts.push(account);
    }
    return accounts;
  }

  async getBatches(ids: readonly string[]): Promise<string> {
    requireIds(ids, 'ids');
    const rows = await this.storage.read((tx) => tx.ledger.getBatches(ids));
    const missing = ids.filter((id) => !rows.some((r) => r.id === id));
    if (missing.length > 0) throw notFound('posting instruction batch', missing);
    return `{"posting_instruction_batches":{${rows.map((r) => `${JSON.stringify(r.id)}:${r.body}`).join(',')}}}`;
  }

  async getBatch(id: string): Promise<string> {
    const [row] = await this.storage.read((tx) => tx.ledger.getBatches([id]));
    if (!row) throw notFound('posting instruction batch', [id]);
    return row.body;
  }

  async listBatches(
    filter: {
      accountIds?: string[] | undefined;
      clientBatchIds?: string[] | undefined;
      startTime?: string | undefined;
      endTime?: string | undefined;
    },
    page: Page,
  ): Promise<string> {
    const { afterSeq, limit } = pageOf(page);
    const startTime = queryTime(filter.startTime, 'start_time');
    const endTime = queryTime(filter.endTime, 'end_time');
    const rows = await this.storage.read((tx) =>
      tx.ledger.listBatches({
        accountIds: filter.accountIds,
        clientBatchIds: filter.clientBatchIds,
        startTime,
        endTime,
        afterSeq,
        limit: limit + 1,
      }),
    );
    return listBody('posting_instruction_batches', rows, limit);
  }

  // ---- balances ---------------------------------------------------------------------------

  async liveBalances(accountIds: readonly string[]): Promise<string> {
    requireAccountIds(accountIds);
    const { balances, accounts } = await this.storage.read(async (tx) => ({
      balances: await tx.ledger.balances(accountIds),
      accounts: await tx.ledger.getAccounts(accountIds),
    }));
    const tsides = knownAccounts(accountIds, accounts);
    const rendered = balances.map((b) =>
      renderBalance(
        {
          id: `${b.lastBatchId}:${b.dimSeq}`,
          dimension: b.dimension,
          totals: b.totals,
          tside: tsides.get(b.dimension.accountId) ?? 'LIABILITY',
          batchId: b.lastBatchId,
          valueTime: b.lastValueTime,
        },
        this.denominations,
      ),
    );
    return JSON.stringify({ balances: rendered, next_page_token: '' });
  }

  /**
   * Every balance value in `(from, to]` by value time, preceded by each dimension's value as of
   * `from` (so the as-of balance at any T in the range is the last entry at or before T). Pages
   * of `page_size` entries (the first page also carries the values as of `from`); the token
   * resumes after the page's last entry with its running totals.
   */
  async timerangeBalances(
    accountIds: readonly string[],
    from: string | undefined,
    to: string | undefined,
    page: Page,
  ): Promise<string> {
    requireAccountIds(accountIds);
    const fromTime = queryTime(from, 'from_time') ?? 0;
    const toTime = queryTime(to, 'to_time') ?? this.now();
    if (toTime < fromTime)
      throw invalid('to_time is before from_time', [
        { field: 'to_time', description: 'give a time at or after from_time' },
      ]);
    const { limit } = pageOf({ pageSize: page.pageSize });
    const resume =
      page.pageToken === undefined || page.pageToken === '' ? undefined : decodeEntryToken(page.pageToken);
    const { start, entries, accounts } = await this.storage.read(async (tx) => ({
      start: await tx.ledger.balancesAsOf(accountIds, fromTime),
      entries: await tx.ledger.balanceEntries(accountIds, fromTime, toTime, limit + 1, resume?.position),
      accounts: await tx.ledger.getAccounts(accountIds),
    }));
    const tsides = knownAccounts(accountIds, accounts);
    const tside = (accountId: string) => tsides.get(accountId) ?? 'LIABILITY';
    const running = new Map<string, BalanceTotals>(start.map((s) => [dimensionKey(s.dimension), s.totals]));
    if (resume) running.set(dimensionKey(resume.position.dimension), resume.totals);
    const out = resume
      ? []
      : start.map((s) =>
          renderBalance(
            {
              id: `${s.lastBatchId}:asof`,
              dimension: s.dimension,
              totals: s.totals,
              tside: tside(s.dimension.accountId),
              batchId: s.lastBatchId,
              valueTime: s.lastValueTime,
            },
            this.denominations,
          ),
        );
    let next = '';
    for (const [i, e] of entries.entries()) {
      const key = dimensionKey(e.dimension);
      const before = running.get(key) ?? { debit: 0n, credit: 0n };
      if (i === limit) {
        const last = entries[i - 1];
        if (last)
          next = encodeEntryToken({
            position: last,
            totals: running.get(dimensionKey(last.dimension)) ?? before,
          });
        break;
      }
      const totals = { debit: before.debit + e.debit, credit: before.credit + e.credit };
      running.set(key, totals);
      out.push(
        renderBalance(
          {
            id: `${e.batchId}:${e.batchSeq}`,
            dimension: e.dimension,
            totals,
            tside: tside(e.dimension.accountId),
            batchId: e.batchId,
            valueTime: e.valueTime,
          },
          this.denominations,
        ),
      );
    }
    return JSON.stringify({ balances: out, next_page_token: next });
  }
}

function requireAccountIds(ids: readonly string[]): void {
  requireIds(ids, 'account_ids');
  if (ids.length > MAX_BALANCE_ACCOUNTS) {
    throw invalid(`at most ${MAX_BALANCE_ACCOUNTS} account_ids per request`, [
      { field: 'account_ids', description: `give at most ${MAX_BALANCE_ACCOUNTS}` },
    ]);
  }
}

function knownAccounts(
  ids: readonly string[],
  accounts: readonly AccountRecord[],
): Map<string, LedgerAccount['tside']> {
  const missing = ids.filter((id) => !accounts.some((a) => a.id === id));
  if (missing.length > 0) throw notFound('account', missing);
  return new Map(accounts.map((a) => [a.id, a.tside]));
}

function queryTime(value: string | undefined, field: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const t = parseTimestamp(value);
  if (!t.ok) throw invalid(`${field}: ${t.reason}`, [{ field, description: t.reason }]);
  return t.value;
}

/** A second create of an existing customer: the same definition answers it, another is 409. */
function sameCustomer(storedBody: string, definition: Record<string, unknown>): string {
  const stored = JSON.parse(storedBody) as Record<string, unknown>;
  const same = Object.keys(definition).every(
    (k) => canonicalJsonText(stored[k] as JsonValue) === canonicalJsonText(definition[k] as JsonValue),
  );
  if (same) return storedBody;
  throw new ApiError(
    'ALREADY_EXISTS',
    `customer ${String(definition['id'])} already exists with a different definition`,
    {
      resource_type: 'customer',
      id: definition['id'],
      existing: stored,
    },
  );
}

function sameAccount(existing: AccountRecord | 'internal', request: AccountRequest, id: string): string {
  if (existing === 'internal') {
    throw new ApiError(
      'ALREADY_EXISTS',
      `${id} is an internal account; customer and internal accounts share ids`,
      { resource_type: 'account', id },
    );
  }
  const stored = JSON.parse(existing.body) as Record<string, unknown>;
  const wanted = accountDefinition(request);
  const same = Object.entries(wanted).every(
    ([k, v]) => canonicalJsonText(stored[k] as JsonValue) === canonicalJsonText(v as JsonValue),
  );
  if (
    same &&
    ('productId' in request.product
      ? existing.productId === request.product.productId
      : existing.productVersionId === request.product.productVersionId)
  ) {
    return existing.body;
  }
  throw new ApiError('ALREADY_EXISTS', `account ${id} already exists with a different definition`, {
    resource_type: 'account',
    id,
    existing: stored,
  });
}

/** The fields of an account that come from its create request. */
function accountDefinition(request: AccountRequest): Record<string, unknown> {
  return {
    name: request.name,
    permitted_denominations: request.permittedDenominations,
    stakeholder_ids: request.stakeholderIds,
    instance_param_vals: request.instanceParamVals,
    details: request.details,
    ...(request.openingTime !== undefined ? { opening_timestamp: formatTimestamp(request.openingTime) } : {}),
  };
}

function accountBody(a: AccountRecord, request: AccountRequest): Record<string, unknown> {
  return {
    id: a.id,
    name: request.name,
    product_id: a.productId,
    product_version_id: a.productVersionId,
    permitted_denominations: a.permittedDenominations,
    status: a.status,
    opening_timestamp: formatTimestamp(a.openingTime),
    closing_timestamp: null,
    stakeholder_ids: a.stakeholderIds,
    instance_param_vals: request.instanceParamVals,
    derived_instance_param_vals: {},
    details: request.details,
    accounting: { tside: a.tside === 'ASSET' ? 'TSIDE_ASSET' : 'TSIDE_LIABILITY' },
  };
}
