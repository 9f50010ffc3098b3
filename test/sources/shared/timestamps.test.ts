import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { timeSpan, toUtcIso } from '../../../functions/sources/shared/timestamps.ts';

describe('toUtcIso', () => {
  it.each([
    ['2019-01-15 07:09:01 UTC', '2019-01-15T07:09:01.000Z'],
    ['2019-01-19 01:27:04', '2019-01-19T01:27:04.000Z'],
    ['2019-01-19', '2019-01-19T00:00:00.000Z'],
    ['2024-02-29', '2024-02-29T00:00:00.000Z'],
    ['2019-09-04T05:32:29', '2019-09-04T05:32:29.000Z'],
    ['2025-02-15T22:38:33.826000', '2025-02-15T22:38:33.826Z'],
    ['2025-02-15T22:38:33Z', '2025-02-15T22:38:33.000Z'],
    ['2025-02-15T22:38:33+02:00', '2025-02-15T20:38:33.000Z'],
    ['2025-02-15 22:38:33 +0200', '2025-02-15T20:38:33.000Z'],
    ['2025-02-15T22:38', '2025-02-15T22:38:00.000Z'],
    ['  2019-01-19 01:27:04 utc ', '2019-01-19T01:27:04.000Z'],
  ])('reads %j', (text, iso) => {
    expect(toUtcIso(text)).toBe(iso);
  });

  it.each([
    [undefined],
    [null],
    [''],
    ['yesterday'],
    ['2019-13-01'],
    ['2019-02-30'],
    ['2019-02-29 10:00:00'],
    ['2019-01-19 25:00:00'],
    ['1559118300'],
  ])('returns undefined for %j', (text) => {
    expect(toUtcIso(text)).toBeUndefined();
  });

  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const iso = toUtcIso(text);

        if (iso !== undefined) expect(new Date(iso).toISOString()).toBe(iso);
      }),
    );
  });
});

describe('timeSpan', () => {
  it('finds the earliest and latest readable timestamps', () => {
    expect(
      timeSpan(['2025-05-18 10:00:00 UTC', null, 'garbage', '2025-05-16', '2025-05-17T12:00:00']),
    ).toEqual({
      earliest: '2025-05-16T00:00:00.000Z',
      latest: '2025-05-18T10:00:00.000Z',
    });
  });

  it('gives no ends without readable timestamps', () => {
    expect(timeSpan([undefined, 'never'])).toEqual({ earliest: undefined, latest: undefined });
  });
});
