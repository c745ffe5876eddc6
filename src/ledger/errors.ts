/**
 * Errors of the ledger core. `LedgerInputError` is a malformed request (HTTP 400 with the code
 * and the field at fault); the server maps it into its error catalog. `LedgerInvariantError` is a
 * bug: the core was about to store something that breaks an invariant (never the client's fault).
 */

export type LedgerInputCode =
  'INVALID_ARGUMENT' | 'INVALID_AMOUNT' | 'AMOUNT_PRECISION' | 'UNBALANCED_POSTINGS';

export interface LedgerFieldViolation {
  /** Path in the request body, e.g. `posting_instruction_batch.posting_instructions[0].transfer.amount`. */
  field: string;
  description: string;
}

export class LedgerInputError extends Error {
  readonly fieldViolations: LedgerFieldViolation[];

  constructor(
    readonly code: LedgerInputCode,
    field: string,
    description: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(`${field}: ${description}`);
    this.name = 'LedgerInputError';
    this.fieldViolations = [{ field, description }];
  }
}

export class LedgerInvariantError extends Error {
  constructor(message: string) {
    super(`ledger invariant broken (a bug): ${message}`);
    this.name = 'LedgerInvariantError';
  }
}
