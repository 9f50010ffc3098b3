import { describe, expect, it } from 'vitest';
import {
  capList,
  fitDetails,
  truncate,
  withoutEmpty,
} from '../../../functions/sources/shared/detail-values.ts';

describe('withoutEmpty', () => {
  it('drops empty values and keeps facts', () => {
    expect(
      withoutEmpty({
        a: undefined,
        b: null,
        c: '',
        d: [],
        e: {},
        f: 0,
        g: false,
        h: 'x',
        i: [1],
        j: { k: 1 },
      }),
    ).toEqual({ f: 0, g: false, h: 'x', i: [1], j: { k: 1 } });
  });
});

describe('capList', () => {
  it('keeps the first distinct non-empty values', () => {
    expect(capList(['a', null, 'b', 'a', '', 'c', 'd'], 3)).toEqual(['a', 'b', 'c']);
  });

  it('compares objects by value', () => {
    expect(capList([{ port: 1 }, { port: 1 }, { port: 2 }], 5)).toEqual([{ port: 1 }, { port: 2 }]);
  });

  it('takes a missing list as empty', () => {
    expect(capList(undefined, 5)).toEqual([]);
  });
});

describe('truncate', () => {
  it('cuts long text with an ellipsis', () => {
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abcd', 4)).toBe('abcd');
  });
});

describe('fitDetails', () => {
  it('returns details within the budget unchanged', () => {
    const details = { a: 'x'.repeat(100) };

    expect(fitDetails(details, 1_000)).toBe(details);
  });

  it('shortens long strings first', () => {
    const fitted = fitDetails({ tags: ['x'.repeat(5_000)], count: 3 }, 1_000);

    expect(fitted).toEqual({ tags: [`${'x'.repeat(199)}…`], count: 3 });
  });

  it('drops the largest members and names them', () => {
    const fitted = fitDetails(
      { urls: Array.from({ length: 100 }, (_, index) => `http://example.com/${index}`), count: 3 },
      500,
    );

    expect(fitted).toEqual({ count: 3, relayOmitted: ['urls'] });
    expect(JSON.stringify(fitted).length).toBeLessThanOrEqual(500);
  });
});
