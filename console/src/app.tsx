/**
 * The console: login until a token is known, then the page the path names. The token is read
 * from sessionStorage at start (a reload keeps the session) and checked against the server.
 */
import type { JSX } from 'preact';
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { Api, ApiFailure } from './api.js';
import { Layout } from './components/layout.js';
import { Login } from './pages/login.js';
import { AccountPage } from './pages/account.js';
import { AccountsPage } from './pages/accounts.js';
import { ApprovalsPage } from './pages/approvals.js';
import { EventsPage } from './pages/events.js';
import { ProductPage } from './pages/product.js';
import { ProductsPage } from './pages/products.js';
import { useRoute, type Route } from './router.js';
import type { Identity, TokenStore } from './session.js';

export interface Session {
  api: Api;
  identity: Identity;
}

/** Asks the server who the token is (any valid token may). */
export async function whoAmI(api: Api): Promise<Identity> {
  const body = await api.get<{ token: Identity }>('/v1/tokens/self');
  return body.token;
}

const TOKEN_REFUSED = 'The server no longer accepts this token: log in again.';

export function App({ store }: { store: TokenStore }): JSX.Element {
  const [session, setSession] = useState<Session | null>(null);
  const [checking, setChecking] = useState(() => store.read() !== null);
  const [notice, setNotice] = useState<string | null>(null);
  const route = useRoute();

  const logout = useCallback(
    (why: string | null) => {
      store.clear();
      setSession(null);
      setNotice(why);
    },
    [store],
  );
  const open = useCallback(
    async (token: string): Promise<void> => {
      // A 401 logs out only a session that was open: a token refused at login is the form's error.
      let opened = false;
      const api = new Api(token, () => {
        if (opened) logout(TOKEN_REFUSED);
      });
      const identity = await whoAmI(api);
      opened = true;
      store.write(token);
      setNotice(null);
      setSession({ api, identity });
    },
    [store, logout],
  );

  useEffect(() => {
    const saved = store.read();
    if (saved === null) return;
    open(saved)
      .catch((e: unknown) => {
        store.clear();
        setNotice(e instanceof ApiFailure && e.status === 401 ? TOKEN_REFUSED : (e as Error).message);
      })
      .finally(() => setChecking(false));
  }, [store, open]);

  if (checking) return <p aria-busy="true">Checking the saved session…</p>;
  if (!session) return <Login onLogin={open} notice={notice} />;
  return (
    <Layout route={route} identity={session.identity} onLogout={() => logout('Logged out.')}>
      <Page route={route} session={session} />
    </Layout>
  );
}

function Page({ route, session }: { route: Route; session: Session }): JSX.Element {
  const key = useMemo(() => JSON.stringify(route), [route]);
  switch (route.page) {
    case 'products':
      return <ProductsPage key={key} session={session} />;
    case 'product':
      return <ProductPage key={key} session={session} id={route.id} />;
    case 'approvals':
      return <ApprovalsPage key={key} session={session} />;
    case 'accounts':
      return <AccountsPage key={key} session={session} />;
    case 'account':
      return <AccountPage key={key} session={session} id={route.id} />;
    case 'events':
      return <EventsPage key={key} session={session} />;
    case 'not-found':
      return (
        <>
          <h1>Page not found</h1>
          <p>The console has no page at {route.path}.</p>
        </>
      );
  }
}
