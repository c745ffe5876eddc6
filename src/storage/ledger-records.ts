/**
 * The `ledger` part, written once in SQL both databases speak. Money columns are 64-bit integers:
 * bound as BigInt and read as `CAST(col AS TEXT)` parsed with `BigInt()`, so no driver ever
 * makes a float of them. Postings and balance entries are append-only; balance totals are
 * updated in place with values the service computed (and range-checked) from the locked rows.
 *
 * As-of reads (see src/ledger/DESIGN.md): every CHECKPOINT_EVERY entries of a dimension, a
 * non-backdated write stores a checkpoint of its cumulative totals; a backdated write adds its
 * delta to the checkpoints after it. The balance as of T is the last checkpoint at or before T
 * plus the entries after that checkpoint up to T.
 */
import {
  dimensionKey,
  type ClientTransaction,
  type Dimension,
  type Phase,
  type Tside,
} from '../ledger/types.js';
import type {
  AccountListQuery,
  AccountRecord,
  BalanceAsOf,
  BalanceEntry,
  EntryPosition,
  BalanceRecord,
  BatchListQuery,
  BatchRecord,
  ClientTransactionKey,
  CustomerRecord,
  LedgerWrites,
  NewAccount,
  NewBatch,
  NewPosting,
  PostingRecord,
} from './ledger-types.js';
import { toNumber } from './rows.js';
import { runUnique, type Dialect, type SqlSession } from './sql.js';
import { StorageConflict } from './types.js';

export const CHECKPOINT_EVERY = 256;

type DbInteger = number | string | bigint;
const ROWS_PER_INSERT = 100;

const ACCOUNT_SELECT = `SELECT a.seq, a.id, a.internal, a.status, a.tside, a.product_id, a.product_version_id,
  a.permitted_denominations, a.opening_time, a.stakeholder_ids, a.body, a.created_at FROM ledger_accounts a`;
const BATCH_SELECT = `SELECT seq, id, request_id, client_id, client_batch_id, status, value_time, insertion_time, body
  FROM ledger_batches`;
const BALANCE_SELECT = `SELECT dim_seq, account_id, account_address, asset, denomination, phase,
  CAST(total_debit AS TEXT) AS total_debit, CAST(total_credit AS TEXT) AS total_credit,
  last_batch_id, last_value_time, since_checkpoint FROM ledger_balances`;
const TRANSACTION_SELECT = `SELECT client_id, client_transaction_id, kind, status, target_account_id, internal_account_id,
  account_address, asset, denomination, CAST(authorised AS TEXT) AS authorised, CAST(settled AS TEXT) AS settled,
  CAST(pending AS TEXT) AS pending, value_time FROM ledger_client_transactions`;
const POSTING_SELECT = `SELECT seq, batch_seq, instruction_index, client_id, client_transaction_id, account_id,
  account_address, asset, denomination, phase, credit, CAST(amount AS TEXT) AS amount, value_time FROM ledger_postings`;

interface AccountRow {
  seq: DbInteger;
  id: string;
  internal: DbInteger;
  status: string;
  tside: string;
  product_id: string | null;
  product_version_id: string | null;
  permitted_denominations: string;
  opening_time: DbInteger;
  stakeholder_ids: string;
  body: string;
  created_at: DbInteger;
}

interface BalanceRow {
  dim_seq: DbInteger;
  account_id: string;
  account_address: string;
  asset: string;
  denomination: string;
  phase: string;
  total_debit: string;
  total_credit: string;
  last_batch_id: string;
  last_value_time: DbInteger;
  since_checkpoint: DbInteger;
}

interface BatchRow {
  seq: DbInteger;
  id: string;
  request_id: string;
  client_id: string;
  client_batch_id: string;
  status: string;
  value_time: DbInteger;
  insertion_time: DbInteger;
  body: string;
}

interface TransactionRow {
  client_id: string;
  client_transaction_id: string;
  kind: string;
  status: string;
  target_account_id: string | null;
  internal_account_id: string | null;
  account_address: string;
  asset: string;
  denomination: string | null;
  authorised: string;
  settled: string;
  pending: string;
  value_time: DbInteger;
}

