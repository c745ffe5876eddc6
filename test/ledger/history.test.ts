/**
 * As-of balances past a checkpoint, under backdating, on both storages: every read equals a
 * recompute from the deposits made at or before that time.
 */
import { describe, expect, it } from 'vitest';
import { CHECKPOINT_EVERY } from '../../src/storage/ledger-records.js';
import { verifyLedger } from '../../src/server/ledger/verify.js';
import { formatMinorUnits } from '../../src/ledger/money.js';
import { STORAGE_FACTORIES } from '../storage/factories.js';
import { deposit, instruction, json, ledgerHarness } from './server-helpers.js';

const T0 = Date.UTC(2024, 0, 1);
const iso = (ms: number) => new Date(ms).toISOString();

describe.each(STORAGE_FACTORIES)('as-of balances on $name', (factory) => {
  describe.skipIf(factory.skip)('', () => {
    it('stay right past checkpoints and under backdating', async () => {
      const h = await ledgerHarness(factory);
      try {
        await h.openAccount('acc', { opening_timestamp: iso(T0) });
        const deposits: Array<{ time: number; minor: bigint }> = [];
        const post = async (time: number, minor: bigint, id: string) => {
          const res = await h.batch(
            [instruction(id, 'inbound_hard_settlement', deposit(formatMinorUnits(minor, 2), 'acc'))],
            { value_timestamp: iso(time) },
          );
          expect(json(res)['status'], res.body).toBe('POSTING_INSTRUCTION_BATCH_STATUS_ACCEPTED');
          deposits.push({ time, minor });
        };
        const n = CHECKPOINT_EVERY + 40;
        for (let i = 0; i < n; i++) await post(T0 + (i + 1) * 1000, BigInt(i + 1), `d${i}`);
        // Backdated: before the first checkpoint, inside the history, and at an existing time.
        await post(T0 + 500, 100_000n, 'back1');
        await post(T0 + 100_500, 200_000n, 'back2');
        await post(T0 + 260_000, 300_000n, 'back3');
        const expected = (t: number) => deposits.filter((d) => d.time <= t).reduce((s, d) => s + d.minor, 0n);
        for (const t of [
          T0 + 400,
          T0 + 500,
          T0 + 1000,
          T0 + 100_000,
          T0 + 100_600,
          T0 + 255_999,
          T0 + 256_000,
          T0 + 259_999,
          T0 + 260_000,
          T0 + n * 1000,
        ]) {
          const res = json(
            await h.get(`/v1/balances/timerange?account_ids=acc&from_time=${iso(t)}&to_time=${iso(t)}`),
          );
          const amounts = (res['balances'] as Array<Record<string, unknown>>).map((b) => b['amount']);
          const e = expected(t);
          expect(amounts, iso(t)).toEqual(e === 0n ? [] : [formatMinorUnits(e, 2)]);
        }
        expect(await h.balance('acc')).toBe(formatMinorUnits(expected(Number.MAX_SAFE_INTEGER), 2));
        const range = json(
          await h.get(
            `/v1/balances/timerange?account_ids=acc&from_time=${iso(T0 + 255_000)}&to_time=${iso(T0 + 258_000)}`,
          ),
        );
        expect((range['balances'] as Array<Record<string, unknown>>).map((b) => b['amount'])).toEqual(
          [T0 + 255_000, T0 + 256_000, T0 + 257_000, T0 + 258_000].map((t) =>
            formatMinorUnits(expected(t), 2),
          ),
        );
        expect(await verifyLedger(h.storage)).toMatchObject({ ok: true });
      } finally {
        await h.close();
      }
    });

    it('pages a time range: the pages together are the whole range, running totals carried over', async () => {
      const h = await ledgerHarness(factory);
      try {
        for (const id of ['pa', 'pb']) await h.openAccount(id, { opening_timestamp: iso(T0) });
        // Two accounts (COMMITTED on each, and BANK's side is not asked for), one backdated deposit,
        // two batches at the same value time.
        const times = [5, 1, 3, 3, 7, 2, 9].map((s) => T0 + s * 1000);
        for (const [i, t] of times.entries()) {
          const res = await h.batch(
            [
              instruction(
                `p${i}`,
                'inbound_hard_settlement',
                deposit(`${i + 1}.00`, i % 2 === 0 ? 'pa' : 'pb'),
              ),
            ],
            { value_timestamp: iso(t) },
          );
          expect(json(res)['status'], res.body).toBe('POSTING_INSTRUCTION_BATCH_STATUS_ACCEPTED');
        }
        const range = `account_ids=pa&account_ids=pb&from_time=${iso(T0 + 1500)}&to_time=${iso(T0 + 8000)}`;
        const whole = json(await h.get(`/v1/balances/timerange?${range}&page_size=1000`));
        expect(whole['next_page_token']).toBe('');
        const all = whole['balances'] as Array<Record<string, unknown>>;
        // As of 1.5 s: pb holds 2.00 (the deposit at 1 s); then 6 entries in (1.5 s, 8 s].
        expect(all.map((b) => `${b['account_id']} ${b['value_time']} ${b['amount']}`)).toEqual([
          `pb ${iso(T0 + 1000)} 2.00`,
          `pa ${iso(T0 + 3000)} 3.00`,
          `pa ${iso(T0 + 5000)} 4.00`,
          `pa ${iso(T0 + 7000)} 9.00`,
          `pb ${iso(T0 + 2000)} 8.00`,
          `pb ${iso(T0 + 3000)} 12.00`,
        ]);
        for (const size of [1, 2, 4]) {
          const paged: unknown[] = [];
          let token = '';
          let pages = 0;
          do {
            const res = await h.get(
              `/v1/balances/timerange?${range}&page_size=${size}${token ? `&page_token=${token}` : ''}`,
            );
            expect(res.statusCode, res.body).toBe(200);
            const page = json(res);
            paged.push(...(page['balances'] as unknown[]));
            token = page['next_page_token'] as string;
            pages += 1;
          } while (token !== '');
          expect(paged, `page_size=${size}`).toEqual(all);
          expect(pages).toBe(Math.ceil(5 / size));
        }
        const forged = await h.get(`/v1/balances/timerange?${range}&page_token=bm90LWEtdG9rZW4`);
        expect(forged.statusCode).toBe(400);
        expect(json(forged)).toMatchObject({
          code: 'INVALID_ARGUMENT',
          field_violations: [{ field: 'page_token' }],
        });
      } finally {
        await h.close();
      }
    });
  });
});
