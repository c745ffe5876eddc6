/** The API's objects, as far as the console reads them. */
export interface VersionNumber {
  major: number;
  minor: number;
  patch: number;
  label: string;
}

export interface Product {
  id: string;
  display_name: string;
  current_version_id: string;
  is_internal: boolean;
  create_timestamp: string;
}

export interface ProductVersion {
  id: string;
  product_id: string;
  display_name: string;
  display_version_number?: VersionNumber;
  create_timestamp: string;
  summary?: string;
  created_by?: string;
}

export interface Activation {
  id: string;
  product_id?: string;
  workflow_definition_id?: string;
  from_version_id: string;
  to_version_id: string;
  actor: string;
  reason: string;
  cause?: string;
  approved_by?: string;
  create_timestamp: string;
}

export interface ActivationRequest {
  id: string;
  status: string;
  product_id?: string;
  workflow_definition_id?: string;
  from_version_id: string;
  to_version_id: string;
  reason: string;
  requested_by: string;
  create_timestamp: string;
  decided_by?: string;
  decision_reason?: string;
}

export interface Account {
  id: string;
  name: string;
  product_id: string;
  product_version_id: string;
  permitted_denominations: string[];
  status: string;
  opening_timestamp: string;
  closing_timestamp: string | null;
  stakeholder_ids: string[];
}

export interface Posting {
  credit: boolean;
  amount: string;
  denomination: string;
  account_id: string;
  account_address: string;
  asset: string;
  phase: string;
}

export interface PostingInstruction {
  id: string;
  client_transaction_id: string;
  committed_postings: Posting[];
  [kind: string]: unknown;
}

export interface Batch {
  id: string;
  client_id: string;
  client_batch_id: string;
  value_timestamp: string;
  insertion_timestamp: string;
  status: string;
  posting_instructions: PostingInstruction[];
}

export interface LedgerEvent {
  sequence: number;
  topic: string;
  key: string;
  timestamp: string;
  payload: Record<string, unknown>;
}
