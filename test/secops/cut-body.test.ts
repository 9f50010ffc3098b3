import { describe, expect, it } from 'vitest';
import { messageInCutBody } from '../../functions/secops/cut-body.ts';

describe('messageInCutBody', () => {
  it.each([
    [
      'a whole message',
      '{"error":{"message":"No fields supplied","detail":"xx',
      'No fields supplied',
    ],
    [
      'a message cut short',
      '{"error":{"message":"Mandatory fields missing: obs',
      'Mandatory fields missing: obs',
    ],
    ['a cut \\u escape', '{"error":{"message":"caf\\u00', 'caf'],
    ['a whole \\u escape', '{"error":{"message":"caf\\u00e9 \\"quoted\\"', 'café "quoted"'],
    ['an escaped backslash before u', '{"message":"a\\\\u12', 'a\\u12'],
    [
      'detail when no message comes first',
      '{"error":{"detail":"Insufficient access","x":"',
      'Insufficient access',
    ],
    ['an OAuth error', '{"error_description":"access_denied","er', 'access_denied'],
  ])('reads %s', (_case, body, expected) => {
    expect(messageInCutBody(body)).toBe(expected);
  });

  it.each([
    ['an HTML page', '<html><body>Service Unavailable'],
    ['an object under error only', '{"error":{"code":42,'],
    ['an empty message', '{"message":"","detail":"'],
    ['a control character', '{"message":"a\u0001b"'],
  ])('returns undefined for %s', (_case, body) => {
    expect(messageInCutBody(body)).toBeUndefined();
  });
});
