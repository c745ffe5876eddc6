import { describe, expect, it } from 'vitest';
import {
  balancesBlockingClose,
  contractTside,
  internalAccountTside,
  parseAccountRequest,
  parseAccountUpdate,
  parseCustomerRequest,
  statusChangeProblem,
} from '../../src/ledger/accounts.js';
import { LedgerInputError } from '../../src/ledger/errors.js';
import { parseJson } from '../../src/ledger/json.js';
import { Denominations } from '../../src/ledger/money.js';

const NOW = Date.UTC(2024, 5, 1);
const d = new Denominations();

function fieldError(fn: () => unknown): { code: string; field: string; description: string } {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof LedgerInputError)) throw e;
    return {
      code: e.code,
      field: e.fieldViolations[0]?.field ?? '',
      description: e.fieldViolations[0]?.description ?? '',
    };
  }
  throw new Error('no error');
}

const account = (fields: Record<string, unknown>) =>
  parseJson(
    JSON.stringify({
      request_id: 'r',
      account: { product_id: 'current_account', permitted_denominations: ['GBP'], ...fields },
    }),
  );

describe('customers', () => {
  it('parses a customer with ACTIVE as the default status', () => {
    expect(
      parseCustomerRequest(
        parseJson('{"request_id":"r","customer":{"id":"c1","customer_details":{"first_name":"Ada"}}}'),
      ),
    ).toEqual({
      requestId: 'r',
      id: 'c1',
      status: 'CUSTOMER_STATUS_ACTIVE',
      customerDetails: { first_name: 'Ada' },
    });
  });

  it('refuses bad customers, naming the field', () => {
    expect(
      fieldError(() => parseCustomerRequest(parseJson('{"request_id":"r","customer":{}}'))),
    ).toMatchObject({ field: 'customer.id' });
    expect(
      fieldError(() =>
        parseCustomerRequest(parseJson('{"request_id":"r","customer":{"id":"c","status":"ALIVE"}}')),
      ),
    ).toMatchObject({
      field: 'customer.status',
    });
    expect(
      fieldError(() =>
        parseCustomerRequest(
          parseJson('{"request_id":"r","customer":{"id":"c","customer_details":{"age":42}}}'),
        ),
      ),
    ).toMatchObject({
      field: 'customer.customer_details.age',
      description: expect.stringContaining('the JSON number 42'),
    });
  });
});

