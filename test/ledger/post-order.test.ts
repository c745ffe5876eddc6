/**
 * `post` scheduling: batches sharing an account or a client transaction go in file order, others
 * in parallel. The API client is replaced by one that answers after a delay chosen per batch, so
 * that a batch posted too early would be seen to start before the one it depends on finished.
 */
import { describe, expect, it } from 'vitest';
import type { VaultClient } from '../../src/client/client.js';
import { dependencyKeys, postBatches, type BatchInput } from '../../src/ledger/remote.js';

function batch(tx: string, instruction: Record<string, unknown>): BatchInput {
  const b = { client_id: 'c', posting_instructions: [{ client_transaction_id: tx, ...instruction }] };
  return { at: tx, requestId: `r-${tx}-${Object.keys(instruction)[0] ?? ''}`, batch: b };
}

const deposit = (account: string) => ({
  inbound_hard_settlement: {
    amount: '1',
    denomination: 'GBP',
    target_account: { account_id: account },
    internal_account_id: 'BANK',
  },
});

describe('post ordering', () => {
  it('names the client transactions and customer accounts a batch depends on, not internal accounts', () => {
    const keys = dependencyKeys({
      client_id: 'c',
      posting_instructions: [
        { client_transaction_id: 't1', ...deposit('a') },
        {
          client_transaction_id: 't2',
          transfer: { debtor_target_account: { account_id: 'b' }, creditor_target_account_id: 'c' },
        },
        {
          client_transaction_id: 't3',
          custom_instruction: { postings: [{ account_id: 'd' }, { account_id: 'BANK' }] },
        },
      ],
    });
    expect(keys.sort()).toEqual(
      [
        'account:BANK',
        'account:a',
        'account:b',
        'account:c',
        'account:d',
        'tx:c\u0000t1',
        'tx:c\u0000t2',
        'tx:c\u0000t3',
      ].sort(),
    );
  });

  it('starts a dependent batch only after the one before it finished; independent ones overlap', async () => {
    const events: string[] = [];
    const client: Pick<VaultClient, 'request'> = {
      request: (async (_method: string, _path: string, body: { request_id: string }) => {
        events.push(`start ${body.request_id}`);
        // Deposits answer slowly: anything depending on them must wait.
        await new Promise((r) => setTimeout(r, body.request_id.includes('inbound') ? 30 : 1));
        events.push(`end ${body.request_id}`);
        return {
          status: 200,
          body: { status: 'POSTING_INSTRUCTION_BATCH_STATUS_ACCEPTED', id: body.request_id },
          replay: false,
        };
      }) as VaultClient['request'],
    };
    const inputs = [
      batch('d1', deposit('a')),
      batch('s1', {
        outbound_hard_settlement: {
          amount: '1',
          denomination: 'GBP',
          target_account: { account_id: 'a' },
          internal_account_id: 'BANK',
        },
      }),
      batch('d2', deposit('b')),
      batch('auth', {
        outbound_authorisation: {
          amount: '1',
          target_account: { account_id: 'c' },
          internal_account_id: 'BANK',
        },
      }),
      batch('auth', { settlement: { final: true } }),
    ];
    const result = await postBatches(client, 'f', inputs, { concurrency: 8 });
    expect(result.counts).toMatchObject({ batches: 5, accepted: 5 });
    const at = (e: string) => events.indexOf(e);
    expect(at('start r-s1-outbound_hard_settlement')).toBeGreaterThan(at('end r-d1-inbound_hard_settlement'));
    expect(at('start r-auth-settlement')).toBeGreaterThan(at('end r-auth-outbound_authorisation'));
    // d2 shares nothing with d1: it starts before d1 ends.
    expect(at('start r-d2-inbound_hard_settlement')).toBeLessThan(at('end r-d1-inbound_hard_settlement'));
  });
});
