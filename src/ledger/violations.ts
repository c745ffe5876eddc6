/**
 * Business-rule violations: a batch that breaks a rule of ledger.md 3 is stored REJECTED with
 * these on its instructions (never an HTTP error). The names follow Vault's PostingViolationType
 * and AccountViolationType; those marked "Strata" have no Vault equivalent because Vault leaves the
 * rule to contract code or does not have it.
 */

export const POSTING_VIOLATIONS = {
  POSTING_VIOLATION_CLIENT_TRANSACTION_ALREADY_EXISTS:
    'An authorisation, hard settlement or transfer names a client_transaction_id already used by this client_id.',
  POSTING_VIOLATION_CLIENT_TRANSACTION_DOES_NOT_EXIST:
    'An adjustment, settlement or release names a client transaction that does not exist for this client_id.',
  POSTING_VIOLATION_CLIENT_TRANSACTION_CLOSED:
    'The client transaction was closed (final settlement, release, hard settlement or transfer).',
  POSTING_VIOLATION_CLIENT_TRANSACTION_INVALID_OPERATION:
    "The instruction does not fit the transaction: adjusting after a settlement, mixing custom and other instructions, or a value time before the transaction's latest.",
  POSTING_VIOLATION_ADJUSTMENT_YIELDS_AUTHORISATION_WITH_NEGATIVE_AMOUNT:
    'The adjustment would leave the authorisation below zero.',
  POSTING_VIOLATION_SETTLEMENT_EXCEEDS_AUTHORISATION:
    'Strata: the settlement is more than remains authorised and is not an advice.',
  POSTING_VIOLATION_VALUE_TIMESTAMP_IN_FUTURE:
    'Strata: the batch value_timestamp is later than the server clock (only backdating is allowed).',
  POSTING_VIOLATION_BALANCE_OUT_OF_RANGE:
    "Strata: a balance total would exceed the ledger's range of 2^63 - 1 minor units.",
} as const;

export const ACCOUNT_VIOLATIONS = {
  ACCOUNT_VIOLATION_ACCOUNT_NOT_PRESENT:
    'The account does not exist (neither a customer nor an internal account).',
  ACCOUNT_VIOLATION_ACCOUNT_STATUS_INVALID: 'The account is not open (pending or closed).',
  ACCOUNT_VIOLATION_UNSUPPORTED_DENOMINATION:
    "The denomination is not among the customer account's permitted denominations.",
  ACCOUNT_VIOLATION_VALUE_TIMESTAMP_BEFORE_OPENING: "Strata: the value time is before the account's opening.",
  ACCOUNT_VIOLATION_INSUFFICIENT_FUNDS:
    "Strata (in Vault the contract's pre-posting check): the outbound instruction would take the customer account's available balance below zero and is not an advice.",
} as const;

export type PostingViolationType = keyof typeof POSTING_VIOLATIONS;
export type AccountViolationType = keyof typeof ACCOUNT_VIOLATIONS;

export interface PostingViolation {
  type: PostingViolationType;
}

export interface AccountViolation {
  accountId: string;
  type: AccountViolationType;
}
