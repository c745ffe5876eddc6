/**
 * Money: denominations with exponents, decimal strings parsed to integer minor units (BigInt)
 * and formatted back. No floating point anywhere: a decimal string is split into its digits and
 * its scale, and only integer arithmetic follows. Nothing is ever rounded: an amount with more
 * decimal places than its denomination's exponent is refused (AMOUNT_PRECISION).
 *
 * Range: every amount and every balance total is a signed 64-bit integer of minor units (the
 * storage columns are SQLite INTEGER and PostgreSQL BIGINT), so amounts beyond 2^53 are exact and
 * anything beyond 2^63 - 1 is refused rather than wrapped or turned into a float.
 */

/** The largest number of minor units an amount or a balance total may hold (2^63 - 1). */
export const MAX_MINOR_UNITS = 2n ** 63n - 1n;

/** Largest exponent a configured denomination may have (10^18 minor units per major unit). */
export const MAX_EXPONENT = 18;

/** Exponent of any three-letter code that is neither configured nor listed below. */
export const DEFAULT_EXPONENT = 2;

/**
 * ISO 4217 codes whose minor unit is not 2 (the 2024 list). Every other three-letter code gets
 * DEFAULT_EXPONENT, which is ISO's answer for the rest.
 */
const ISO_4217_EXPONENTS: Readonly<Record<string, number>> = {
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  UYI: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
  CLF: 4,
  UYW: 4,
};

/** Upper-case letters, digits and `_`, starting with a letter: `GBP`, `USDC`, `LOYALTY_POINTS`. */
const DENOMINATION = /^[A-Z][A-Z0-9_]{0,31}$/;
const THREE_LETTERS = /^[A-Z]{3}$/;

export function isDenominationCode(code: string): boolean {
  return DENOMINATION.test(code);
}

/** The exponents in force: ISO 4217, overridden or extended by configuration. */
export class Denominations {
  readonly #configured: ReadonlyMap<string, number>;

  constructor(configured: Readonly<Record<string, number>> = {}) {
    const map = new Map<string, number>();
    for (const [code, exponent] of Object.entries(configured)) {
      const problem = denominationProblem(code, exponent);
      if (problem !== undefined) throw new RangeError(problem);
      map.set(code, exponent);
    }
    this.#configured = map;
  }

  /** Parses `CODE=EXPONENT` settings (the `--denomination` flag), throwing on the first bad one. */
  static fromSettings(settings: readonly string[]): Denominations {
    const configured: Record<string, number> = {};
    for (const setting of settings) {
      const [code, exponent] = parseDenominationSetting(setting);
      configured[code] = exponent;
    }
    return new Denominations(configured);
  }

  /** The exponent of `code`, or undefined for a code that is not three letters and not configured. */
  exponent(code: string): number | undefined {
    const configured = this.#configured.get(code);
    if (configured !== undefined) return configured;
    if (!THREE_LETTERS.test(code)) return undefined;
    return ISO_4217_EXPONENTS[code] ?? DEFAULT_EXPONENT;
  }

