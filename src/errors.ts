/**
 * Errors that end a command, and their catalog. Every code a command can end with is here, with
 * the exit code it maps to and a one-line meaning (the README's table is checked against it); the
 * one error boundary (`StrataCommand.catch`) prints message and hint, or the JSON error result,
 * and exits. `E_INTERNAL` is kept for bugs: an ordinary mistake has a code of its own.
 */
export const EXIT = {
  OK: 0,
  INVALID: 1,
  FAILURE: 1,
  CHANGES: 2,
  PARTIAL: 2,
  UNREACHABLE: 3,
  /** Release: left pending another actor's approval (four-eyes). */
  PENDING: 4,
  USAGE: 64,
  INTERRUPTED: 130,
} as const;

export const CLI_ERRORS = {
  E_USAGE: {
    exit: EXIT.USAGE,
    doc: 'Unknown command or flag, bad flag value, missing or extra argument; the hint names the nearest valid spelling.',
  },
  E_CONFIG: {
    exit: EXIT.INVALID,
    doc: 'The config file does not parse or does not satisfy schemas/config.schema.json.',
  },
  E_CONFIG_SECRET: {
    exit: EXIT.INVALID,
    doc: 'The config file holds a literal secret (token, auth_token, password...); name the variable that holds it instead (token_env).',
  },
  E_CONFIG_NOT_FOUND: {
    exit: EXIT.USAGE,
    doc: '--config or STRATA_CONFIG names a file that does not exist.',
  },
  E_ENV_UNKNOWN: {
    exit: EXIT.USAGE,
    doc: 'The environment selected by --env or STRATA_ENV is not in the config file.',
  },
  E_ENV_VALUE: {
    exit: EXIT.USAGE,
    doc: 'An environment variable holds a value that cannot be read (STRATA_ACTIVATE_ON_IMPORT=maybe).',
  },
  E_TARGET_CONFLICT: {
    exit: EXIT.USAGE,
    doc: 'An ambient STRATA_URL/CLU_CORE_API or token variable disagrees with the selected environment; unset it or pass it as a flag.',
  },
  E_URL_MISSING: {
    exit: EXIT.USAGE,
    doc: 'A server-facing command has no server URL (--url, STRATA_URL or an environment).',
  },
  E_URL_INVALID: {
    exit: EXIT.USAGE,
    doc: 'The server URL is not an http(s) URL of a server root (no path such as /v1, no query).',
  },
  E_TOKEN_FILE: { exit: EXIT.USAGE, doc: 'The --auth-token-file cannot be read, or is empty.' },
  E_TOKEN_INVALID: {
    exit: EXIT.USAGE,
    doc: 'The token holds a line break, a space or a control character (a token file with a second line); it is never shown.',
  },
  E_CA_FILE: { exit: EXIT.USAGE, doc: 'The CA file named by --ca-file or ca_file cannot be read.' },
  E_AUTH_MISSING: { exit: EXIT.UNREACHABLE, doc: 'No token to authenticate with.' },
  E_AUTH: { exit: EXIT.UNREACHABLE, doc: 'The server refused the token (401).' },
  E_SCOPE: {
    exit: EXIT.UNREACHABLE,
    doc: 'The token lacks a scope the command needs (checked before anything is written); the message names it.',
  },
  E_UNREACHABLE: {
    exit: EXIT.UNREACHABLE,
    doc: 'No answer from the server: connection refused, unknown host, timeout, or a connection closed before answering.',
  },
  E_TLS: {
    exit: EXIT.UNREACHABLE,
    doc: 'The TLS handshake failed: a certificate that does not verify (see --ca-file), or https:// to a plain-HTTP server.',
  },
  E_NOT_VAULT_API: {
    exit: EXIT.UNREACHABLE,
    doc: 'The URL answers, but not as a Vault/Strata API (404, HTML or non-JSON for GET /v1/vault-version).',
  },
  E_SERVER: {
    exit: EXIT.UNREACHABLE,
    doc: 'The server answered the first request with an error of its own (5xx).',
  },
  E_NOT_FOUND: {
    exit: EXIT.FAILURE,
    doc: 'The server has no object with that id (ledger commands: account, batch).',
  },
  E_API: {
    exit: EXIT.FAILURE,
    doc: "The server refused a request for a reason of the request's own (the message starts with the server's code: INVALID_ARGUMENT...).",
  },
  E_CONFIRM: {
    exit: EXIT.USAGE,
    doc: 'A change that asks for confirmation ran without a terminal to ask on; pass --yes (nothing was done).',
  },
  E_NO_ROLLBACK: {
    exit: EXIT.FAILURE,
    doc: 'rollback: the product or workflow has had one active version only, so there is nothing to roll back to.',
  },
  E_SAME_ACTOR: {
    exit: EXIT.UNREACHABLE,
    doc: 'Four-eyes: the server refused to let the actor who requested an activation approve or reject it; another person approves.',
  },
  E_STALE_ACTIVATION: {
    exit: EXIT.FAILURE,
    doc: 'Four-eyes: someone activated another version since the request was made; reject it and request again.',
  },
  E_ALREADY_DECIDED: {
    exit: EXIT.FAILURE,
    doc: 'Four-eyes: the activation request was already approved or rejected.',
  },
  E_RESUME: {
    exit: EXIT.USAGE,
    doc: '--resume names no run (or there is no run to resume under --journal-dir).',
  },
  E_OUTPUT_CONFLICT: {
    exit: EXIT.USAGE,
    doc: 'Two outputs asked for the same stream (--events - with a JSON result on stdout).',
  },
  E_OUTPUT_FILE: { exit: EXIT.USAGE, doc: 'A report file (--junit, --events) cannot be created.' },
  E_STORAGE: { exit: EXIT.FAILURE, doc: 'The server storage (--data-dir or --database) cannot be opened.' },
  E_LISTEN: {
    exit: EXIT.FAILURE,
    doc: 'The server cannot listen on --host/--port (in use, or not allowed).',
  },
  E_SHUTDOWN: { exit: EXIT.FAILURE, doc: 'The server did not shut down cleanly.' },
  E_INTERNAL: {
    exit: EXIT.FAILURE,
    doc: 'A bug in strata: the message carries the stack; please report it.',
  },
} as const satisfies Record<string, { exit: number; doc: string }>;

export type CliErrorCode = keyof typeof CLI_ERRORS;

export class StrataError extends Error {
  readonly exitCode: number;

  constructor(
    readonly code: CliErrorCode,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'StrataError';
    this.exitCode = CLI_ERRORS[code].exit;
  }
}

export class UsageError extends StrataError {
  constructor(message: string, hint?: string) {
    super('E_USAGE', message, hint);
  }
}

/** The error part of every JSON result (schemas/error-result.schema.json). */
export interface ErrorJson {
  code: CliErrorCode;
  message: string;
  hint?: string;
  exit_code: number;
}

export function errorJson(err: StrataError): ErrorJson {
  return {
    code: err.code,
    message: err.message,
    ...(err.hint !== undefined ? { hint: err.hint } : {}),
    exit_code: err.exitCode,
  };
}
