import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { Link, type Route } from '../router.js';
import type { Identity } from '../session.js';

const NAV: { to: string; label: string; pages: Route['page'][] }[] = [
  { to: '/products', label: 'Products', pages: ['products', 'product'] },
  { to: '/approvals', label: 'Approvals', pages: ['approvals'] },
  { to: '/accounts', label: 'Accounts', pages: ['accounts', 'account'] },
  { to: '/events', label: 'Events', pages: ['events'] },
];

export function Layout({
  route,
  identity,
  onLogout,
  children,
}: {
  route: Route;
  identity: Identity;
  onLogout: () => void;
  children: ComponentChildren;
}): JSX.Element {
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);
  // After a page change, focus moves to the content so that keyboard and screen reader users
  // start there (not on the first page load: the browser starts at the top).
  useEffect(() => {
    if (first.current) first.current = false;
    else main.current?.focus();
  }, [route]);
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <span class="brand">Strata console</span>
        <nav aria-label="Pages">
          <ul>
            {NAV.map((n) => (
              <li key={n.to}>
                <Link to={n.to} aria-current={n.pages.includes(route.page) ? 'page' : undefined}>
                  {n.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div class="who" aria-label="Logged in token">
          <span>
            Token <strong data-testid="token-name">{identity.name}</strong>
          </span>
          <span class="scopes" data-testid="token-scopes">
            scopes: {identity.scopes.join(', ')}
          </span>
          <button type="button" onClick={onLogout}>
            Log out
          </button>
        </div>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
