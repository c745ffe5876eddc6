import { describe, expect, it } from 'vitest';
import { formatTimestamp, parseTimestamp } from '../../src/ledger/time.js';

function ms(text: string): number {
  const t = parseTimestamp(text);
  if (!t.ok) throw new Error(t.reason);
  return t.value;
}

describe('timestamps', () => {
  it('parses RFC 3339 with Z, offsets and milliseconds', () => {
    expect(ms('2024-03-01T12:00:00Z')).toBe(Date.UTC(2024, 2, 1, 12));
    expect(ms('2024-03-01T12:00:00.123Z')).toBe(Date.UTC(2024, 2, 1, 12, 0, 0, 123));
    expect(ms('2024-03-01T12:00:00.5Z')).toBe(Date.UTC(2024, 2, 1, 12, 0, 0, 500));
    expect(ms('2024-03-01T13:30:00+01:30')).toBe(Date.UTC(2024, 2, 1, 12));
    expect(ms('2024-03-01T10:00:00-02:00')).toBe(Date.UTC(2024, 2, 1, 12));
    expect(ms('2024-03-01T12:00:00.123000000Z')).toBe(Date.UTC(2024, 2, 1, 12, 0, 0, 123));
    expect(ms('2024-02-29T00:00:00Z')).toBe(Date.UTC(2024, 1, 29));
    expect(ms('1970-01-01T00:00:00Z')).toBe(0);
  });

  it.each([
    '2024-03-01',
    '2024-03-01T12:00:00',
    '2024-13-01T00:00:00Z',
    '2023-02-29T00:00:00Z',
    '2024-04-31T00:00:00Z',
    '2024-03-01T24:00:00Z',
    '2024-03-01T12:60:00Z',
    '2024-03-01T12:00:60Z',
    '2024-03-01T12:00:00+25:00',
    'yesterday',
    '0075-01-01T00:00:00Z',
    '1969-12-31T23:59:59Z',
  ])('refuses %j', (text) => {
    expect(parseTimestamp(text).ok).toBe(false);
  });

  it('refuses sub-millisecond precision instead of truncating it', () => {
    const t = parseTimestamp('2024-03-01T12:00:00.1234Z');
    expect(t).toEqual({ ok: false, reason: expect.stringMatching(/finer than a millisecond/) });
  });

  it('formats as RFC 3339 UTC with milliseconds', () => {
    expect(formatTimestamp(Date.UTC(2024, 2, 1, 12, 0, 0, 7))).toBe('2024-03-01T12:00:00.007Z');
    expect(ms(formatTimestamp(1_700_000_000_123))).toBe(1_700_000_000_123);
  });
});
