/** Graceful shutdown: in-flight requests finish, new connections are refused, storage closes last. */
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/server/app.js';
import { issueToken } from '../../src/server/auth.js';
import { drainAndClose } from '../../src/server/server.js';
import { delegating, STORAGE_FACTORIES } from '../storage/factories.js';

describe.each(STORAGE_FACTORIES)('graceful shutdown on $name', (factory) => {
  it.skipIf(factory.skip)(
    'finishes in-flight requests, refuses new ones, then closes the storage',
    async () => {
      const { storage, cleanup } = await factory.create();
      const { token } = await issueToken(storage, { scopes: ['admin'], name: 't' });
      let release: () => void = () => undefined;
      const gate = new Promise<void>((r) => (release = r));
      let gated = false;
      let closed = false;
      const wrapped = delegating(storage, {
        read: async (fn) => {
          if (gated) await gate;
          if (closed) throw new Error('read after close');
          return storage.read(fn);
        },
        close: async () => {
          closed = true;
        },
      });
      const app = buildApp({ storage: wrapped });
      const url = await app.listen({ host: '127.0.0.1', port: 0 });
      const headers = { 'x-auth-token': token };
      expect((await fetch(`${url}/v1/flag-definitions`, { headers })).status).toBe(200);

      gated = true;
      const inFlight = fetch(`${url}/v1/flag-definitions`, { headers });
      while (app.strata.metrics.inFlight < 1) await new Promise((r) => setTimeout(r, 5));
      const closing = drainAndClose(app, wrapped);
      await new Promise((r) => setTimeout(r, 50));
      await expect(fetch(`${url}/health`, { headers: { connection: 'close' } })).rejects.toThrow();
      expect(closed).toBe(false);
      release();
      const res = await inFlight;
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ flag_definitions: [], next_page_token: '' });
      await closing;
      expect(closed).toBe(true);
      await cleanup();
    },
  );
});
