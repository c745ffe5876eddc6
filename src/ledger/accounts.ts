/**
 * Customers and accounts (ledger.md 2): request parsing, the account status rules, and the
 * contract's tside. Checks that need state (stakeholders exist, the product version exists and is
 * not internal, balances are zero before closing) are made by the service inside its transaction,
 * with the helpers here deciding what the state means.
 */
import { describe, FieldReader } from './fields.js';
import type { JsonValue } from './json.js';
import { isDenominationCode, type Denominations } from './money.js';
import { netAmount, type AccountStatus, type BalanceTotals, type Tside } from './types.js';

export const CUSTOMER_STATUSES = [
  'CUSTOMER_STATUS_ACTIVE',
  'CUSTOMER_STATUS_PROSPECT',
  'CUSTOMER_STATUS_INACTIVE',
  'CUSTOMER_STATUS_DECEASED',
] as const;
export type CustomerStatus = (typeof CUSTOMER_STATUSES)[number];

/** Most stakeholders and permitted denominations on one account. */
export const MAX_STAKEHOLDERS = 16;
export const MAX_DENOMINATIONS = 16;

export interface CustomerRequest {
  requestId: string;
  id: string;
  status: CustomerStatus;
  customerDetails: Record<string, string>;
}

export interface AccountRequest {
  requestId: string;
  /** Absent: the service generates one. */
  id: string | undefined;
  name: string;
  product: { productId: string } | { productVersionId: string };
  stakeholderIds: string[];
  permittedDenominations: string[];
  status: 'ACCOUNT_STATUS_OPEN' | 'ACCOUNT_STATUS_PENDING';
  openingTime: number | undefined;
  instanceParamVals: Record<string, string>;
  details: Record<string, string>;
}

export interface AccountUpdateRequest {
  requestId: string;
  status: 'ACCOUNT_STATUS_OPEN' | 'ACCOUNT_STATUS_CLOSED' | undefined;
  details: Record<string, string> | undefined;
}

function oneOf<T extends string>(r: FieldReader, key: string, allowed: readonly T[], fallback: T): T {
  const v = r.optionalString(key);
  if (v === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(v)) r.fail(key, `must be one of ${allowed.join(', ')}`);
  return v as T;
}

export function parseCustomerRequest(body: JsonValue): CustomerRequest {
  const top = FieldReader.of(body, '');
  const requestId = top.id('request_id');
  const c = top.reader('customer');
  top.done();
  const request: CustomerRequest = {
    requestId,
    id: c.id('id'),
    status: oneOf(c, 'status', CUSTOMER_STATUSES, 'CUSTOMER_STATUS_ACTIVE'),
    customerDetails: c.stringMap('customer_details'),
  };
  c.done();
  return request;
}

export function parseAccountRequest(
  body: JsonValue,
  denominations: Denominations,
  now: number,
): AccountRequest {
  const top = FieldReader.of(body, '');
  const requestId = top.id('request_id');
  const a = top.reader('account');
  top.done();
  const productId = a.optionalId('product_id');
  const productVersionId = a.optionalId('product_version_id');
  if ((productId === undefined) === (productVersionId === undefined)) {
    a.fail(
      'product_id',
      'give exactly one of product_id (opens on its current version) and product_version_id',
    );
  }
  const openingTime = a.optionalTimestamp('opening_timestamp');
  if (openingTime !== undefined && openingTime > now) {
    a.fail('opening_timestamp', 'is in the future; an account opens now or in the past');
  }
  const request: AccountRequest = {
    requestId,
    id: a.optionalId('id'),
    name: a.optionalString('name') ?? '',
    product: productId !== undefined ? { productId } : { productVersionId: productVersionId as string },
    stakeholderIds: readIds(a, 'stakeholder_ids', MAX_STAKEHOLDERS),
    permittedDenominations: readDenominations(a, denominations),
    status: oneOf(
      a,
      'status',
      ['ACCOUNT_STATUS_OPEN', 'ACCOUNT_STATUS_PENDING'] as const,
      'ACCOUNT_STATUS_OPEN',
    ),
    openingTime,
    instanceParamVals: a.stringMap('instance_param_vals'),
    details: a.stringMap('details'),
  };
  a.done();
  return request;
}

