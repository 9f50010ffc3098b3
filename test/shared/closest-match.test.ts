import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { closestMatch } from '../../functions/shared/closest-match.ts';

const AUTH_KEYS = ['type', 'header', 'algorithm', 'prefix', 'timestampHeader', 'toleranceSeconds'];

describe('closestMatch', () => {
  it.each([
    ['a missing letter', 'timestampHeder', 'timestampHeader'],
    ['an extra letter', 'heaader', 'header'],
    ['a replaced letter', 'algorithn', 'algorithm'],
    ['two swapped letters', 'perfix', 'prefix'],
    ['another case', 'TimestampHeader', 'timestampHeader'],
    ['a prefix', 'tolerance', 'toleranceSeconds'],
  ])('finds the key with %s', (_case, name, expected) => {
    expect(closestMatch(name, AUTH_KEYS)).toBe(expected);
  });

  it.each([
    ['an unrelated name', 'colour'],
    ['a prefix under four letters', 'ty'],
    ['two edits in a short key', 'tpye2'],
  ])('finds nothing for %s', (_case, name) => {
    expect(closestMatch(name, AUTH_KEYS)).toBeUndefined();
  });

  it('prefers the closer of two candidates', () => {
    expect(closestMatch('batchSise', ['batchSizes', 'batchSize'])).toBe('batchSize');
  });

  it('finds nothing for a prefix of several candidates', () => {
    expect(closestMatch('maxCool', ['maxCoolDownMs', 'maxCoolingMs'])).toBeUndefined();
  });

  it('finds nothing among no candidates', () => {
    expect(closestMatch('type', [])).toBeUndefined();
  });

  it('returns a candidate or nothing, and a name finds itself', () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { minLength: 1 }), fc.string(), (candidates, name) => {
        const match = closestMatch(name, candidates);
        expect(match === undefined || candidates.includes(match)).toBe(true);
        expect(closestMatch(candidates[0]!, candidates)).toBe(candidates[0]);
      }),
    );
  });
});
