/**
 * What the release commands share: the server flags, the first requests (a Vault/Strata API, the
 * token's name and scopes, checked before anything is written), the target line first on stderr,
 * confirmation before a change, and the server's refusals as command errors.
 */
import { createInterface } from 'node:readline/promises';
import { Flags } from '@oclif/core';
import { StrataCommand } from '../base.js';
import type { Target, TargetFlags } from '../config/config.js';
import { RequestError, type VaultClient } from '../client/client.js';
import { checkApi, requireScopes, tokenIdentity, type TokenIdentity } from '../client/preflight.js';
import { serverFlags } from '../deploy/flags.js';
import { StrataError } from '../errors.js';
import { connect } from '../ledger/remote.js';
import { displayUrl } from '../config/target.js';
import { targetLine } from '../ui/target.js';

/** The server flags release commands take (no journal: nothing here is journaled). */
export const releaseServerFlags = (() => {
  const { 'journal-dir': _j, 'data-dir': _d, ...rest } = serverFlags;
  return rest;
})();

export const confirmFlags = {
  yes: Flags.boolean({
    char: 'y',
    description: 'Do it without asking (required without a terminal).',
  }),
};

export interface ReleaseSession {
  client: VaultClient;
  target: Target;
  identity: TokenIdentity;
}

type CommandFlags = TargetFlags & { config?: string | undefined; quiet?: boolean };

/** An API failure as the command error it is. */
function releaseError(err: unknown, target: Target, scopes: readonly string[]): unknown {
  if (!(err instanceof RequestError)) return err;
  const url = displayUrl(target.url);
  if (err.status === 0) {
    return new StrataError(
      err.code === 'TLS_ERROR' ? 'E_TLS' : 'E_UNREACHABLE',
      `cannot reach ${url}: ${err.detail}`,
      'check --url / the environment, and that the server is running',
    );
  }
  const byCode: Record<string, () => StrataError> = {
    UNAUTHENTICATED: () =>
      new StrataError(
        'E_AUTH',
        `${url} refused the token from ${target.tokenSource} (401)`,
        'check the token',
      ),
    PERMISSION_DENIED: () =>
      new StrataError(
        'E_SCOPE',
        `the token from ${target.tokenSource} lacks a scope at ${url}: ${err.detail}`,
        `use a token with ${scopes.join(', ')}`,
      ),
    SAME_ACTOR_APPROVAL: () =>
      new StrataError(
        'E_SAME_ACTOR',
        err.detail,
        'another person approves or rejects it, with their own token',
      ),
    STALE_ACTIVATION: () =>
      new StrataError('E_STALE_ACTIVATION', err.detail, 'strata reject it, then strata activate again'),
    ALREADY_DECIDED: () =>
      new StrataError('E_ALREADY_DECIDED', err.detail, 'strata approvals --all lists decisions'),
    NOT_FOUND: () => new StrataError('E_NOT_FOUND', err.detail),
  };
  const known = byCode[err.code];
  if (known) return known();
  const where = err.fieldViolations.map((v) => `${v.field}: ${v.description}`).join('; ');
  return new StrataError('E_API', `${err.code}: ${err.detail}${where === '' ? '' : ` (${where})`}`);
}

export abstract class ReleaseCommand extends StrataCommand {
  /** Resolves the target, checks the API and scopes, says the target on stderr, runs `fn`. */
  protected async withSession<T>(
    flags: CommandFlags,
    scopes: readonly string[],
    why: string,
    fn: (session: ReleaseSession) => Promise<T>,
  ): Promise<T> {
    const target = this.target(flags);
    const client = connect(target);
    try {
      await checkApi(client, target);
      const identity = await tokenIdentity(client, target);
      if (!flags.quiet) this.note(targetLine(target, identity));
      requireScopes(identity, scopes, target, why);
      return await fn({ client, target, identity });
    } catch (err) {
      throw releaseError(err, target, scopes);
    } finally {
      await client.close();
    }
  }

  /**
   * Asks on the terminal (stdin and stderr); without one, `--yes` is required (exit 64, nothing
   * done). Resolves false when the person declines.
   */
  protected async confirm(question: string, yes: boolean | undefined): Promise<boolean> {
    if (yes === true) return true;
    if (process.stdin.isTTY !== true || process.stderr.isTTY !== true) {
      throw new StrataError(
        'E_CONFIRM',
        `${question} needs confirmation, and there is no terminal to ask on; nothing was done`,
        'pass --yes',
      );
    }
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
      const answer = await rl.question(`${question} [y/N] `);
      return /^(y|yes)$/i.test(answer.trim());
    } finally {
      rl.close();
    }
  }
}
