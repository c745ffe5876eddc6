/**
 * Shutdown with event readers attached: an open SSE stream is ended and a waiting long poll
 * answers (empty) at once, so closing the server never waits for them (the SSE stream would
 * otherwise stay open for ever, the long poll for up to 30 s).
 */
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/server/app.js';
import { issueToken } from '../../src/server/auth.js';
import { drainAndClose } from '../../src/server/server.js';
import { delegating, STORAGE_FACTORIES } from '../storage/factories.js';

describe.each(STORAGE_FACTORIES)('ledger event readers at shutdown on $name', (factory) => {
  it.skipIf(factory.skip)(
    'ends open SSE streams and answers waiting long polls when the server closes',
    async () => {
      const { storage, cleanup } = await factory.create();
      try {
        const { token } = await issueToken(storage, { scopes: ['admin'], name: 't' });
        // The factory's cleanup closes the storage.
        const served = delegating(storage, { close: async () => undefined });
        const app = buildApp({ storage: served });
        const url = await app.listen({ host: '127.0.0.1', port: 0 });
        const headers = { 'x-auth-token': token };

        const sse = await fetch(`${url}/v1/events:stream`, { headers });
        expect(sse.status).toBe(200);
        const reader = (sse.body as ReadableStream<Uint8Array>).getReader();
        const first = await reader.read();
        expect(new TextDecoder().decode(first.value)).toContain(': connected');
        const streaming = app.strata.metrics.inFlight;
        const poll = fetch(`${url}/v1/events?after=0&wait_ms=30000`, { headers });
        while (app.strata.metrics.inFlight <= streaming) await new Promise((r) => setTimeout(r, 5));

        const closing = drainAndClose(app, served);
        const pollRes = await poll;
        expect(pollRes.status).toBe(200);
        expect(await pollRes.json()).toEqual({ events: [], last_sequence: 0 });
        let rest = '';
        for (let r = await reader.read(); !r.done; r = await reader.read())
          rest += new TextDecoder().decode(r.value);
        expect(rest).not.toContain('data:');
        await closing;
      } finally {
        await cleanup();
      }
    },
    20_000,
  );
});