  /** The configured settings, for display. */
  configured(): Record<string, number> {
    return Object.fromEntries(this.#configured);
  }
}

function denominationProblem(code: string, exponent: number): string | undefined {
  if (!DENOMINATION.test(code)) {
    return `denomination "${code}" is not a code: use upper-case letters, digits and _ (e.g. GBP, LOYALTY_POINTS)`;
  }
  if (!Number.isInteger(exponent) || exponent < 0 || exponent > MAX_EXPONENT) {
    return `exponent of ${code} must be a whole number from 0 to ${MAX_EXPONENT}, got ${String(exponent)}`;
  }
  return undefined;
}

/** `CODE=EXPONENT` -> [code, exponent]; throws a RangeError saying what is wrong. */
export function parseDenominationSetting(setting: string): [string, number] {
  const match = /^([^=]*)=([0-9]{1,2})$/.exec(setting.trim());
  if (!match) {
    throw new RangeError(`denomination setting "${setting}" must be CODE=EXPONENT, e.g. BHD=3 or POINTS=0`);
  }
  const code = match[1] ?? '';
  const exponent = Number.parseInt(match[2] ?? '', 10);
  const problem = denominationProblem(code, exponent);
  if (problem !== undefined) throw new RangeError(problem);
  return [code, exponent];
}

/** An exact decimal: `(negative ? -1 : 1) * digits / 10^scale`, as written (scale = decimal places). */
export interface Decimal {
  negative: boolean;
  digits: bigint;
  scale: number;
}

export type AmountFault =
  { code: 'INVALID_AMOUNT'; reason: string } | { code: 'AMOUNT_PRECISION'; reason: string };

export type Parsed<T> = { ok: true; value: T } | ({ ok: false } & AmountFault);

/** Digits with an optional fraction; a sign only where `signed`. No exponents, no spaces. */
const DECIMAL = /^([+-]?)([0-9]+)(?:\.([0-9]+))?$/;
/** Longest decimal accepted (characters): far above any int64 amount, small enough to be cheap. */
const MAX_DECIMAL_LENGTH = 64;

export function parseDecimal(text: string, options: { signed: boolean }): Parsed<Decimal> {
  const match = text.length <= MAX_DECIMAL_LENGTH ? DECIMAL.exec(text) : null;
  if (!match) {
    const form = options.signed
      ? 'a signed decimal string like "12.34" or "-5"'
      : 'a decimal string like "12.34"';
    return { ok: false, code: 'INVALID_AMOUNT', reason: `"${clip(text)}" is not ${form}` };
  }
  const sign = match[1] ?? '';
  if (sign !== '' && !options.signed) {
    return { ok: false, code: 'INVALID_AMOUNT', reason: `"${text}" must be unsigned (a positive amount)` };
  }
  const whole = match[2] ?? '';
  const fraction = match[3] ?? '';
  return {
    ok: true,
    value: { negative: sign === '-', digits: BigInt(whole + fraction), scale: fraction.length },
  };
}

/** The decimal in minor units of a denomination with `exponent`; refuses what would need rounding. */
export function toMinorUnits(decimal: Decimal, exponent: number, denomination: string): Parsed<bigint> {
  if (decimal.scale > exponent) {
    const places = exponent === 1 ? '1 decimal place' : `${exponent} decimal places`;
    return {
      ok: false,
      code: 'AMOUNT_PRECISION',
      reason: `${denomination} has ${places}; "${formatDecimal(decimal)}" has ${decimal.scale} (amounts are never rounded)`,
    };
  }
  const magnitude = decimal.digits * 10n ** BigInt(exponent - decimal.scale);
  if (magnitude > MAX_MINOR_UNITS) {
    return {
      ok: false,
      code: 'INVALID_AMOUNT',
      reason: `"${formatDecimal(decimal)}" ${denomination} is beyond the ledger's range of ${formatMinorUnits(MAX_MINOR_UNITS, exponent)}`,
    };
  }
  return { ok: true, value: decimal.negative ? -magnitude : magnitude };
}

/** Parses a decimal string straight to minor units. */
export function parseAmount(
  text: string,
  exponent: number,
  denomination: string,
  options: { signed: boolean },
): Parsed<bigint> {
  const decimal = parseDecimal(text, options);
  return decimal.ok ? toMinorUnits(decimal.value, exponent, denomination) : decimal;
}

/** Minor units as a decimal string with exactly `exponent` decimal places: 1230n, 2 -> "12.30". */
export function formatMinorUnits(minor: bigint, exponent: number): string {
  const negative = minor < 0n;
  const digits = (negative ? -minor : minor).toString();
  const sign = negative ? '-' : '';
  if (exponent === 0) return sign + digits;
  const padded = digits.padStart(exponent + 1, '0');
  const cut = padded.length - exponent;
  return `${sign}${padded.slice(0, cut)}.${padded.slice(cut)}`;
}

function formatDecimal(d: Decimal): string {
  return (d.negative ? '-' : '') + formatMinorUnits(d.digits, d.scale);
}

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}...` : text;
}
