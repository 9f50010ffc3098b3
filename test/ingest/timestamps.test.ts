import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkTimestamp } from '../../functions/ingest/auth/timestamp.ts';
import { readTimestamp } from '../../functions/sources/shared/timestamp-formats.ts';
import { rejection } from './rejection.ts';

const NOW = new Date('2026-03-01T12:00:00Z');
const NOW_SECONDS = NOW.getTime() / 1000;

describe('readTimestamp', () => {
  it.each([
    ['1767225600', 'epoch_seconds', '2026-01-01T00:00:00.000Z'],
    [1767225600, 'epoch_seconds', '2026-01-01T00:00:00.000Z'],
    ['1767225600.25', 'epoch_seconds', '2026-01-01T00:00:00.250Z'],
    ['0', 'epoch_seconds', '1970-01-01T00:00:00.000Z'],
    ['99999999999', 'epoch_seconds', '5138-11-16T09:46:39.000Z'],
    ['100000000000', 'epoch_milliseconds', '1973-03-03T09:46:40.000Z'],
    ['1767225600000', 'epoch_milliseconds', '2026-01-01T00:00:00.000Z'],
    [1767225600123, 'epoch_milliseconds', '2026-01-01T00:00:00.123Z'],
    ['2026-01-01T00:00:00Z', 'iso8601', '2026-01-01T00:00:00.000Z'],
    ['2026-01-01t01:00:00.5+01:00', 'iso8601', '2026-01-01T00:00:00.500Z'],
    ['2025-12-31T19:00-05:00', 'iso8601', '2026-01-01T00:00:00.000Z'],
    ['2024-02-29T00:00:00Z', 'iso8601', '2024-02-29T00:00:00.000Z'],
    ['0099-06-01T00:00:00Z', 'iso8601', '0099-06-01T00:00:00.000Z'],
    ['2026-01-01T00:00:00.123456789Z', 'iso8601', '2026-01-01T00:00:00.123Z'],
  ])('reads %j as %s', (value, format, iso) => {
    const timestamp = readTimestamp(value);

    expect(timestamp?.format).toBe(format);
    expect(timestamp?.date.toISOString()).toBe(iso);
  });

  it.each([
    '',
    '-1',
    '1e10',
    '0x10',
    '1767225600000.5',
    '1767225600000000',
    '2026-01-01',
    '2026-01-01T00:00:00',
    '2026-02-30T00:00:00Z',
    '2025-02-29T00:00:00Z',
    '2026-01-01T24:00:00Z',
    '2026-01-01T23:59:60Z',
    '2026-01-01T00:00:00+24:00',
    'Thu, 01 Jan 2026 00:00:00 GMT',
    'soon',
  ])('returns undefined for %j', (value) => {
    expect(readTimestamp(value)).toBeUndefined();
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY, -5, 1e14])(
    'returns undefined for the number %d',
    (value) => {
      expect(readTimestamp(value)).toBeUndefined();
    },
  );

  it('reads seconds and milliseconds of the same instant alike', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('1973-03-04T00:00:00Z'),
          max: new Date('5000-01-01T00:00:00Z'),
          noInvalidDate: true,
        }),
        (date) => {
          const milliseconds = date.getTime();
          const seconds = Math.floor(milliseconds / 1000);

          expect(readTimestamp(String(milliseconds))).toEqual({
            format: 'epoch_milliseconds',
            date,
          });
          expect(readTimestamp(String(seconds))?.format).toBe('epoch_seconds');
          expect(readTimestamp(String(seconds))?.date.getTime()).toBe(seconds * 1000);
          expect(readTimestamp(date.toISOString())).toEqual({ format: 'iso8601', date });
        },
      ),
      { numRuns: 200 },
    );
  });

  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const timestamp = readTimestamp(text);
        if (timestamp !== undefined) expect(Number.isNaN(timestamp.date.getTime())).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});

describe('checkTimestamp', () => {
  const check = (value: string | undefined) =>
    rejection(() => checkTimestamp(value, 'x-timestamp', 300, NOW));

  it('returns the header text as sent, for the signed content', () => {
    expect(checkTimestamp(` 0${NOW_SECONDS} `, 'x-timestamp', 300, NOW)).toBe(`0${NOW_SECONDS}`);
  });

  it.each([
    ['at the edge of the past', NOW_SECONDS - 300],
    ['at the edge of the future', NOW_SECONDS + 300],
  ])('accepts a timestamp %s', (_case, seconds) => {
    expect(checkTimestamp(String(seconds), 'x-timestamp', 300, NOW)).toBe(String(seconds));
  });

  it.each([
    ['missing', undefined, /is missing/],
    ['empty', '  ', /is missing/],
    ['milliseconds', String(NOW.getTime()), /holds Unix milliseconds/],
    ['ISO 8601', NOW.toISOString(), /holds an ISO 8601 date/],
    ['fractional seconds', `${NOW_SECONDS}.5`, /holds fractional seconds/],
    ['negative', `-${NOW_SECONDS}`, /is not a timestamp/],
    ['text', 'now', /is not a timestamp/],
    ['two values', `${NOW_SECONDS},${NOW_SECONDS}`, /is not a timestamp/],
    ['too old', String(NOW_SECONDS - 301), /301 s away.*tolerance is 300 s/],
    ['in the future', String(NOW_SECONDS + 3600), /3600 s away/],
  ])('rejects a timestamp that is %s', (_case, value, message) => {
    const error = check(value);

    expect(error.status).toBe(401);
    expect(error.code).toBe('invalid_timestamp');
    expect(error.message).toMatch(message);
    expect(error.message).toContain('x-timestamp');
  });
});
