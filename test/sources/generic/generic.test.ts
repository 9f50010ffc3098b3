import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { genericSource } from '../../../functions/sources/generic/index.ts';
import { MAX_GENERIC_RECORDS } from '../../../functions/sources/generic/schema.ts';
import { recordsOf, runSource } from '../run-source.ts';

const lookup = (overrides: Record<string, unknown> = {}) => ({
  kind: 'threat_lookup_result',
  observable: '198.51.100.7',
  finding: 'Malicious',
  source: 'Example Feed',
  ...overrides,
});

const mapping = {
  kind: 'enrichment_mapping',
  enrichmentMappingId: '0123456789abcdef0123456789abcdef',
  rawData: '{"ip":"198.51.100.7"}',
};

function issuesOf(json: unknown) {
  const result = runSource(genericSource, json);
  if (result.outcome !== 'invalid')
    throw new Error(`expected a schema error, got ${result.outcome}`);
  return result.error;
}

function pathsOf(error: z.ZodError): string[] {
  return error.issues.map((issue) => issue.path.map((key) => String(key)).join('.'));
}

describe('generic payload forms', () => {
  it.each([
    ['one record', lookup(), 1],
    ['an array', [lookup(), mapping], 2],
    ['a records envelope', { records: [lookup(), mapping, lookup({ finding: 'Clean' })] }, 3],
    ['an empty array', [], 0],
    ['an empty envelope', { records: [] }, 0],
  ])('accepts %s', (_case, json, count) => {
    expect(recordsOf(genericSource, json)).toHaveLength(count);
  });

  it('passes records through in order', () => {
    const records = recordsOf(genericSource, [mapping, lookup()]);

    expect(records[0]).toEqual(mapping);
    expect(records[1]).toMatchObject({ kind: 'threat_lookup_result', source: 'Example Feed' });
  });

  it(`accepts ${MAX_GENERIC_RECORDS} records`, () => {
    const records = Array.from({ length: MAX_GENERIC_RECORDS }, () => mapping);

    expect(recordsOf(genericSource, { records })).toHaveLength(MAX_GENERIC_RECORDS);
  });

  it(`rejects ${MAX_GENERIC_RECORDS + 1} records`, () => {
    const records = Array.from({ length: MAX_GENERIC_RECORDS + 1 }, () => mapping);

    const error = issuesOf({ records });

    expect(pathsOf(error)).toEqual(['records']);
    expect(error.issues[0]?.message).toContain('at most 500 records');
  });
});

describe('generic observables', () => {
  it.each([
    ['203.0.113.9', 'ipv4', '203.0.113.9'],
    ['2001:DB8::9', 'ipv6', '2001:db8::9'],
    ['D41D8CD98F00B204E9800998ECF8427E', 'md5', 'd41d8cd98f00b204e9800998ecf8427e'],
    ['https://Example.com/x', 'url', 'https://example.com/x'],
    ['soc@Example.org', 'email', 'soc@example.org'],
    ['Example.net', 'domain', 'example.net'],
  ])('detects the plain string %j', (observable, type, value) => {
    const [record] = recordsOf(genericSource, lookup({ observable }));

    expect(record).toMatchObject({ observable: { type, value } });
  });

  it('canonicalizes a typed observable', () => {
    const [record] = recordsOf(
      genericSource,
      lookup({ observable: { type: 'domain', value: 'WWW.Example.COM.' } }),
    );

    expect(record).toMatchObject({ observable: { type: 'domain', value: 'www.example.com' } });
  });

  it('canonicalizes enrichment observables too', () => {
    const [record] = recordsOf(genericSource, {
      kind: 'observable_enrichment',
      observable: 'hxxp://example[.]com/a',
      source: 'Example Sandbox',
      details: { verdict: 'dropper' },
    });

    expect(record).toMatchObject({ observable: { type: 'url', value: 'http://example.com/a' } });
  });

  it('names every bad observable in a batch', () => {
    const error = issuesOf({
      records: [
        lookup(),
        lookup({ observable: 'not an observable' }),
        lookup({ observable: { type: 'ipv4', value: '2001:db8::1' } }),
      ],
    });

    expect(pathsOf(error)).toEqual(['records.1.observable', 'records.2.observable']);
    expect(error.issues[0]?.message).toContain('Cannot tell what kind of observable');
    expect(error.issues[1]?.message).toContain('is not an IPv4 address');
  });

  it('rejects an observable with a port', () => {
    const error = issuesOf({
      records: [
        lookup({ observable: '192.0.2.7:8080' }),
        lookup({ observable: '[2001:db8::7]:443' }),
      ],
    });

    expect(pathsOf(error)).toEqual(['records.0.observable', 'records.1.observable']);
    expect(error.issues[0]?.message).toContain('is an IP address with port 8080');
    expect(error.issues[1]?.message).toContain('is an IP address with port 443');
  });

  it('lists the accepted observable types', () => {
    const error = issuesOf(lookup({ observable: { type: 'hostname', value: 'example.com' } }));

    expect(pathsOf(error)).toEqual(['observable.type']);
    expect(error.issues[0]?.message).toContain('"ipv4"|"ipv6"|"domain"');
  });
});

describe('generic schema errors', () => {
  it('names records[3].finding and the accepted findings', () => {
    const error = issuesOf({ records: [lookup(), lookup(), mapping, lookup({ finding: 'Bad' })] });

    const message = z.prettifyError(error);

    expect(message).toContain('at records[3].finding');
    expect(message).toContain('"Malicious"|"Suspicious"|"Clean"|"Unknown"');
  });

  it('names the index within a bare array', () => {
    const error = issuesOf([lookup(), lookup({ finding: 'Bad' })]);

    expect(z.prettifyError(error)).toContain('at [1].finding');
  });

  it('lists the accepted kinds', () => {
    const error = issuesOf({ records: [{ kind: 'verdict' }] });

    expect(pathsOf(error)).toEqual(['records.0.kind']);
    expect(error.issues[0]?.message).toContain(
      "'threat_lookup_result' | 'observable_enrichment' | 'ci_enrichment' | 'enrichment_mapping'",
    );
  });

  it('requires the vendor name in source', () => {
    const withoutSource: Record<string, unknown> = lookup();
    delete withoutSource.source;

    expect(pathsOf(issuesOf(withoutSource))).toEqual(['source']);
  });

  it('rejects a misspelt field', () => {
    const error = issuesOf(lookup({ sumary: 'typo' }));

    expect(error.issues[0]?.message).toContain('"sumary"');
  });

  it('rejects an unknown member beside records', () => {
    const error = issuesOf({ records: [], cursor: 'x' });

    expect(error.issues[0]?.message).toContain('"cursor"');
  });

  it('checks the enrichment mapping id', () => {
    const error = issuesOf({ ...mapping, enrichmentMappingId: 'not-a-sys-id' });

    expect(pathsOf(error)).toEqual(['enrichmentMappingId']);
    expect(error.issues[0]?.message).toContain('32-character sys_id');
  });

  it('checks timestamps', () => {
    expect(pathsOf(issuesOf(lookup({ lookedUpAt: 'yesterday' })))).toEqual(['lookedUpAt']);
  });

  it.each([
    ['a string', 'hello'],
    ['a number', 42],
    ['null', null],
  ])('rejects %s as the body', (_case, json) => {
    expect(issuesOf(json).issues.length).toBeGreaterThan(0);
  });
});
