/**
 * The token lives in sessionStorage only: never in a URL, a cookie or localStorage, so it is gone
 * when the tab closes and no other tab or request carries it.
 */
const KEY = 'strata.console.token';

export interface TokenStore {
  read(): string | null;
  write(token: string): void;
  clear(): void;
}

export function sessionTokenStore(storage: Storage = window.sessionStorage): TokenStore {
  return {
    read: () => storage.getItem(KEY),
    write: (token) => storage.setItem(KEY, token),
    clear: () => storage.removeItem(KEY),
  };
}

export const SCOPES = [
  'read',
  'config:write',
  'config:activate',
  'config:approve',
  'ledger:read',
  'ledger:write',
  'admin',
] as const;
export type Scope = (typeof SCOPES)[number];

export interface Identity {
  id: string;
  name: string;
  scopes: string[];
}

/** The server's rule: admin holds every scope. */
export function hasScope(identity: Pick<Identity, 'scopes'>, scope: Scope): boolean {
  return identity.scopes.includes('admin') || identity.scopes.includes(scope);
}
