/** The line every server-facing command prints first on stderr: where it goes, with which token. */
import { displayUrl, type Target } from '../config/target.js';
import type { TokenIdentity } from '../client/preflight.js';

export function targetLine(target: Target, token: TokenIdentity | null): string {
  const where =
    target.environment !== null && target.urlSource === '--url'
      ? `${displayUrl(target.url)} (--url, environment ${target.environment})`
      : target.environment !== null
        ? `${target.environment} ${displayUrl(target.url)}`
        : displayUrl(target.url);
  const scopes =
    token === null
      ? ''
      : token.scopes === null
        ? ', scopes not reported: the server has no GET /v1/tokens/self, so a missing scope shows as requests fail'
        : `, scopes ${token.scopes.join(', ') || 'none'}`;
  const name = token?.name ? ` "${token.name}"` : '';
  return `target: ${where} (token ${target.tokenSource}${name}${scopes})`;
}
