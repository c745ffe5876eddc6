/** Events: the outbox in the transaction of each change; long poll and SSE resume, on both storages. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/server/app.js';
import { issueToken } from '../../src/server/auth.js';
import { STORAGE_FACTORIES } from '../storage/factories.js';
import {
  deposit,
  instruction,
  json,
  ledgerHarness,
  rid,
  seedLedger,
  type LedgerHarness,
} from './server-helpers.js';

type Event = {
  sequence: number;
  topic: string;
  key: string;
  timestamp: string;
  payload: Record<string, unknown>;
};

const BATCH_TOPIC = 'vault.core_api.v1.postings.posting_instruction_batch.created';
const BALANCE_TOPIC = 'vault.core_api.v1.balances.account_balance.events';
const ACCOUNT_TOPIC = 'vault.core_api.v2.accounts.account.events';

/** Reads SSE frames from a fetch response until `count` events arrived. */
async function readSse(
  body: ReadableStream<Uint8Array>,
  count: number,
): Promise<Array<{ id: number; event: string; data: Event }>> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const out: Array<{ id: number; event: string; data: Event }> = [];
  while (out.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let cut: number;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const frame = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const fields = Object.fromEntries(
        frame
          .split('\n')
          .filter((l) => !l.startsWith(':') && l.includes(': '))
          .map((l) => [l.slice(0, l.indexOf(': ')), l.slice(l.indexOf(': ') + 2)]),
      );
      if (fields['data'] !== undefined)
        out.push({
          id: Number(fields['id']),
          event: String(fields['event']),
          data: JSON.parse(fields['data']) as Event,
        });
    }
  }
  await reader.cancel();
  return out;
}

describe.each(STORAGE_FACTORIES)('ledger events on $name', (factory) => {
  describe.skipIf(factory.skip)('', () => {
    let h: LedgerHarness;
    beforeEach(async () => {
      h = await ledgerHarness(factory);
      await h.openAccount('acc');
    });
    afterEach(async () => {
      await h.close();
    });

    async function events(query: string): Promise<Event[]> {
      const res = await h.get(`/v1/events?${query}`);
      expect(res.statusCode, res.body).toBe(200);
      return json(res)['events'] as Event[];
    }

    it('appends account, batch and balance events in the transaction of the change', async () => {
      const before = await events('topics=' + ACCOUNT_TOPIC);
      expect(before.map((e) => [e.key, Object.keys(e.payload)])).toEqual([['acc', ['account_created']]]);
      const res = await h.batch([instruction('d', 'inbound_hard_settlement', deposit('2.50', 'acc'))]);
      const batchId = json(res)['id'];
      const ledger = await events(`topics=${BATCH_TOPIC}&topics=${BALANCE_TOPIC}`);
      expect(ledger.map((e) => [e.topic, e.key])).toEqual([
        [BALANCE_TOPIC, 'acc'],
        [BALANCE_TOPIC, 'BANK'],
        [BATCH_TOPIC, batchId],
      ]);
      expect(ledger[0]?.payload).toMatchObject({
        account_id: 'acc',
        posting_instruction_batch_id: batchId,
        balances: [{ amount: '2.50' }],
      });
      expect(ledger[2]?.payload).toEqual({ posting_instruction_batch: json(res) });
      // A rejected batch is stored, so it has its event; a malformed one is not.
      await h.batch([instruction('w', 'outbound_hard_settlement', deposit('100', 'acc'))]);
      await h.batch([instruction('w', 'outbound_hard_settlement', deposit('1.001', 'acc'))]);
      expect((await events(`topics=${BATCH_TOPIC}`)).length).toBe(2);
    });

    it('long poll: returns at once when events exist after the sequence, waits for the next commit otherwise', async () => {
      const all = await events('after=0');
      const last = all[all.length - 1]?.sequence ?? 0;
      expect(all.map((e) => e.sequence)).toEqual(Array.from({ length: all.length }, (_, i) => i + 1));
      const waiting = h.get(`/v1/events?after=${last}&wait_ms=20000`);
      await h.batch([instruction('d', 'inbound_hard_settlement', deposit('1.00', 'acc'))]);
      const got = json(await waiting);
      expect((got['events'] as Event[])[0]?.sequence).toBe(last + 1);
      expect(got['last_sequence']).toBeGreaterThan(last);
      const empty = json(await h.get(`/v1/events?after=${Number(got['last_sequence'])}&wait_ms=1`));
      expect(empty).toEqual({ events: [], last_sequence: got['last_sequence'] });
      expect((await h.get('/v1/events?wait_ms=30001')).statusCode).toBe(400);
    });

    it('keeps sequences gap-free and in commit order under concurrent writers', async () => {
      const writers = Array.from({ length: 40 }, (_, i) =>
        h.batch([instruction(`c${i}`, 'inbound_hard_settlement', deposit('0.01', 'acc'))]),
      );
      const results = await Promise.all(writers);
      expect(results.every((r) => r.statusCode === 200)).toBe(true);
      const all = await events('after=0&page_size=1000');
      expect(all.map((e) => e.sequence)).toEqual(Array.from({ length: all.length }, (_, i) => i + 1));
      const batchEvents = all.filter((e) => e.topic === BATCH_TOPIC);
      expect(new Set(batchEvents.map((e) => e.key)).size).toBe(40);
      // Commit order: a batch's balance events come right before its batch event.
      for (const b of batchEvents) {
        const i = all.indexOf(b);
        expect(all[i - 1]?.topic).toBe(BALANCE_TOPIC);
      }
      expect(await h.balance('acc')).toBe('0.40');
    });

    it('streams events as SSE and resumes after Last-Event-ID without skipping', async () => {
      await h.app.listen({ port: 0, host: '127.0.0.1' });
      const address = h.app.server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      const url = `http://127.0.0.1:${port}/v1/events:stream`;
      const headers = { 'x-auth-token': h.admin };
      const existing = await events('after=0');
      const first = await fetch(url, { headers });
      expect(first.headers.get('content-type')).toContain('text/event-stream');
      const firstFrames = readSse(first.body as ReadableStream<Uint8Array>, existing.length + 3);
      await h.batch([instruction('s1', 'inbound_hard_settlement', deposit('1.00', 'acc'))]);
      const frames = await firstFrames;
      expect(frames.map((f) => f.id)).toEqual(Array.from({ length: frames.length }, (_, i) => i + 1));
      const lastSeen = frames[frames.length - 1]?.id ?? 0;
      await h.batch([instruction('s2', 'inbound_hard_settlement', deposit('1.00', 'acc'))]);
      const resumed = await fetch(url, { headers: { ...headers, 'last-event-id': String(lastSeen) } });
      const more = await readSse(resumed.body as ReadableStream<Uint8Array>, 3);
      expect(more.map((f) => f.id)).toEqual([lastSeen + 1, lastSeen + 2, lastSeen + 3]);
      expect(more[2]?.event).toBe(BATCH_TOPIC);
      expect(more[2]?.data.sequence).toBe(lastSeen + 3);
    });
  });
});