function readIds(r: FieldReader, key: string, max: number): string[] {
  if (!r.has(key)) {
    r.raw(key);
    return [];
  }
  const items = r.array(key, { min: 0, max });
  const ids = items.map((v, i) => {
    if (typeof v !== 'string') r.fail(`${key}[${i}]`, `must be a string, got ${describe(v)}`);
    return v;
  });
  const duplicate = ids.find((id, i) => ids.indexOf(id) !== i);
  if (duplicate !== undefined) r.fail(key, `lists "${duplicate}" twice`);
  return ids;
}

function readDenominations(r: FieldReader, denominations: Denominations): string[] {
  const key = 'permitted_denominations';
  const codes = readIds(r, key, MAX_DENOMINATIONS);
  if (codes.length === 0) r.fail(key, 'needs at least one denomination, e.g. ["GBP"]');
  codes.forEach((code, i) => {
    if (!isDenominationCode(code))
      r.fail(`${key}[${i}]`, `"${code.slice(0, 40)}" is not a denomination code (upper case, e.g. GBP)`);
    if (denominations.exponent(code) === undefined) {
      r.fail(
        `${key}[${i}]`,
        `unknown denomination ${code}: start the server with --denomination ${code}=EXPONENT`,
      );
    }
  });
  return codes;
}

const UPDATABLE = ['status', 'details'] as const;

/** `PUT /v1/accounts/{id}`: `{request_id, account: {...}, update_mask: {paths: [...]}}`. */
export function parseAccountUpdate(body: JsonValue): AccountUpdateRequest {
  const top = FieldReader.of(body, '');
  const requestId = top.id('request_id');
  const account: FieldReader = top.reader('account');
  const mask: FieldReader = top.reader('update_mask');
  top.done();
  const paths = mask.array('paths', { min: 1, max: UPDATABLE.length }).map((p, i) => {
    if (typeof p !== 'string' || !(UPDATABLE as readonly string[]).includes(p)) {
      mask.fail(
        `paths[${i}]`,
        `must be one of ${UPDATABLE.join(', ')}, got ${typeof p === 'string' ? `"${p}"` : describe(p)}`,
      );
    }
    return p;
  });
  mask.done();
  const update: AccountUpdateRequest = { requestId, status: undefined, details: undefined };
  if (paths.includes('status')) {
    const status = account.string('status');
    if (status !== 'ACCOUNT_STATUS_OPEN' && status !== 'ACCOUNT_STATUS_CLOSED') {
      account.fail('status', 'must be ACCOUNT_STATUS_OPEN or ACCOUNT_STATUS_CLOSED');
    }
    update.status = status;
  }
  if (paths.includes('details')) update.details = account.stringMap('details');
  for (const key of Object.keys(account.object)) {
    if (!paths.includes(key))
      account.fail(key, `is not in update_mask.paths (${paths.join(', ')}); add it there or leave it out`);
  }
  return update;
}

/** Why an account may not move from `from` to `to`, or undefined when it may. */
export function statusChangeProblem(from: AccountStatus, to: AccountStatus): string | undefined {
  if (from === to) return undefined;
  if (from === 'ACCOUNT_STATUS_CLOSED') return 'the account is closed; a closed account stays closed';
  return undefined;
}

/**
 * Closing needs every committed and pending balance of the account at zero (ledger.md 2). Returns
 * the non-zero balances, in the account's tside, keyed as `address/asset/denomination/phase`.
 */
export function balancesBlockingClose(
  balances: Iterable<{ key: string; totals: BalanceTotals }>,
  tside: Tside,
): Array<{ key: string; amount: bigint }> {
  const out: Array<{ key: string; amount: bigint }> = [];
  for (const b of balances) {
    const amount = netAmount(b.totals, tside);
    if (amount !== 0n) out.push({ key: b.key, amount });
  }
  return out;
}

/**
 * A contract's tside from its top-level `tside = Tside.ASSET|LIABILITY` (ledger.md 2), LIABILITY
 * when it has none. Read once, when the first account opens on the version.
 */
export function contractTside(code: string): Tside {
  const match = /^tside\s*=\s*Tside\.(ASSET|LIABILITY)\s*(?:#.*)?$/m.exec(code);
  return match?.[1] === 'ASSET' ? 'ASSET' : 'LIABILITY';
}

/** An internal account's `accounting.tside` (`TSIDE_ASSET` / `TSIDE_LIABILITY`). */
export function internalAccountTside(accounting: unknown): Tside {
  const tside = (accounting as { tside?: unknown } | undefined)?.tside;
  return tside === 'TSIDE_ASSET' ? 'ASSET' : 'LIABILITY';
}
