/**
 * Pages are paths under /console (the server answers index.html for each), so every page can be
 * bookmarked and shared. Links change the path with the History API; back and forward work.
 */
import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';

export const BASE = '/console';

export type Route =
  | { page: 'products' }
  | { page: 'product'; id: string }
  | { page: 'approvals' }
  | { page: 'accounts' }
  | { page: 'account'; id: string }
  | { page: 'events' }
  | { page: 'not-found'; path: string };

function decode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

export function parseRoute(pathname: string): Route {
  const rest = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : pathname;
  const parts = rest.split('/').filter((p) => p !== '');
  const [first, second, ...more] = parts;
  const id = second === undefined ? undefined : decode(second);
  if (more.length > 0) return { page: 'not-found', path: pathname };
  if (first === undefined || (first === 'products' && second === undefined)) return { page: 'products' };
  if (first === 'products' && id !== undefined) return { page: 'product', id };
  if (first === 'accounts' && second === undefined) return { page: 'accounts' };
  if (first === 'accounts' && id !== undefined) return { page: 'account', id };
  if (first === 'approvals' && second === undefined) return { page: 'approvals' };
  if (first === 'events' && second === undefined) return { page: 'events' };
  return { page: 'not-found', path: pathname };
}

/** The address of a console path: `href('/products/a b')` is `/console/products/a%20b`. */
export function href(path: string): string {
  return BASE + path;
}

export function productPath(id: string): string {
  return `/products/${encodeURIComponent(id)}`;
}

export function accountPath(id: string): string {
  return `/accounts/${encodeURIComponent(id)}`;
}

export function navigate(path: string): void {
  window.history.pushState(null, '', href(path));
  window.dispatchEvent(new PopStateEvent('popstate'));
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.pathname));
  useEffect(() => {
    const update = (): void => setRoute(parseRoute(window.location.pathname));
    window.addEventListener('popstate', update);
    return () => window.removeEventListener('popstate', update);
  }, []);
  return route;
}

interface LinkProps {
  to: string;
  children: ComponentChildren;
  'aria-current'?: 'page' | undefined;
}

/** A real link (opens in a new tab with a modifier key), routed in place on a plain click. */
export function Link({ to, children, 'aria-current': current }: LinkProps): JSX.Element {
  const onClick = (e: MouseEvent): void => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(to);
  };
  return (
    <a href={href(to)} onClick={onClick} aria-current={current}>
      {children}
    </a>
  );
}
