/**
 * The ledger's tables (src/ledger/DESIGN.md), one migration in the shared list. Money columns are
 * 64-bit integers of minor units; booleans are 0/1 integers (SQLite binds no booleans).
 */
import type { Migration } from './migrations.js';

export const LEDGER_MIGRATION: Migration = {
  version: 3,
  name: 'ledger: customers, accounts, batches, postings, balances with entries and checkpoints, client transactions',
  sql: (t) => `
    CREATE TABLE ledger_customers (
      seq ${t.serialKey},
      id TEXT NOT NULL UNIQUE,
      body TEXT NOT NULL,
      created_at ${t.bigint} NOT NULL
    );
    CREATE TABLE ledger_accounts (
      seq ${t.serialKey},
      id TEXT NOT NULL UNIQUE,
      internal INTEGER NOT NULL,
      status TEXT NOT NULL,
      tside TEXT NOT NULL,
      product_id TEXT,
      product_version_id TEXT,
      permitted_denominations TEXT NOT NULL,
      opening_time ${t.bigint} NOT NULL,
      stakeholder_ids TEXT NOT NULL,
      body TEXT NOT NULL,
      created_at ${t.bigint} NOT NULL
    );
    CREATE INDEX ledger_accounts_product ON ledger_accounts (product_id, seq);
    CREATE TABLE ledger_stakeholders (
      customer_id TEXT NOT NULL,
      account_seq ${t.bigint} NOT NULL,
      PRIMARY KEY (customer_id, account_seq)
    );
    CREATE TABLE ledger_batches (
      seq ${t.serialKey},
      id TEXT NOT NULL UNIQUE,
      request_id TEXT NOT NULL UNIQUE,
      client_id TEXT NOT NULL,
      client_batch_id TEXT NOT NULL,
      status TEXT NOT NULL,
      value_time ${t.bigint} NOT NULL,
      insertion_time ${t.bigint} NOT NULL,
      body TEXT NOT NULL
    );
    CREATE INDEX ledger_batches_client_batch ON ledger_batches (client_batch_id, seq);
    CREATE INDEX ledger_batches_insertion ON ledger_batches (insertion_time, seq);
    CREATE TABLE ledger_postings (
      seq ${t.serialKey},
      batch_seq ${t.bigint} NOT NULL,
      instruction_index INTEGER NOT NULL,
      client_id TEXT NOT NULL,
      client_transaction_id TEXT NOT NULL,
      account_id TEXT NOT NULL,
      account_address TEXT NOT NULL,
      asset TEXT NOT NULL,
      denomination TEXT NOT NULL,
      phase TEXT NOT NULL,
      credit INTEGER NOT NULL,
      amount ${t.bigint} NOT NULL,
      value_time ${t.bigint} NOT NULL
    );
    CREATE INDEX ledger_postings_account ON ledger_postings (account_id, batch_seq);
    CREATE INDEX ledger_postings_batch ON ledger_postings (batch_seq);
    CREATE TABLE ledger_balances (
      dim_seq ${t.serialKey},
      account_id TEXT NOT NULL,
      account_address TEXT NOT NULL,
      asset TEXT NOT NULL,
      denomination TEXT NOT NULL,
      phase TEXT NOT NULL,
      total_debit ${t.bigint} NOT NULL,
      total_credit ${t.bigint} NOT NULL,
      last_batch_id TEXT NOT NULL,
      last_value_time ${t.bigint} NOT NULL,
      since_checkpoint ${t.bigint} NOT NULL,
      UNIQUE (account_id, account_address, asset, denomination, phase)
    );
    CREATE TABLE ledger_balance_entries (
      dim_seq ${t.bigint} NOT NULL,
      value_time ${t.bigint} NOT NULL,
      batch_seq ${t.bigint} NOT NULL,
      batch_id TEXT NOT NULL,
      debit ${t.bigint} NOT NULL,
      credit ${t.bigint} NOT NULL,
      PRIMARY KEY (dim_seq, value_time, batch_seq)
    );
    CREATE TABLE ledger_balance_checkpoints (
      dim_seq ${t.bigint} NOT NULL,
      value_time ${t.bigint} NOT NULL,
      batch_seq ${t.bigint} NOT NULL,
      batch_id TEXT NOT NULL,
      total_debit ${t.bigint} NOT NULL,
      total_credit ${t.bigint} NOT NULL,
      PRIMARY KEY (dim_seq, value_time, batch_seq)
    );
    CREATE TABLE ledger_client_transactions (
      client_id TEXT NOT NULL,
      client_transaction_id TEXT NOT NULL,
      kind TEXT NOT NULL,
      status TEXT NOT NULL,
      target_account_id TEXT,
      internal_account_id TEXT,
      account_address TEXT NOT NULL,
      asset TEXT NOT NULL,
      denomination TEXT,
      authorised ${t.bigint} NOT NULL,
      settled ${t.bigint} NOT NULL,
      pending ${t.bigint} NOT NULL,
      value_time ${t.bigint} NOT NULL,
      PRIMARY KEY (client_id, client_transaction_id)
    );
  `,
};
