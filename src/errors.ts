/**
 * Errors that end a command. Each carries a stable code and the exit code it maps to; the one
 * error boundary (the oclif `catch` of the base command) prints message and hint and exits.
 */
export const EXIT = {
  OK: 0,
  INVALID: 1,
  FAILURE: 1,
  CHANGES: 2,
  PARTIAL: 2,
  UNREACHABLE: 3,
  USAGE: 64,
  INTERRUPTED: 130,
} as const;

export class StrataError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode: number = EXIT.FAILURE,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'StrataError';
  }
}

export class UsageError extends StrataError {
  constructor(message: string, hint?: string) {
    super('E_USAGE', message, EXIT.USAGE, hint);
  }
}