interface PostingRow {
  seq: DbInteger;
  batch_seq: DbInteger;
  instruction_index: DbInteger;
  client_id: string;
  client_transaction_id: string;
  account_id: string;
  account_address: string;
  asset: string;
  denomination: string;
  phase: string;
  credit: DbInteger;
  amount: string;
  value_time: DbInteger;
}

function toAccount(r: AccountRow): AccountRecord {
  return {
    seq: toNumber(r.seq),
    id: r.id,
    internal: toNumber(r.internal) === 1,
    status: r.status as AccountRecord['status'],
    tside: r.tside as Tside,
    productId: r.product_id,
    productVersionId: r.product_version_id,
    permittedDenominations: JSON.parse(r.permitted_denominations) as string[],
    openingTime: toNumber(r.opening_time),
    stakeholderIds: JSON.parse(r.stakeholder_ids) as string[],
    body: r.body,
    createdAt: toNumber(r.created_at),
  };
}

function toDimension(r: {
  account_id: string;
  account_address: string;
  asset: string;
  denomination: string;
  phase: string;
}): Dimension {
  return {
    accountId: r.account_id,
    accountAddress: r.account_address,
    asset: r.asset,
    denomination: r.denomination,
    phase: r.phase as Phase,
  };
}

function toBalance(r: BalanceRow): BalanceRecord {
  return {
    dimSeq: toNumber(r.dim_seq),
    dimension: toDimension(r),
    totals: { debit: BigInt(r.total_debit), credit: BigInt(r.total_credit) },
    lastBatchId: r.last_batch_id,
    lastValueTime: toNumber(r.last_value_time),
    sinceCheckpoint: toNumber(r.since_checkpoint),
  };
}

function toBatch(r: BatchRow): BatchRecord {
  return {
    seq: toNumber(r.seq),
    id: r.id,
    requestId: r.request_id,
    clientId: r.client_id,
    clientBatchId: r.client_batch_id,
    status: r.status,
    valueTime: toNumber(r.value_time),
    insertionTime: toNumber(r.insertion_time),
    body: r.body,
  };
}

function toTransaction(r: TransactionRow): ClientTransaction {
  return {
    clientId: r.client_id,
    clientTransactionId: r.client_transaction_id,
    kind: r.kind as ClientTransaction['kind'],
    status: r.status as ClientTransaction['status'],
    targetAccountId: r.target_account_id,
    internalAccountId: r.internal_account_id,
    accountAddress: r.account_address,
    asset: r.asset,
    denomination: r.denomination,
    authorised: BigInt(r.authorised),
    settled: BigInt(r.settled),
    pending: BigInt(r.pending),
    valueTime: toNumber(r.value_time),
  };
}

function toPosting(r: PostingRow): PostingRecord {
  return {
    ...toDimension(r),
    seq: toNumber(r.seq),
    batchSeq: toNumber(r.batch_seq),
    instructionIndex: toNumber(r.instruction_index),
    clientId: r.client_id,
    clientTransactionId: r.client_transaction_id,
    credit: toNumber(r.credit) === 1,
    amount: BigInt(r.amount),
    valueTime: toNumber(r.value_time),
  };
}

function keysCondition(keys: readonly ClientTransactionKey[]): { sql: string; params: string[] } {
  return {
    sql: `(${keys.map(() => '(client_id = ? AND client_transaction_id = ?)').join(' OR ')})`,
    params: keys.flatMap((k) => [k.clientId, k.clientTransactionId]),
  };
}

export class LedgerRecords implements LedgerWrites {
  constructor(
    private readonly session: SqlSession,
    private readonly dialect: Dialect,
  ) {}

  // ---- reads ------------------------------------------------------------------------------

