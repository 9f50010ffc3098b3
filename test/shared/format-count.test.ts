import { describe, expect, it } from 'vitest';
import { formatCount } from '../../functions/shared/format-count.ts';

describe('formatCount', () => {
  it.each([
    [0, 'attempt', undefined, '0 attempts'],
    [1, 'attempt', undefined, '1 attempt'],
    [4, 'attempt', undefined, '4 attempts'],
    [1, 'entry', 'entries', '1 entry'],
    [2, 'entry', 'entries', '2 entries'],
  ])('formats %i with %s', (count, singular, plural, expected) => {
    expect(formatCount(count, singular, plural)).toBe(expected);
  });
});
