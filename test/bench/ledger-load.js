// The load generator of `npm run bench:ledger`: autocannon in its own process, run like
// test/bench/load.js (run-load.js: same connections, duration, headers, result line), with the
// ledger's workloads. The bench drives the bare node:http server with the same `transfer`
// workload, so the ceiling is measured with the same requests. Usage:
//   node ledger-load.js '{"url":..., "workload":"transfer"|"balance-live"|"balance-asof", ...}'
// Prints one JSON line on stdout.
import { config, runLoad } from './run-load.js';

const { prefix } = config;

/** A small seeded generator, so each run's sequence of pairs is the same. */
function seeded(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Transfers of 0.01 to 9.99 between two distinct accounts of `accounts` (ids `${accountPrefix}${i}`). */
function transfer() {
  const random = seeded(config.seed ?? 1);
  const n = config.accounts;
  let i = 0;
  return {
    method: 'POST',
    path: '/v1/posting-instruction-batches',
    setupRequest: (req) => {
      i += 1;
      const from = Math.floor(random() * n);
      const to = (from + 1 + Math.floor(random() * (n - 1))) % n;
      const cents = 1 + Math.floor(random() * 999);
      const requestId = `t-${prefix}-${i}`;
      return {
        ...req,
        body: JSON.stringify({
          request_id: requestId,
          posting_instruction_batch: {
            client_id: 'bench',
            client_batch_id: requestId,
            posting_instructions: [
              {
                client_transaction_id: requestId,
                transfer: {
                  amount: `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`,
                  denomination: 'GBP',
                  debtor_target_account: { account_id: `${config.accountPrefix}${from}` },
                  creditor_target_account: { account_id: `${config.accountPrefix}${to}` },
                },
              },
            ],
          },
        }),
      };
    },
  };
}

/** Live balances of one account at a time, spread over `accounts`. */
function balanceLive() {
  const random = seeded(config.seed ?? 2);
  return {
    method: 'GET',
    setupRequest: (req) => ({
      ...req,
      path: `/v1/balances/live?account_ids=${config.accountPrefix}${Math.floor(random() * config.accounts)}`,
    }),
  };
}

/** The as-of balance of one account at a random time in [fromMs, toMs]. */
function balanceAsOf() {
  const random = seeded(config.seed ?? 3);
  return {
    method: 'GET',
    setupRequest: (req) => {
      const at = new Date(config.fromMs + Math.floor(random() * (config.toMs - config.fromMs))).toISOString();
      return {
        ...req,
        path: `/v1/balances/timerange?account_ids=${config.account}&from_time=${at}&to_time=${at}`,
      };
    },
  };
}

await runLoad({ transfer, 'balance-live': balanceLive, 'balance-asof': balanceAsOf });