  async getCustomers(ids: readonly string[]): Promise<CustomerRecord[]> {
    if (ids.length === 0) return [];
    const among = this.dialect.anyOf('id', [...new Set(ids)]);
    const rows = await this.session.all<{ seq: DbInteger; id: string; body: string; created_at: DbInteger }>(
      `SELECT seq, id, body, created_at FROM ledger_customers WHERE ${among.sql}`,
      among.params,
    );
    return rows.map((r) => ({
      seq: toNumber(r.seq),
      id: r.id,
      body: r.body,
      createdAt: toNumber(r.created_at),
    }));
  }

  async listCustomers(afterSeq: number, limit: number): Promise<CustomerRecord[]> {
    const rows = await this.session.all<{ seq: DbInteger; id: string; body: string; created_at: DbInteger }>(
      'SELECT seq, id, body, created_at FROM ledger_customers WHERE seq > ? ORDER BY seq LIMIT ?',
      [afterSeq, limit],
    );
    return rows.map((r) => ({
      seq: toNumber(r.seq),
      id: r.id,
      body: r.body,
      createdAt: toNumber(r.created_at),
    }));
  }

  getAccounts(ids: readonly string[]): Promise<AccountRecord[]> {
    return this.#accounts(ids, '');
  }

  async #accounts(ids: readonly string[], lock: string): Promise<AccountRecord[]> {
    if (ids.length === 0) return [];
    const among = this.dialect.anyOf('a.id', [...new Set(ids)].sort());
    const rows = await this.session.all<AccountRow>(
      `${ACCOUNT_SELECT} WHERE ${among.sql} ORDER BY a.id${lock}`,
      among.params,
    );
    return rows.map(toAccount);
  }

  async listAccounts(q: AccountListQuery): Promise<AccountRecord[]> {
    const where: string[] = ['a.seq > ?', 'a.internal = 0'];
    const params: unknown[] = [q.afterSeq];
    if (q.productIds !== undefined) {
      if (q.productIds.length === 0) return [];
      const among = this.dialect.anyOf('a.product_id', q.productIds);
      where.push(among.sql);
      params.push(...among.params);
    }
    if (q.stakeholderIds !== undefined) {
      if (q.stakeholderIds.length === 0) return [];
      const among = this.dialect.anyOf('s.customer_id', q.stakeholderIds);
      where.push(`a.seq IN (SELECT s.account_seq FROM ledger_stakeholders s WHERE ${among.sql})`);
      params.push(...among.params);
    }
    const rows = await this.session.all<AccountRow>(
      `${ACCOUNT_SELECT} WHERE ${where.join(' AND ')} ORDER BY a.seq LIMIT ?`,
      [...params, q.limit],
    );
    return rows.map(toAccount);
  }

  balances(accountIds: readonly string[]): Promise<BalanceRecord[]> {
    return this.#balances(accountIds, '');
  }

  async #balances(accountIds: readonly string[], lock: string): Promise<BalanceRecord[]> {
    if (accountIds.length === 0) return [];
    const among = this.dialect.anyOf('account_id', [...new Set(accountIds)].sort());
    const rows = await this.session.all<BalanceRow>(
      `${BALANCE_SELECT} WHERE ${among.sql}
       ORDER BY account_id, account_address, asset, denomination, phase${lock}`,
      among.params,
    );
    return rows.map(toBalance);
  }

  async balancesAsOf(accountIds: readonly string[], time: number): Promise<BalanceAsOf[]> {
    const out: BalanceAsOf[] = [];
    for (const b of await this.balances(accountIds)) {
      const asOf = await this.#asOf(b, time);
      if (asOf !== undefined) out.push(asOf);
    }
    return out;
  }

  /** One index seek for the checkpoint, one bounded range for the entries after it. */
  async #asOf(b: BalanceRecord, time: number): Promise<BalanceAsOf | undefined> {
    const last = (
      await this.session.all<{ value_time: DbInteger; batch_id: string }>(
        `SELECT value_time, batch_id FROM ledger_balance_entries WHERE dim_seq = ? AND value_time <= ?
         ORDER BY value_time DESC, batch_seq DESC LIMIT 1`,
        [b.dimSeq, time],
      )
    )[0];
    if (last === undefined) return undefined;
    const checkpoint = (
      await this.session.all<{
        value_time: DbInteger;
        batch_seq: DbInteger;
        total_debit: string;
        total_credit: string;
      }>(
        `SELECT value_time, batch_seq, CAST(total_debit AS TEXT) AS total_debit, CAST(total_credit AS TEXT) AS total_credit
         FROM ledger_balance_checkpoints WHERE dim_seq = ? AND value_time <= ?
         ORDER BY value_time DESC, batch_seq DESC LIMIT 1`,
        [b.dimSeq, time],
      )
    )[0];
    const cpTime = checkpoint === undefined ? -1 : toNumber(checkpoint.value_time);
    const cpSeq = checkpoint === undefined ? -1 : toNumber(checkpoint.batch_seq);
    const sums = (
      await this.session.all<{ debit: string; credit: string }>(
        `SELECT CAST(COALESCE(SUM(debit), 0) AS TEXT) AS debit, CAST(COALESCE(SUM(credit), 0) AS TEXT) AS credit
         FROM ledger_balance_entries
         WHERE dim_seq = ? AND value_time <= ? AND (value_time > ? OR (value_time = ? AND batch_seq > ?))`,
        [b.dimSeq, time, cpTime, cpTime, cpSeq],
      )
    )[0] ?? { debit: '0', credit: '0' };
    return {
      dimension: b.dimension,
      totals: {
        debit: BigInt(sums.debit) + (checkpoint ? BigInt(checkpoint.total_debit) : 0n),
        credit: BigInt(sums.credit) + (checkpoint ? BigInt(checkpoint.total_credit) : 0n),
      },
      lastBatchId: last.batch_id,
      lastValueTime: toNumber(last.value_time),
    };
  }

  async balanceEntries(
    accountIds: readonly string[],
    fromTime: number,
    toTime: number,
    limit: number,
    after?: EntryPosition,
  ): Promise<BalanceEntry[]> {
    if (accountIds.length === 0) return [];
    const among = this.dialect.anyOf('b.account_id', [...new Set(accountIds)]);
    const from = after
      ? {
          sql: ' AND (b.account_id, b.account_address, b.asset, b.denomination, b.phase, e.value_time, e.batch_seq) > (?, ?, ?, ?, ?, ?, ?)',
          params: [
            after.dimension.accountId,
            after.dimension.accountAddress,
            after.dimension.asset,
            after.dimension.denomination,
            after.dimension.phase,
            after.valueTime,
            after.batchSeq,
          ],
        }
      : { sql: '', params: [] };
    const rows = await this.session.all<
      BalanceRow & {
        value_time: DbInteger;
        batch_seq: DbInteger;
        batch_id: string;
        debit: string;
        credit: string;
      }
    >(
      `SELECT b.dim_seq, b.account_id, b.account_address, b.asset, b.denomination, b.phase,
         e.value_time, e.batch_seq, e.batch_id, CAST(e.debit AS TEXT) AS debit, CAST(e.credit AS TEXT) AS credit
       FROM ledger_balances b JOIN ledger_balance_entries e ON e.dim_seq = b.dim_seq
       WHERE ${among.sql} AND e.value_time > ? AND e.value_time <= ?${from.sql}
       ORDER BY b.account_id, b.account_address, b.asset, b.denomination, b.phase, e.value_time, e.batch_seq LIMIT ?`,
      [...among.params, fromTime, toTime, ...from.params, limit],
    );
    return rows.map((r) => ({
      dimension: toDimension(r),
      valueTime: toNumber(r.value_time),
      batchSeq: toNumber(r.batch_seq),
      batchId: r.batch_id,
      debit: BigInt(r.debit),
      credit: BigInt(r.credit),
    }));
  }

  async getBatches(ids: readonly string[]): Promise<BatchRecord[]> {
    if (ids.length === 0) return [];
    const among = this.dialect.anyOf('id', [...new Set(ids)]);
    return (await this.session.all<BatchRow>(`${BATCH_SELECT} WHERE ${among.sql}`, among.params)).map(
      toBatch,
    );
  }

  async listBatches(q: BatchListQuery): Promise<BatchRecord[]> {
    const where: string[] = ['seq > ?'];
    const params: unknown[] = [q.afterSeq];
    if (q.clientBatchIds !== undefined) {
      if (q.clientBatchIds.length === 0) return [];
      const among = this.dialect.anyOf('client_batch_id', q.clientBatchIds);
      where.push(among.sql);
      params.push(...among.params);
    }
    if (q.accountIds !== undefined) {
      if (q.accountIds.length === 0) return [];
      const among = this.dialect.anyOf('p.account_id', q.accountIds);
      where.push(`seq IN (SELECT p.batch_seq FROM ledger_postings p WHERE ${among.sql})`);
      params.push(...among.params);
    }
    if (q.startTime !== undefined) {
      where.push('insertion_time >= ?');
      params.push(q.startTime);
    }
    if (q.endTime !== undefined) {
      where.push('insertion_time < ?');
      params.push(q.endTime);
    }
    const rows = await this.session.all<BatchRow>(
      `${BATCH_SELECT} WHERE ${where.join(' AND ')} ORDER BY seq LIMIT ?`,
      [...params, q.limit],
    );
    return rows.map(toBatch);
  }

  clientTransactions(keys: readonly ClientTransactionKey[]): Promise<ClientTransaction[]> {
    return this.#transactions(keys, '');
  }

  async #transactions(keys: readonly ClientTransactionKey[], lock: string): Promise<ClientTransaction[]> {
    if (keys.length === 0) return [];
    const c = keysCondition(keys);
    const rows = await this.session.all<TransactionRow>(
      `${TRANSACTION_SELECT} WHERE ${c.sql} ORDER BY client_id, client_transaction_id${lock}`,
      c.params,
    );
    return rows.map(toTransaction);
  }

  async scanPostings(afterSeq: number, limit: number): Promise<PostingRecord[]> {
    const rows = await this.session.all<PostingRow>(`${POSTING_SELECT} WHERE seq > ? ORDER BY seq LIMIT ?`, [
      afterSeq,
      limit,
    ]);
    return rows.map(toPosting);
  }

  async scanBalances(afterDimSeq: number, limit: number): Promise<BalanceRecord[]> {
    const rows = await this.session.all<BalanceRow>(
      `${BALANCE_SELECT} WHERE dim_seq > ? ORDER BY dim_seq LIMIT ?`,
      [afterDimSeq, limit],
    );
    return rows.map(toBalance);
  }

  async scanBatches(afterSeq: number, limit: number): Promise<BatchRecord[]> {
    return (
      await this.session.all<BatchRow>(`${BATCH_SELECT} WHERE seq > ? ORDER BY seq LIMIT ?`, [
        afterSeq,
        limit,
      ])
    ).map(toBatch);
  }

  async scanClientTransactions(
    after: ClientTransactionKey | null,
    limit: number,
  ): Promise<ClientTransaction[]> {
    const rows =
      after === null
        ? await this.session.all<TransactionRow>(
            `${TRANSACTION_SELECT} ORDER BY client_id, client_transaction_id LIMIT ?`,
            [limit],
          )
        : await this.session.all<TransactionRow>(
            `${TRANSACTION_SELECT} WHERE client_id > ? OR (client_id = ? AND client_transaction_id > ?)
             ORDER BY client_id, client_transaction_id LIMIT ?`,
            [after.clientId, after.clientId, after.clientTransactionId, limit],
          );
    return rows.map(toTransaction);
  }

  async entryTotals(dimSeq: number): Promise<{ debit: bigint; credit: bigint }> {
    const r = (
      await this.session.all<{ debit: string; credit: string }>(
        `SELECT CAST(COALESCE(SUM(debit), 0) AS TEXT) AS debit, CAST(COALESCE(SUM(credit), 0) AS TEXT) AS credit
         FROM ledger_balance_entries WHERE dim_seq = ?`,
        [dimSeq],
      )
    )[0];
    return { debit: BigInt(r?.debit ?? '0'), credit: BigInt(r?.credit ?? '0') };
  }

  // ---- writes -----------------------------------------------------------------------------

  async insertCustomer(c: Omit<CustomerRecord, 'seq'>): Promise<void> {
    await runUnique(
      this.session,
      this.dialect,
      `customer ${c.id}`,
      'INSERT INTO ledger_customers (id, body, created_at) VALUES (?, ?, ?)',
      [c.id, c.body, c.createdAt],
    );
  }

  async insertAccount(a: NewAccount): Promise<void> {
    const seq = await this.#insertReturningSeq(
      `account ${a.id}`,
      `INSERT INTO ledger_accounts (id, internal, status, tside, product_id, product_version_id, permitted_denominations,
         opening_time, stakeholder_ids, body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq`,
      [
        a.id,
        a.internal ? 1 : 0,
        a.status,
        a.tside,
        a.productId,
        a.productVersionId,
        JSON.stringify(a.permittedDenominations),
        a.openingTime,
        JSON.stringify(a.stakeholderIds),
        a.body,
        a.createdAt,
      ],
    );
    for (const customerId of new Set(a.stakeholderIds)) {
      await this.session.run('INSERT INTO ledger_stakeholders (customer_id, account_seq) VALUES (?, ?)', [
        customerId,
        seq,
      ]);
    }
  }

  async #insertReturningSeq(what: string, sql: string, params: readonly unknown[]): Promise<number> {
    try {
      const rows = await this.session.all<{ seq: DbInteger }>(sql, params);
      return toNumber(rows[0]?.seq ?? Number.NaN);
    } catch (e) {
      // As in runUnique: a lost race re-runs the write.
      if (this.dialect.isUniqueViolation(e)) throw new StorageConflict(`${what} already exists`, e);
      throw e;
    }
  }

  async updateAccount(id: string, change: { status: string; body: string }): Promise<void> {
    await this.session.run('UPDATE ledger_accounts SET status = ?, body = ? WHERE id = ?', [
      change.status,
      change.body,
      id,
    ]);
  }

  lockAccounts(ids: readonly string[]): Promise<AccountRecord[]> {
    return this.#accounts(ids, this.dialect.forUpdate);
  }

  lockBalances(accountIds: readonly string[]): Promise<BalanceRecord[]> {
    return this.#balances(accountIds, this.dialect.forUpdate);
  }

  lockClientTransactions(keys: readonly ClientTransactionKey[]): Promise<ClientTransaction[]> {
    return this.#transactions(keys, this.dialect.forUpdate);
  }

  insertBatch(b: NewBatch): Promise<number> {
    return this.#insertReturningSeq(
      `batch for request ${b.requestId}`,
      `INSERT INTO ledger_batches (id, request_id, client_id, client_batch_id, status, value_time, insertion_time, body)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq`,
      [b.id, b.requestId, b.clientId, b.clientBatchId, b.status, b.valueTime, b.insertionTime, b.body],
    );
  }

  async appendPostings(batchSeq: number, postings: readonly NewPosting[]): Promise<void> {
    for (let i = 0; i < postings.length; i += ROWS_PER_INSERT) {
      const chunk = postings.slice(i, i + ROWS_PER_INSERT);
      const params: unknown[] = [];
      for (const p of chunk) {
        params.push(
          batchSeq,
          p.instructionIndex,
          p.clientId,
          p.clientTransactionId,
          p.accountId,
          p.accountAddress,
        );
        params.push(p.asset, p.denomination, p.phase, p.credit ? 1 : 0, p.amount, p.valueTime);
      }
      await this.session.run(
        `INSERT INTO ledger_postings (batch_seq, instruction_index, client_id, client_transaction_id, account_id,
           account_address, asset, denomination, phase, credit, amount, value_time)
         VALUES ${chunk.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
        params,
      );
    }
  }

  async applyBalances(
    batch: { seq: number; id: string; valueTime: number },
    changes: ReadonlyArray<{
      dimension: Dimension;
      before: { debit: bigint; credit: bigint };
      after: { debit: bigint; credit: bigint };
    }>,
    current: ReadonlyMap<string, BalanceRecord>,
  ): Promise<void> {
    for (const change of changes) {
      const row = current.get(dimensionKey(change.dimension));
      const debit = change.after.debit - change.before.debit;
      const credit = change.after.credit - change.before.credit;
      const dimSeq = row === undefined ? await this.#insertDimension(change, batch) : row.dimSeq;
      const backdated = row !== undefined && batch.valueTime < row.lastValueTime;
      const since = (row?.sinceCheckpoint ?? 0) + 1;
      const checkpoint = !backdated && since >= CHECKPOINT_EVERY;
      if (row !== undefined) {
        await this.session.run(
          `UPDATE ledger_balances SET total_debit = ?, total_credit = ?, last_batch_id = ?, last_value_time = ?,
             since_checkpoint = ? WHERE dim_seq = ?`,
          [
            change.after.debit,
            change.after.credit,
            backdated ? row.lastBatchId : batch.id,
            backdated ? row.lastValueTime : batch.valueTime,
            checkpoint ? 0 : since,
            dimSeq,
          ],
        );
      }
      await this.session.run(
        'INSERT INTO ledger_balance_entries (dim_seq, value_time, batch_seq, batch_id, debit, credit) VALUES (?, ?, ?, ?, ?, ?)',
        [dimSeq, batch.valueTime, batch.seq, batch.id, debit, credit],
      );
      if (backdated) {
        // The checkpoints after this entry's value time include it from now on.
        await this.session.run(
          `UPDATE ledger_balance_checkpoints SET total_debit = total_debit + ?, total_credit = total_credit + ?
           WHERE dim_seq = ? AND value_time > ?`,
          [debit, credit, dimSeq, batch.valueTime],
        );
      } else if (checkpoint) {
        await this.session.run(
          `INSERT INTO ledger_balance_checkpoints (dim_seq, value_time, batch_seq, batch_id, total_debit, total_credit)
           VALUES (?, ?, ?, ?, ?, ?)`,
          [dimSeq, batch.valueTime, batch.seq, batch.id, change.after.debit, change.after.credit],
        );
      }
    }
  }

  #insertDimension(
    change: { dimension: Dimension; after: { debit: bigint; credit: bigint } },
    batch: { id: string; valueTime: number },
  ): Promise<number> {
    const d = change.dimension;
    return this.#insertReturningSeq(
      `balance ${dimensionKey(d)}`,
      `INSERT INTO ledger_balances (account_id, account_address, asset, denomination, phase, total_debit, total_credit,
         last_batch_id, last_value_time, since_checkpoint) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1) RETURNING dim_seq AS seq`,
      [
        d.accountId,
        d.accountAddress,
        d.asset,
        d.denomination,
        d.phase,
        change.after.debit,
        change.after.credit,
        batch.id,
        batch.valueTime,
      ],
    );
  }

  async putClientTransactions(
    transactions: readonly ClientTransaction[],
    existing: ReadonlySet<string>,
  ): Promise<void> {
    for (const t of transactions) {
      const values = [
        t.kind,
        t.status,
        t.targetAccountId,
        t.internalAccountId,
        t.accountAddress,
        t.asset,
        t.denomination,
      ];
      const amounts = [t.authorised, t.settled, t.pending, t.valueTime];
      if (existing.has(`${t.clientId}\u0000${t.clientTransactionId}`)) {
        await this.session.run(
          `UPDATE ledger_client_transactions SET kind = ?, status = ?, target_account_id = ?, internal_account_id = ?,
             account_address = ?, asset = ?, denomination = ?, authorised = ?, settled = ?, pending = ?, value_time = ?
           WHERE client_id = ? AND client_transaction_id = ?`,
          [...values, ...amounts, t.clientId, t.clientTransactionId],
        );
      } else {
        await runUnique(
          this.session,
          this.dialect,
          `client transaction ${t.clientTransactionId}`,
          `INSERT INTO ledger_client_transactions (kind, status, target_account_id, internal_account_id, account_address,
             asset, denomination, authorised, settled, pending, value_time, client_id, client_transaction_id)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [...values, ...amounts, t.clientId, t.clientTransactionId],
        );
      }
    }
  }
}