describe.each(STORAGE_FACTORIES)('ledger events from two server processes on $name', (factory) => {
  // Two processes can share a PostgreSQL database (SQLite is one process's file).
  describe.skipIf(factory.skip || factory.name === 'sqlite')('', () => {
    it('keeps sequences gap-free and every batch evented when two servers write at once', async () => {
      const created = await factory.create();
      try {
        const second = await created.openAnother();
        const { token } = await issueToken(created.storage, { scopes: ['admin'], name: 'two' });
        const apps = [buildApp({ storage: created.storage }), buildApp({ storage: second })];
        const post = (app: (typeof apps)[number], url: string, body: unknown) =>
          app.inject({ method: 'POST', url, headers: { 'x-auth-token': token }, payload: body as object });
        await seedLedger((url, body) => post(apps[0]!, url, body));
        await post(apps[0]!, '/v1/accounts', {
          request_id: rid(),
          account: {
            id: 'acc',
            product_id: 'current_account',
            stakeholder_ids: ['alice'],
            permitted_denominations: ['GBP'],
          },
        });
        const writes = Array.from({ length: 30 }, (_, i) =>
          post(apps[i % 2]!, '/v1/posting-instruction-batches', {
            request_id: rid(),
            posting_instruction_batch: {
              client_id: 'c',
              posting_instructions: [instruction(`t${i}`, 'inbound_hard_settlement', deposit('0.01', 'acc'))],
            },
          }),
        );
        expect((await Promise.all(writes)).map((r) => r.statusCode)).toEqual(Array(30).fill(200));
        const res = await apps[1]!.inject({
          method: 'GET',
          url: '/v1/events?page_size=1000',
          headers: { 'x-auth-token': token },
        });
        const all = json(res)['events'] as Event[];
        expect(all.map((e) => e.sequence)).toEqual(Array.from({ length: all.length }, (_, i) => i + 1));
        expect(all.filter((e) => e.topic === BATCH_TOPIC).length).toBe(30);
        await Promise.all(apps.map((a) => a.close()));
      } finally {
        await created.cleanup();
      }
    });
  });
});
