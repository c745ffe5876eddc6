/**
 * The first requests of every server-facing command, before anything is written: is this a
 * Vault/Strata API, does it accept the token, does the token hold the scopes the command needs
 * (GET /v1/tokens/self). Each way it can fail is an error of its own (exit 3), never E_INTERNAL.
 */
import { connect as tlsConnect } from 'node:tls';
import { StrataError } from '../errors.js';
import { displayUrl } from '../config/target.js';
import { isRecord } from '../util/record.js';
import { RequestError, type VaultClient } from './client.js';

/** Who the server says the token is; `scopes` null when the server does not say (no tokens/self). */
export interface TokenIdentity {
  name: string | null;
  scopes: string[] | null;
}

export interface PreflightTarget {
  url: string;
  tokenSource: string;
}

const NOT_AN_API_HINT = (url: string): string =>
  /\/v\d+$/.test(url)
    ? `the URL ends in ${/\/v\d+$/.exec(url)?.[0]}: strata adds /v1 itself; give the server root`
    : 'give the root URL of a Vault configuration API or a strata server (strata server start)';

/** True when a TLS handshake succeeds at the URL's host and port: an http:// URL of an HTTPS server. */
export function speaksTls(url: string, timeoutMs = 2000): Promise<boolean> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const socket = tlsConnect({
      host: u.hostname,
      port: Number(u.port || 80),
      servername: u.hostname,
      rejectUnauthorized: false,
      timeout: timeoutMs,
    });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('secureConnect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

function transportError(err: RequestError, target: PreflightTarget): StrataError {
  const url = displayUrl(target.url);
  if (err.code === 'TLS_ERROR') {
    const plain = /WRONG_VERSION_NUMBER|wrong version number/i.test(err.detail);
    return new StrataError(
      'E_TLS',
      plain
        ? `${url}: the server does not speak HTTPS`
        : `${url}: TLS handshake failed (${err.detail.split('\n')[0]})`,
      plain
        ? `use ${url.replace(/^https:/, 'http:')}`
        : 'pass the CA that signed the server certificate with --ca-file (or ca_file in the config file)',
    );
  }
  return new StrataError(
    'E_UNREACHABLE',
    `cannot reach ${url}: ${err.code === 'TIMEOUT' ? 'timed out' : err.detail}`,
    'check --url / the environment, and that the server is running',
  );
}

function httpError(err: RequestError, target: PreflightTarget, needed: string): StrataError {
  const url = displayUrl(target.url);
  if (err.status === 401)
    return new StrataError(
      'E_AUTH',
      `${url} refused the token from ${target.tokenSource} (401 ${err.code})`,
      'check the token: strata server token create issues one',
    );
  if (err.status === 403)
    return new StrataError(
      'E_SCOPE',
      `the token from ${target.tokenSource} lacks the scope ${needed} at ${url}`,
      `use a token with scope ${needed} (strata server token create --scope ${needed})`,
    );
  if (err.status >= 300 && err.status < 400)
    return new StrataError(
      'E_NOT_VAULT_API',
      `${url} answered GET /v1/vault-version with ${err.status}: ${err.detail}`,
      'give the URL the server redirects to (--url, or the environment), its root without /v1',
    );
  if (err.status === 404 || err.code.startsWith('HTTP_'))
    return new StrataError(
      'E_NOT_VAULT_API',
      `${url} is not a Vault/Strata API (GET /v1/vault-version: ${err.status} ${err.code === `HTTP_${err.status}` ? '' : err.code})`.replace(
        / \)$/,
        ')',
      ),
      NOT_AN_API_HINT(target.url),
    );
  return new StrataError(
    'E_SERVER',
    `${url} answered GET /v1/vault-version with ${err.status} ${err.code}: ${err.detail}`,
    'the server is failing; its log has the cause',
  );
}

/** GET /v1/vault-version: a Vault/Strata API that accepts the token, or an error saying which not. */
export async function checkApi(client: VaultClient, target: PreflightTarget): Promise<void> {
  let body: unknown;
  try {
    // One attempt first: a plain-HTTP request to an HTTPS server is closed without an answer, which
    // retries would only repeat.
    body = (await client.request('GET', '/v1/vault-version', undefined, { retries: 0 })).body;
  } catch (first) {
    if (!(first instanceof RequestError)) throw first;
    if (first.status === 0 && first.code === 'CONNECTION_RESET' && target.url.startsWith('http:')) {
      if (await speaksTls(target.url))
        throw new StrataError(
          'E_TLS',
          `${displayUrl(target.url)}: the server speaks HTTPS`,
          `use ${displayUrl(target.url).replace(/^http:/, 'https:')}`,
        );
    }
    if (first.status !== 0 && first.status < 500) throw httpError(first, target, 'read');
    if (first.code === 'TLS_ERROR') throw transportError(first, target);
    try {
      body = (await client.request('GET', '/v1/vault-version')).body;
    } catch (err) {
      if (!(err instanceof RequestError)) throw err;
      throw err.status === 0 ? transportError(err, target) : httpError(err, target, 'read');
    }
  }
  if (!isRecord(body) || !isRecord(body.version)) {
    throw new StrataError(
      'E_NOT_VAULT_API',
      `${displayUrl(target.url)} is not a Vault/Strata API (GET /v1/vault-version answered ${typeof body === 'string' ? 'text, not JSON' : 'JSON without a version'})`,
      NOT_AN_API_HINT(target.url),
    );
  }
}

/** GET /v1/tokens/self: the token's name and scopes, or nulls from a server without the endpoint. */
export async function tokenIdentity(client: VaultClient, target: PreflightTarget): Promise<TokenIdentity> {
  let body: unknown;
  try {
    body = (await client.request('GET', '/v1/tokens/self')).body;
  } catch (err) {
    if (err instanceof RequestError && err.status === 404) return { name: null, scopes: null };
    if (err instanceof RequestError)
      throw err.status === 0 ? transportError(err, target) : httpError(err, target, 'read');
    throw err;
  }
  const token = isRecord(body) && isRecord(body.token) ? body.token : body;
  if (!isRecord(token) || !Array.isArray(token.scopes)) return { name: null, scopes: null };
  return {
    name: typeof token.name === 'string' ? token.name : null,
    scopes: token.scopes.filter((s): s is string => typeof s === 'string'),
  };
}

/** The scopes of `needed` the token lacks (`admin` holds every scope). */
export function missingScopes(identity: TokenIdentity, needed: readonly string[]): string[] {
  if (identity.scopes === null || identity.scopes.includes('admin')) return [];
  return needed.filter((s) => !identity.scopes!.includes(s));
}

/** Fails with E_SCOPE (exit 3) when the token lacks a scope the command needs, before any write. */
export function requireScopes(
  identity: TokenIdentity,
  needed: readonly string[],
  target: PreflightTarget,
  why: string,
): void {
  const missing = missingScopes(identity, needed);
  if (missing.length === 0) return;
  throw new StrataError(
    'E_SCOPE',
    `the token from ${target.tokenSource}${identity.name ? ` (${identity.name})` : ''} lacks the scope${missing.length === 1 ? '' : 's'} ${missing.join(', ')} ${why}; it has ${identity.scopes!.join(', ') || 'none'}`,
    `use a token with ${missing.map((s) => `--scope ${s}`).join(' ')} (strata server token create), nothing was written`,
  );
}
