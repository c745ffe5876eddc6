/** The console's API client (console/src/api.ts) against a fake fetch: token, errors, pages. */
import { describe, expect, it } from 'vitest';
import { Api, ApiFailure, Pages } from '../../console/src/api.js';

interface Call {
  path: string;
  token: string | null;
}

/** A fetch answering GET /items?page_size=N[&page_token=T] from `items`, counting its calls. */
function listServer(items: string[]): {
  calls: Call[];
  fetch: (p: string, i?: RequestInit) => Promise<Response>;
} {
  const calls: Call[] = [];
  return {
    calls,
    fetch: async (path, init) => {
      calls.push({ path, token: new Headers(init?.headers).get('x-auth-token') });
      const url = new URL(path, 'http://console.test');
      const size = Number(url.searchParams.get('page_size'));
      const from = Number(url.searchParams.get('page_token') ?? '0');
      const next = from + size < items.length ? String(from + size) : '';
      return Response.json({ items: items.slice(from, from + size), next_page_token: next });
    },
  };
}

describe('Api', () => {
  it('reads every page of a list, with the token in X-Auth-Token', async () => {
    const server = listServer(['a', 'b', 'c', 'd', 'e']);
    const api = new Api('strata_t', () => {}, server.fetch);
    expect(await api.all<string>('/items?kind=x', 'items', 2)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(server.calls.map((c) => c.path)).toEqual([
      '/items?kind=x&page_size=2',
      '/items?kind=x&page_size=2&page_token=2',
      '/items?kind=x&page_size=2&page_token=4',
    ]);
    expect(server.calls.every((c) => c.token === 'strata_t')).toBe(true);
  });

  it('reads more pages on demand, fetching only those it does not hold', async () => {
    const server = listServer(['a', 'b', 'c', 'd', 'e']);
    const pages = new Pages<string>(new Api('t', () => {}, server.fetch), '/items', 'items', 2);
    expect(await pages.read(1)).toEqual(['a', 'b']);
    expect(pages.more).toBe(true);
    expect(await pages.read(2)).toEqual(['a', 'b', 'c', 'd']);
    expect(server.calls).toHaveLength(2);
    expect(await pages.read(5)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(pages.more).toBe(false);
    expect(server.calls).toHaveLength(3);
    await pages.read(9);
    expect(server.calls).toHaveLength(3);
  });

  it("turns the server's errors into ApiFailure, and tells the app about a 401", async () => {
    let unauthenticated = 0;
    const answers: Response[] = [
      Response.json({ code: 'NOT_FOUND', message: 'no product p', details: { id: 'p' } }, { status: 404 }),
      new Response('<html>bad gateway</html>', { status: 502 }),
      Response.json({ code: 'UNAUTHENTICATED', message: 'no token' }, { status: 401 }),
    ];
    const api = new Api(
      't',
      () => (unauthenticated += 1),
      async () => answers.shift()!,
    );
    await expect(api.get('/v1/products/p')).rejects.toMatchObject({
      status: 404,
      code: 'NOT_FOUND',
      message: 'no product p',
      details: { id: 'p' },
    });
    const gateway = await api.get('/x').catch((e: unknown) => e);
    expect(gateway).toBeInstanceOf(ApiFailure);
    expect(gateway).toMatchObject({ status: 502, code: 'HTTP_502', message: '<html>bad gateway</html>' });
    expect(unauthenticated).toBe(0);
    await expect(api.get('/x')).rejects.toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
    expect(unauthenticated).toBe(1);
  });
});
