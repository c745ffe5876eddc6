/**
 * Timestamps on the wire are RFC 3339 strings; inside the ledger they are integer milliseconds
 * since the epoch. Parsing is strict (a real calendar date, an explicit offset) and exact: a
 * fraction finer than a millisecond is refused rather than truncated.
 */

const RFC3339 =
  /^([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt ]([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,9}))?(?:([Zz])|([+-])([0-9]{2}):([0-9]{2}))$/;

export type ParsedTime = { ok: true; value: number } | { ok: false; reason: string };

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** `2024-03-01T12:00:00Z` (or with an offset, or `.123` milliseconds) -> ms since the epoch. */
export function parseTimestamp(text: string): ParsedTime {
  const m = RFC3339.exec(text);
  const bad = {
    ok: false as const,
    reason: `"${text.slice(0, 40)}" is not an RFC 3339 timestamp like 2024-03-01T12:00:00Z`,
  };
  if (!m) return bad;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  // Date.UTC maps years 0-99 to 1900-1999, and the ledger starts at the epoch anyway.
  if (year < 1970) return { ok: false, reason: `"${text}" is before 1970-01-01T00:00:00Z` };
  if (
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > daysInMonth(year, month) ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    return bad;
  }
  const fraction = (m[7] ?? '').padEnd(3, '0');
  if (/[1-9]/.test(fraction.slice(3))) {
    return { ok: false, reason: `"${text}" is finer than a millisecond; the ledger records milliseconds` };
  }
  let offsetMinutes = 0;
  if (m[8] === undefined) {
    const offsetHours = Number(m[10]);
    const offsetMins = Number(m[11]);
    if (offsetHours > 23 || offsetMins > 59) return bad;
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  const ms =
    Date.UTC(year, month - 1, day, hour, minute, second, Number(fraction.slice(0, 3))) -
    offsetMinutes * 60_000;
  if (ms < 0) return { ok: false, reason: `"${text}" is before 1970-01-01T00:00:00Z` };
  return { ok: true, value: ms };
}

/** ms since the epoch -> `2024-03-01T12:00:00.000Z`. */
export function formatTimestamp(ms: number): string {
  return new Date(ms).toISOString();
}