describe('accounts', () => {
  it('parses an account on a product or a product version', () => {
    const a = parseAccountRequest(
      account({ stakeholder_ids: ['c1'], instance_param_vals: { overdraft: '100' } }),
      d,
      NOW,
    );
    expect(a).toEqual({
      requestId: 'r',
      id: undefined,
      name: '',
      product: { productId: 'current_account' },
      stakeholderIds: ['c1'],
      permittedDenominations: ['GBP'],
      status: 'ACCOUNT_STATUS_OPEN',
      openingTime: undefined,
      instanceParamVals: { overdraft: '100' },
      details: {},
    });
    const v = parseAccountRequest(
      account({
        product_id: undefined,
        product_version_id: 'v1',
        id: 'acc',
        status: 'ACCOUNT_STATUS_PENDING',
        opening_timestamp: '2024-01-01T00:00:00Z',
      }),
      d,
      NOW,
    );
    expect(v).toMatchObject({
      id: 'acc',
      product: { productVersionId: 'v1' },
      status: 'ACCOUNT_STATUS_PENDING',
      openingTime: Date.UTC(2024, 0, 1),
    });
  });

  it.each([
    [{ product_version_id: 'v1' }, 'account.product_id', 'exactly one'],
    [{ product_id: undefined }, 'account.product_id', 'exactly one'],
    [{ permitted_denominations: [] }, 'account.permitted_denominations', 'at least one'],
    [{ permitted_denominations: ['GBP', 'GBP'] }, 'account.permitted_denominations', 'twice'],
    [{ permitted_denominations: ['gbp'] }, 'account.permitted_denominations[0]', 'not a denomination code'],
    [
      { permitted_denominations: ['POINTS'] },
      'account.permitted_denominations[0]',
      '--denomination POINTS=EXPONENT',
    ],
    [{ stakeholder_ids: [1] }, 'account.stakeholder_ids[0]', 'the JSON number 1'],
    [{ status: 'ACCOUNT_STATUS_CLOSED' }, 'account.status', 'must be one of'],
    [{ opening_timestamp: '2025-01-01T00:00:00Z' }, 'account.opening_timestamp', 'in the future'],
    [{ tside: 'ASSET' }, 'account.tside', 'not a field'],
  ])('refuses %j', (fields, field, description) => {
    const e = fieldError(() => parseAccountRequest(account(fields), d, NOW));
    expect(e.field).toBe(field);
    expect(e.description).toContain(description);
  });

  it('parses updates of status and details under their update mask', () => {
    const u = (body: unknown) => parseAccountUpdate(parseJson(JSON.stringify(body)));
    expect(
      u({
        request_id: 'r',
        account: { status: 'ACCOUNT_STATUS_CLOSED' },
        update_mask: { paths: ['status'] },
      }),
    ).toEqual({
      requestId: 'r',
      status: 'ACCOUNT_STATUS_CLOSED',
      details: undefined,
    });
    expect(
      u({ request_id: 'r', account: { details: { a: 'b' } }, update_mask: { paths: ['details'] } }),
    ).toMatchObject({ details: { a: 'b' } });
    expect(
      fieldError(() =>
        u({
          request_id: 'r',
          account: { status: 'ACCOUNT_STATUS_CLOSED' },
          update_mask: { paths: ['details'] },
        }),
      ),
    ).toMatchObject({
      field: 'account.status',
      description: expect.stringContaining('not in update_mask.paths'),
    });
    expect(
      fieldError(() => u({ request_id: 'r', account: {}, update_mask: { paths: ['name'] } })),
    ).toMatchObject({ field: 'update_mask.paths[0]' });
    expect(
      fieldError(() =>
        u({
          request_id: 'r',
          account: { status: 'ACCOUNT_STATUS_PENDING' },
          update_mask: { paths: ['status'] },
        }),
      ),
    ).toMatchObject({
      field: 'account.status',
    });
  });

  it('keeps closed accounts closed', () => {
    expect(statusChangeProblem('ACCOUNT_STATUS_OPEN', 'ACCOUNT_STATUS_CLOSED')).toBeUndefined();
    expect(statusChangeProblem('ACCOUNT_STATUS_PENDING', 'ACCOUNT_STATUS_OPEN')).toBeUndefined();
    expect(statusChangeProblem('ACCOUNT_STATUS_CLOSED', 'ACCOUNT_STATUS_OPEN')).toMatch(/stays closed/);
  });

  it('names the balances that block closing', () => {
    const blocking = balancesBlockingClose(
      [
        { key: 'DEFAULT/CBM/GBP/COMMITTED', totals: { debit: 100n, credit: 100n } },
        { key: 'DEFAULT/CBM/GBP/PENDING_OUTGOING', totals: { debit: 5n, credit: 0n } },
      ],
      'LIABILITY',
    );
    expect(blocking).toEqual([{ key: 'DEFAULT/CBM/GBP/PENDING_OUTGOING', amount: -5n }]);
  });

  it('reads the tside of a contract and of an internal account', () => {
    expect(contractTside('api = "4.0.0"\ntside = Tside.ASSET\n')).toBe('ASSET');
    expect(contractTside('tside = Tside.LIABILITY  # deposits\n')).toBe('LIABILITY');
    expect(contractTside('api = "4.0.0"\n')).toBe('LIABILITY');
    expect(contractTside('def f():\n    tside = Tside.ASSET\n')).toBe('LIABILITY');
    expect(internalAccountTside({ tside: 'TSIDE_ASSET' })).toBe('ASSET');
    expect(internalAccountTside({ tside: 'TSIDE_LIABILITY' })).toBe('LIABILITY');
    expect(internalAccountTside(undefined)).toBe('LIABILITY');
  });
});
