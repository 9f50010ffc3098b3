import { describe, expect, it } from 'vitest';
import { abuseIpDbSource } from '../../../functions/sources/abuseipdb/index.ts';
import { runSource } from '../run-source.ts';

const check = {
  ipAddress: '192.0.2.1',
  abuseConfidenceScore: 10,
  totalReports: 1,
};

function issuePaths(json: unknown): string[] {
  const result = runSource(abuseIpDbSource, json);
  if (result.outcome !== 'invalid')
    throw new Error(`expected a schema failure, got ${result.outcome}`);
  return result.error.issues.map((issue) => issue.path.join('.'));
}

describe('abuseipdb schema', () => {
  it('accepts a minimal /check response', () => {
    expect(runSource(abuseIpDbSource, { data: check }).outcome).toBe('records');
  });

  it('accepts members it does not read', () => {
    const result = runSource(abuseIpDbSource, { data: { ...check, newField: { a: 1 } }, meta: 1 });

    expect(result.outcome).toBe('records');
  });

  it.each<[string, unknown, string[]]>([
    ['a missing ipAddress', { data: { abuseConfidenceScore: 0 } }, ['data.ipAddress']],
    ['a missing score', { data: { ipAddress: '192.0.2.1' } }, ['data.abuseConfidenceScore']],
    [
      'a score above 100',
      { data: { ...check, abuseConfidenceScore: 101 } },
      ['data.abuseConfidenceScore'],
    ],
    [
      'a score as text',
      { data: { ...check, abuseConfidenceScore: '50' } },
      ['data.abuseConfidenceScore'],
    ],
    ['a negative report count', { data: { ...check, totalReports: -1 } }, ['data.totalReports']],
    [
      'report categories as text',
      { data: { ...check, reports: [{ categories: '18,22' }] } },
      ['data.reports.0.categories'],
    ],
    ['hostnames as text', { data: { ...check, hostnames: 'a.example.com' } }, ['data.hostnames']],
    ['data as a list', { data: [check] }, ['data']],
    ['an empty errors list', { errors: [] }, ['errors']],
    ['an error detail as a number', { errors: [{ detail: 5 }] }, ['errors.0.detail']],
  ])('names the field for %s', (_case, json, paths) => {
    expect(issuePaths(json)).toEqual(paths);
  });

  it.each([null, 'text', 42, [], {}])('rejects %j as not a /check response', (json) => {
    const result = runSource(abuseIpDbSource, json);

    expect(result.outcome).toBe('invalid');
  });

  it('says what it expected for a body that is no object', () => {
    const result = runSource(abuseIpDbSource, 'text');
    if (result.outcome !== 'invalid') throw new Error(result.outcome);

    expect(result.error.issues[0]?.message).toContain('AbuseIPDB API v2 /check response');
  });
});
