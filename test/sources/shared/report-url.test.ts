import { describe, expect, it } from 'vitest';
import { withoutMembers } from '../../../functions/sources/shared/personal-data.ts';
import { httpUrlOnly, vendorReportUrl } from '../../../functions/sources/shared/report-url.ts';

describe('vendorReportUrl', () => {
  it.each([
    ['https://urlhaus.abuse.ch/url/1/', 'https://urlhaus.abuse.ch/url/1/'],
    [' https://urlhaus.abuse.ch/host/example.com/ ', 'https://urlhaus.abuse.ch/host/example.com/'],
    ['http://urlhaus.abuse.ch/url/1/', undefined],
    ['https://urlhaus.abuse.ch.example.com/url/1/', undefined],
    ['https://example.com/?u=https://urlhaus.abuse.ch/', undefined],
    ['javascript:alert(1)', undefined],
    ['not a url', undefined],
    [null, undefined],
  ])('reads %j as %j', (value, expected) => {
    expect(vendorReportUrl(value, 'urlhaus.abuse.ch')).toBe(expected);
  });
});

describe('httpUrlOnly', () => {
  it.each([
    ['https://twitter.com/example/status/1', 'https://twitter.com/example/status/1'],
    ['http://blog.example.com/a', 'http://blog.example.com/a'],
    ['ftp://example.com/a', undefined],
    ['seen by Jane Doe', undefined],
    [undefined, undefined],
  ])('reads %j as %j', (value, expected) => {
    expect(httpUrlOnly(value)).toBe(expected);
  });
});

describe('withoutMembers', () => {
  it('removes the named members at any depth', () => {
    const value = {
      reporter: 'a',
      urls: [{ url: 'x', reporter: 'b', nested: { reporter: 'c', keep: 1 } }],
      keep: [null, 2],
    };

    expect(withoutMembers(value, new Set(['reporter']))).toEqual({
      urls: [{ url: 'x', nested: { keep: 1 } }],
      keep: [null, 2],
    });
  });

  it('leaves the input unchanged', () => {
    const value = { reporter: 'a' };
    withoutMembers(value, new Set(['reporter']));

    expect(value).toEqual({ reporter: 'a' });
  });
});
