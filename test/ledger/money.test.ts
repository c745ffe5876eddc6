import { describe, expect, it } from 'vitest';
import {
  DEFAULT_EXPONENT,
  Denominations,
  formatMinorUnits,
  MAX_MINOR_UNITS,
  parseAmount,
  parseDenominationSetting,
} from '../../src/ledger/money.js';

const iso = new Denominations();

function minor(text: string, code = 'GBP', signed = false): bigint {
  const r = parseAmount(text, iso.exponent(code) as number, code, { signed });
  if (!r.ok) throw new Error(`${r.code}: ${r.reason}`);
  return r.value;
}

function fault(text: string, code = 'GBP', signed = false): string {
  const r = parseAmount(text, iso.exponent(code) as number, code, { signed });
  if (r.ok) throw new Error(`expected a fault, got ${r.value}`);
  return r.code;
}

describe('denominations', () => {
  it('knows ISO 4217 minor units and defaults other three-letter codes to 2', () => {
    expect(iso.exponent('GBP')).toBe(2);
    expect(iso.exponent('JPY')).toBe(0);
    expect(iso.exponent('KRW')).toBe(0);
    expect(iso.exponent('BHD')).toBe(3);
    expect(iso.exponent('KWD')).toBe(3);
    expect(iso.exponent('CLF')).toBe(4);
    expect(iso.exponent('XYZ')).toBe(DEFAULT_EXPONENT);
  });

  it('does not guess an exponent for codes that are not three letters', () => {
    expect(iso.exponent('USDC')).toBeUndefined();
    expect(iso.exponent('gbp')).toBeUndefined();
  });

  it('takes CODE=EXPONENT settings that override ISO and add codes', () => {
    const d = Denominations.fromSettings(['USDC=6', 'JPY=2', ' POINTS=0 ']);
    expect(d.exponent('USDC')).toBe(6);
    expect(d.exponent('JPY')).toBe(2);
    expect(d.exponent('POINTS')).toBe(0);
    expect(d.exponent('BHD')).toBe(3);
    expect(d.configured()).toEqual({ USDC: 6, JPY: 2, POINTS: 0 });
  });

  it.each([
    ['GBP', /must be CODE=EXPONENT/],
    ['GBP=', /must be CODE=EXPONENT/],
    ['GBP=-1', /must be CODE=EXPONENT/],
    ['GBP=2.5', /must be CODE=EXPONENT/],
    ['gbp=2', /not a code/],
    ['=2', /not a code/],
    ['GBP=19', /from 0 to 18/],
  ])('refuses the setting %s saying why', (setting, message) => {
    expect(() => parseDenominationSetting(setting)).toThrow(message);
  });

  it('refuses a bad exponent given programmatically', () => {
    expect(() => new Denominations({ GBP: 1.5 })).toThrow(/whole number/);
  });
});

describe('amounts', () => {
  it('parses decimal strings to exact minor units', () => {
    expect(minor('12.34')).toBe(1234n);
    expect(minor('12.3')).toBe(1230n);
    expect(minor('12')).toBe(1200n);
    expect(minor('0.01')).toBe(1n);
    expect(minor('007.50')).toBe(750n);
    expect(minor('1000', 'JPY')).toBe(1000n);
    expect(minor('1.234', 'BHD')).toBe(1234n);
  });

  it('is exact where floating point is not: 0.10 three times is 0.30', () => {
    const sum = minor('0.10') + minor('0.10') + minor('0.10');
    expect(formatMinorUnits(sum, 2)).toBe('0.30');
    expect(0.1 + 0.1 + 0.1).not.toBe(0.3);
  });

  it('handles amounts beyond 2^53 minor units exactly', () => {
    expect(minor('90071992547409.93')).toBe(9007199254740993n);
    expect(formatMinorUnits(9007199254740993n, 2)).toBe('90071992547409.93');
    expect(minor('92233720368547758.07')).toBe(MAX_MINOR_UNITS);
  });

  it('refuses amounts beyond 2^63 - 1 minor units rather than wrapping', () => {
    expect(fault('92233720368547758.08')).toBe('INVALID_AMOUNT');
    expect(fault('9223372036854775808', 'JPY')).toBe('INVALID_AMOUNT');
  });

  it('never rounds: more decimal places than the exponent is AMOUNT_PRECISION', () => {
    expect(fault('1.234')).toBe('AMOUNT_PRECISION');
    expect(fault('1.230')).toBe('AMOUNT_PRECISION');
    expect(fault('1.5', 'JPY')).toBe('AMOUNT_PRECISION');
    expect(fault('1.0', 'JPY')).toBe('AMOUNT_PRECISION');
    expect(fault('0.0001', 'BHD')).toBe('AMOUNT_PRECISION');
    const r = parseAmount('1.234', 2, 'GBP', { signed: false });
    expect(r.ok ? '' : r.reason).toBe('GBP has 2 decimal places; "1.234" has 3 (amounts are never rounded)');
  });

  it.each(['', ' 1.00', '1.00 ', '1.', '.5', '1e3', '1,000.00', '0x10', '1.2.3', 'NaN', 'Infinity', '١٢'])(
    'refuses %j as INVALID_AMOUNT',
    (text) => {
      expect(fault(text)).toBe('INVALID_AMOUNT');
    },
  );

  it('takes a sign only where the amount is signed', () => {
    expect(fault('-1.00')).toBe('INVALID_AMOUNT');
    expect(fault('+1.00')).toBe('INVALID_AMOUNT');
    expect(minor('-1.00', 'GBP', true)).toBe(-100n);
    expect(minor('+3.40', 'GBP', true)).toBe(340n);
  });

  it('refuses absurdly long strings before doing arithmetic on them', () => {
    expect(fault('1'.repeat(10_000))).toBe('INVALID_AMOUNT');
  });

  it('formats minor units with exactly the exponent of decimal places', () => {
    expect(formatMinorUnits(0n, 2)).toBe('0.00');
    expect(formatMinorUnits(5n, 2)).toBe('0.05');
    expect(formatMinorUnits(-5n, 2)).toBe('-0.05');
    expect(formatMinorUnits(-12345n, 2)).toBe('-123.45');
    expect(formatMinorUnits(1000n, 0)).toBe('1000');
    expect(formatMinorUnits(1n, 3)).toBe('0.001');
    expect(formatMinorUnits(-MAX_MINOR_UNITS, 2)).toBe('-92233720368547758.07');
  });

  it('round-trips every formatted amount', () => {
    for (const exponent of [0, 2, 3, 6]) {
      for (const value of [0n, 1n, 9n, 10n, 99n, 100n, 123456789n, 2n ** 53n + 1n, MAX_MINOR_UNITS]) {
        const text = formatMinorUnits(value, exponent);
        expect(parseAmount(text, exponent, 'X', { signed: false })).toEqual({ ok: true, value });
      }
    }
  });
});
