import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { urlhausResponseSchema } from '../../../functions/sources/urlhaus/schema.ts';

function issuesOf(json: unknown) {
  const result = urlhausResponseSchema.safeParse(json);
  if (result.success) throw new Error('expected the schema to reject the payload');
  return result.error.issues;
}

describe('urlhausResponseSchema', () => {
  it.each([
    ['a response without query_status', { url: 'http://example.com/' }, ['query_status']],
    ['a numeric query_status', { query_status: 1 }, ['query_status']],
    ['a URL lookup whose url is a number', { query_status: 'ok', url: 7 }, ['url']],
    [
      'a URL lookup with tags that are no list',
      { query_status: 'ok', url: 'http://example.com/a', tags: 'exe' },
      ['tags'],
    ],
    [
      'a URL lookup with a numeric DBL category',
      { query_status: 'ok', url: 'http://example.com/a', blacklists: { spamhaus_dbl: 2 } },
      ['blacklists', 'spamhaus_dbl'],
    ],
    [
      'a host lookup with a url_count that is no number',
      { query_status: 'ok', host: 'example.com', url_count: 'many' },
      ['url_count'],
    ],
    [
      'a list entry without url',
      { query_status: 'ok', urls: [{ url: 'http://example.com/a' }, { url_status: 'online' }] },
      ['urls', 1, 'url'],
    ],
    [
      'a payload lookup with a numeric hash',
      { query_status: 'ok', sha256_hash: 5 },
      ['sha256_hash'],
    ],
    [
      'a payload of a URL lookup with a text VirusTotal summary',
      { query_status: 'ok', url: 'http://example.com/a', payloads: [{ virustotal: 'none' }] },
      ['payloads', 0, 'virustotal'],
    ],
  ])('names the path of %s', (_case, json, path) => {
    const issues = issuesOf(json);

    expect(issues.map((issue) => issue.path)).toContainEqual(path);
  });

  it.each([['a string'], [['an', 'array']], [null], [42]])('rejects %j as no response', (json) => {
    const [issue] = issuesOf(json);

    expect(issue?.path).toEqual([]);
    expect(issue?.message).toContain('Expected a URLhaus API v1 response');
  });

  it('prints paths a sender can follow', () => {
    const result = urlhausResponseSchema.safeParse({
      query_status: 'ok',
      urls: [{ url: 'http://example.com/a' }, { url: 3 }],
    });

    expect(z.prettifyError(result.error!)).toContain('at urls[1].url');
  });

  it.each([
    ['url', { query_status: 'ok', url: 'http://example.com/a', host: 'example.com', payloads: [] }],
    ['host', { query_status: 'ok', host: 'example.com', urls: [] }],
    ['payload', { query_status: 'ok', md5_hash: 'a'.repeat(32), urls: [] }],
    ['url_list', { query_status: 'ok', urls: [] }],
    ['payload_list', { query_status: 'ok', payloads: [] }],
    ['status', { query_status: 'no_results' }],
    ['status', { query_status: 'ok' }],
  ])('recognizes a %s response', (form, json) => {
    expect(urlhausResponseSchema.parse(json).form).toBe(form);
  });

  it('keeps members it does not read', () => {
    const parsed = urlhausResponseSchema.parse({
      query_status: 'ok',
      url: 'http://example.com/a',
      urlhaus_download: 'https://urlhaus-api.abuse.ch/v1/download/x/',
    });

    expect(parsed.body).toMatchObject({
      urlhaus_download: 'https://urlhaus-api.abuse.ch/v1/download/x/',
    });
  });
});
