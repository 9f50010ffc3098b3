import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { threatFoxPayloadSchema } from '../../../functions/sources/threatfox/schema.ts';

const IOC = { id: '41', ioc: 'c2.example.net', ioc_type: 'domain', confidence_level: 50 };

function issuesOf(json: unknown) {
  const result = threatFoxPayloadSchema.safeParse(json);
  if (result.success) throw new Error('expected the schema to reject the payload');
  return result.error.issues;
}

describe('threatFoxPayloadSchema', () => {
  it.each([
    ['an IOC without ioc_type', { ioc: 'c2.example.net' }, ['ioc_type']],
    ['an IOC with an empty ioc_type', { ioc: 'c2.example.net', ioc_type: '' }, ['ioc_type']],
    ['a confidence above 100', { ...IOC, confidence_level: 101 }, ['confidence_level']],
    ['a confidence as text', { ...IOC, confidence_level: '75' }, ['confidence_level']],
    ['tags that are no list', { ...IOC, tags: 'rat' }, ['tags']],
    [
      'a response IOC without ioc',
      { query_status: 'ok', data: [IOC, { ioc_type: 'url' }] },
      ['data', 1, 'ioc'],
    ],
    ['a response without data', { query_status: 'ok' }, ['data']],
    ['a response whose data is text', { query_status: 'ok', data: 'text' }, ['data']],
    ['a list item without ioc', [IOC, { ioc_type: 'url' }], [1, 'ioc']],
    [
      'a sample with a numeric hash',
      { ...IOC, malware_samples: [{ sha256_hash: 1 }] },
      ['malware_samples', 0, 'sha256_hash'],
    ],
  ])('names the path of %s', (_case, json, path) => {
    expect(issuesOf(json).map((issue) => issue.path)).toContainEqual(path);
  });

  it.each([['a string'], [null], [7], [{ something: 'else' }]])(
    'rejects %j as no ThreatFox body',
    (json) => {
      const [issue] = issuesOf(json);

      expect(issue?.message).toMatch(/Expected a ThreatFox API v1 response|expected string/);
    },
  );

  it('prints paths a sender can follow', () => {
    const result = threatFoxPayloadSchema.safeParse({
      query_status: 'ok',
      data: [IOC, { ...IOC, ioc: 5 }],
    });

    expect(z.prettifyError(result.error!)).toContain('at data[1].ioc');
  });

  it.each([
    ['ioc', IOC],
    ['ioc_list', [IOC]],
    ['result', { query_status: 'ok', data: [IOC] }],
    ['result', { query_status: 'ok', data: IOC }],
    ['result', { query_status: 'ok', data: { ok: [], ignored: [] } }],
    ['status', { query_status: 'no_result', data: 'Your search did not yield any results' }],
    ['status', { query_status: 'illegal_search_term' }],
  ])('recognizes a %s body', (form, json) => {
    expect(threatFoxPayloadSchema.parse(json).form).toBe(form);
  });

  it('keeps members it does not read', () => {
    const parsed = threatFoxPayloadSchema.parse({ ...IOC, ioc_type_desc: 'Domain used for C&C' });

    expect(parsed.body).toMatchObject({ ioc_type_desc: 'Domain used for C&C' });
  });
});
