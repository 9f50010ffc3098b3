import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BACKOFF_BASE_MS,
  BACKOFF_CAP_MS,
  backoffDelayMs,
  parseRetryAfter,
} from '../../functions/secops/retry.ts';

const almostOne = () => 0.999_999;

describe('backoffDelayMs', () => {
  it.each([
    [1, 200],
    [2, 400],
    [3, 800],
    [4, 1600],
    [5, 3200],
    [6, 5000],
    [10, 5000],
  ])('caps attempt %i near %i ms', (attempt, ceiling) => {
    expect(backoffDelayMs(attempt, almostOne)).toBe(ceiling - 1);
  });

  it('waits nothing for a draw of 0', () => {
    expect(backoffDelayMs(3, () => 0)).toBe(0);
  });

  it('scales the ceiling by the draw', () => {
    expect(backoffDelayMs(2, () => 0.5)).toBe(200);
  });

  it('stays within the full-jitter range', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, draw) => {
          const delay = backoffDelayMs(attempt, () => draw);
          const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (attempt - 1));
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThan(ceiling);
          expect(Number.isInteger(delay)).toBe(true);
        },
      ),
    );
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-03-01T12:00:00Z');

  it.each([
    ['0', 0],
    ['2', 2000],
    [' 120 ', 120_000],
    ['Sun, 01 Mar 2026 12:00:30 GMT', 30_000],
    ['Sunday, 01-Mar-26 12:00:05 GMT', 5000],
    ['Sun Mar  1 12:00:10 2026', 10_000],
    ['Sun, 01 Mar 2026 11:59:00 GMT', 0],
  ])('reads %j', (header, expected) => {
    expect(parseRetryAfter(header, now)).toBe(expected);
  });

  it.each([
    null,
    undefined,
    '',
    '-1',
    '1.5',
    'soon',
    'Mon, 99 Foo 2026 GMT',
    '2026-03-01T12:00:30Z',
  ])('ignores %j', (header) => {
    expect(parseRetryAfter(header, now)).toBeUndefined();
  });

  it('reads any delay-seconds value', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), (seconds) => {
        expect(parseRetryAfter(String(seconds), now)).toBe(seconds * 1000);
      }),
    );
  });

  it('reads any IMF-fixdate it can print', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 86_400 }), (seconds) => {
        const header = new Date(now + seconds * 1000).toUTCString();
        expect(parseRetryAfter(header, now)).toBe(seconds * 1000);
      }),
    );
  });
});
