/** Verify on both storages: clean after real traffic, and each invariant broken on purpose is named. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyLedger } from '../../src/server/ledger/verify.js';
import { COMMITTED, DEFAULT_ADDRESS, DEFAULT_ASSET, type Dimension } from '../../src/ledger/types.js';
import { STORAGE_FACTORIES } from '../storage/factories.js';
import { deposit, instruction, json, ledgerHarness, transfer, type LedgerHarness } from './server-helpers.js';

const dimension = (accountId: string): Dimension => ({
  accountId,
  accountAddress: DEFAULT_ADDRESS,
  asset: DEFAULT_ASSET,
  denomination: 'GBP',
  phase: COMMITTED,
});

describe.each(STORAGE_FACTORIES)('ledger verify on $name', (factory) => {
  describe.skipIf(factory.skip)('', () => {
    let h: LedgerHarness;
    beforeEach(async () => {
      h = await ledgerHarness(factory);
      await h.openAccount('acc');
      await h.openAccount('other');
      await h.batch([instruction('d', 'inbound_hard_settlement', deposit('10.00', 'acc'))]);
      await h.batch([instruction('card', 'outbound_authorisation', deposit('4.00', 'acc'))]);
      await h.batch([instruction('card', 'settlement', { amount: '1.00' })]);
      await h.batch([instruction('t', 'transfer', transfer('2.00', 'acc', 'other'))]);
      await h.batch([instruction('w', 'outbound_hard_settlement', deposit('99.00', 'acc'))]);
    });
    afterEach(async () => {
      await h.close();
    });

    it('is clean after real traffic, over the API (admin) and directly', async () => {
      const report = await verifyLedger(h.storage);
      expect(report).toMatchObject({ ok: true, findings: [], counts: { batches: 5, postings: 10 } });
      const res = await h.get('/v1/ledger:verify');
      expect(res.statusCode, res.body).toBe(200);
      expect(json(res)).toMatchObject({ ok: true, findings: [] });
      expect((await h.get('/v1/ledger:verify', await h.tokenWith('ledger:read'))).statusCode).toBe(403);
    });

    it('names a balance that differs from its postings, and an unbalanced batch', async () => {
      await h.storage.write(async (tx) => {
        const [row] = (await tx.ledger.lockBalances(['acc'])).filter((b) => b.dimension.phase === COMMITTED);
        if (!row) throw new Error('no balance');
        const after = { debit: row.totals.debit, credit: row.totals.credit + 1n };
        await tx.ledger.applyBalances(
          { seq: 10_000, id: 'tampered', valueTime: 1 },
          [{ dimension: row.dimension, before: row.totals, after }],
          new Map([[`acc\u0000DEFAULT\u0000COMMERCIAL_BANK_MONEY\u0000GBP\u0000${COMMITTED}`, row]]),
        );
        await tx.ledger.appendPostings(10_001, [
          {
            ...dimension('BANK'),
            credit: true,
            amount: 5n,
            instructionIndex: 0,
            clientId: 'x',
            clientTransactionId: 'y',
            valueTime: 1,
          },
        ]);
      });
      const report = await verifyLedger(h.storage);
      expect(report.ok).toBe(false);
      const checks = report.findings.map((f) => f.check).sort();
      expect(checks).toContain('BALANCE_DIFFERS_FROM_POSTINGS');
      expect(checks).toContain('BATCH_NOT_BALANCED');
      const balance = report.findings.find(
        (f) => f.check === 'BALANCE_DIFFERS_FROM_POSTINGS' && f.rows[0]?.includes('/acc/') !== true,
      );
      expect(balance?.rows.join(' ')).toMatch(/ledger_balances dim_seq=\d+ \(acc\/DEFAULT/);
      expect(report.findings.find((f) => f.check === 'BATCH_NOT_BALANCED')?.rows).toEqual([
        'ledger_batches seq=10001',
      ]);
      // Batch 10001 was never stored: its postings have no batch.
      expect(report.findings.find((f) => f.check === 'POSTING_WITHOUT_ACCEPTED_BATCH')?.rows).toEqual([
        'ledger_postings batch_seq=10001',
      ]);
    });

    it('names a batch without its event and a client transaction that disagrees with its postings', async () => {
      await h.storage.write(async (tx) => {
        await tx.ledger.insertBatch({
          id: 'silent',
          requestId: 'silent-req',
          clientId: 'c',
          clientBatchId: '',
          status: 'REJECTED',
          valueTime: 1,
          insertionTime: 1,
          body: '{}',
        });
        const [card] = await tx.ledger.lockClientTransactions([
          { clientId: 'test-client', clientTransactionId: 'card' },
        ]);
        if (!card) throw new Error('no transaction');
        await tx.ledger.putClientTransactions(
          [{ ...card, pending: card.pending + 1n }],
          new Set([`test-client\u0000card`]),
        );
      });
      const report = await verifyLedger(h.storage);
      expect(report.findings).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ check: 'BATCH_WITHOUT_EVENT', rows: ['ledger_batches id=silent'] }),
          expect.objectContaining({
            check: 'CLIENT_TRANSACTION_DIFFERS',
            rows: ['ledger_client_transactions (test-client, card)'],
          }),
        ]),
      );
    });
  });
});
