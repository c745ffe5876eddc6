/**
 * API tokens: random secrets handed out once, stored only as SHA-256 hashes, each with scopes.
 * Deny by default: a route names the scope it needs; `admin` holds every scope.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { sha256Hex } from '../util/canonical.js';
import type { Storage, TokenRecord } from '../storage/types.js';

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

export const TOKEN_PREFIX = 'strata_';

export function generateToken(): string {
  return `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

export function hashToken(token: string): string {
  return sha256Hex(token);
}

export function hasScope(token: Pick<TokenRecord, 'scopes'>, scope: Scope): boolean {
  return token.scopes.includes('admin') || token.scopes.includes(scope);
}

/** Stores a new token's hash; returns the token (shown once) and its record. */
export async function issueToken(
  storage: Storage,
  options: { scopes: Scope[]; name: string; token?: string; now?: number },
): Promise<{ token: string; record: TokenRecord }> {
  const token = options.token ?? generateToken();
  const record: TokenRecord = {
    id: randomUUID(),
    name: options.name,
    hash: hashToken(token),
    scopes: [...new Set(options.scopes)].sort(),
    createdAt: options.now ?? Date.now(),
  };
  await storage.write((tx) => tx.tokens.insert(record));
  return { token, record };
}

/**
 * At start: makes sure an admin token exists. With `STRATA_BOOTSTRAP_TOKEN` that token is
 * registered (once; later starts find it); otherwise the first start of an empty store generates
 * one. Returns the generated token (to print once), or undefined.
 */
export async function bootstrapAdminToken(
  storage: Storage,
  fromEnvironment: string | undefined,
): Promise<{ generated?: string; registered: boolean }> {
  if (fromEnvironment !== undefined && fromEnvironment !== '') {
    const hash = hashToken(fromEnvironment);
    const known = await storage.read((tx) => tx.tokens.findByHash(hash));
    if (known) return { registered: false };
    await issueToken(storage, {
      scopes: ['admin'],
      name: 'bootstrap (STRATA_BOOTSTRAP_TOKEN)',
      token: fromEnvironment,
    });
    return { registered: true };
  }
  const count = await storage.read((tx) => tx.tokens.count());
  if (count > 0) return { registered: false };
  const { token } = await issueToken(storage, { scopes: ['admin'], name: 'bootstrap' });
  return { generated: token, registered: true };
}

/** Token lookups by hash, cached briefly so that reads do not cost a storage round trip each. */
export class TokenCache {
  readonly #entries = new Map<string, { record: TokenRecord; expires: number }>();

  constructor(
    private readonly storage: Storage,
    private readonly ttlMs = 10_000,
    private readonly maxEntries = 10_000,
  ) {}

  async lookup(token: string): Promise<TokenRecord | undefined> {
    const hash = hashToken(token);
    const now = Date.now();
    const hit = this.#entries.get(hash);
    if (hit && hit.expires > now) return hit.record;
    const record = await this.storage.read((tx) => tx.tokens.findByHash(hash));
    if (record) {
      if (this.#entries.size >= this.maxEntries) this.#entries.clear();
      this.#entries.set(hash, { record, expires: now + this.ttlMs });
    }
    return record;
  }
}
