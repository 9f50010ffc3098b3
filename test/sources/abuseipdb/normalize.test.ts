import { describe, expect, it } from 'vitest';
import { abuseIpDbSource } from '../../../functions/sources/abuseipdb/index.ts';
import { RECEIVED_AT, recordsOf, runSource } from '../run-source.ts';
import { enrichmentOf, lookupOf } from '../shared/record-kinds.ts';

const REPORT_COMMENT = 'Invalid user jdoe from 192.0.2.9, seen by admin@example.com';

function check(overrides: Record<string, unknown> = {}) {
  return {
    data: {
      ipAddress: '192.0.2.9',
      isPublic: true,
      ipVersion: 4,
      isWhitelisted: false,
      abuseConfidenceScore: 97,
      countryCode: 'DE',
      usageType: 'Data Center/Web Hosting/Transit',
      isp: 'Example Hosting',
      domain: 'example.net',
      hostnames: ['host-9.example.net'],
      isTor: false,
      totalReports: 25,
      numDistinctUsers: 9,
      lastReportedAt: '2025-05-30T17:42:09+00:00',
      ...overrides,
    },
  };
}

describe('abuseipdb records', () => {
  it('gives a lookup result and an enrichment', () => {
    const records = recordsOf(abuseIpDbSource, check());

    expect(records.map((record) => record.kind)).toEqual([
      'threat_lookup_result',
      'observable_enrichment',
    ]);
  });

  it('fills the lookup result', () => {
    const lookup = lookupOf(recordsOf(abuseIpDbSource, check()));

    expect(lookup.observable).toEqual({ type: 'ipv4', value: '192.0.2.9' });
    expect(lookup.finding).toBe('Malicious');
    expect(lookup.source).toBe('AbuseIPDB');
    expect(lookup.reportUrl).toBe('https://www.abuseipdb.com/check/192.0.2.9');
    expect(lookup.lookedUpAt).toBe(RECEIVED_AT.toISOString());
    expect(lookup.summary).toBe(
      'AbuseIPDB gives 192.0.2.9 an abuse confidence score of 97, from 25 reports by 9 users, ' +
        'the last on 2025-05-30T17:42:09.000Z. The score 97 reaches the Malicious threshold of 80.',
    );
  });

  it('fills the enrichment details', () => {
    const enrichment = enrichmentOf(recordsOf(abuseIpDbSource, check()));

    expect(enrichment.details).toEqual({
      abuseConfidenceScore: 97,
      totalReports: 25,
      numDistinctUsers: 9,
      lastReportedAt: '2025-05-30T17:42:09.000Z',
      isPublic: true,
      isWhitelisted: false,
      isTor: false,
      ipVersion: 4,
      usageType: 'Data Center/Web Hosting/Transit',
      isp: 'Example Hosting',
      domain: 'example.net',
      hostnames: ['host-9.example.net'],
      countryCode: 'DE',
      ipScope: 'documentation',
      reportUrl: 'https://www.abuseipdb.com/check/192.0.2.9',
    });
  });

  it('canonicalizes an IPv6 address', () => {
    const lookup = lookupOf(recordsOf(abuseIpDbSource, check({ ipAddress: '2001:DB8:0:0::7' })));

    expect(lookup.observable).toEqual({ type: 'ipv6', value: '2001:db8::7' });
    expect(lookup.reportUrl).toBe('https://www.abuseipdb.com/check/2001:db8::7');
  });

  it('turns an IPv4-mapped address into IPv4', () => {
    const lookup = lookupOf(recordsOf(abuseIpDbSource, check({ ipAddress: '::ffff:192.0.2.9' })));

    expect(lookup.observable).toEqual({ type: 'ipv4', value: '192.0.2.9' });
  });

  it('reads the older numReports count', () => {
    const records = recordsOf(abuseIpDbSource, check({ totalReports: undefined, numReports: 0 }));

    expect(lookupOf(records).finding).toBe('Unknown');
    expect(enrichmentOf(records).details?.totalReports).toBe(0);
  });

  it('says so when there are no reports', () => {
    const lookup = lookupOf(
      recordsOf(abuseIpDbSource, check({ totalReports: 0, abuseConfidenceScore: 0 })),
    );

    expect(lookup.summary).toContain('with no reports.');
    expect(lookup.finding).toBe('Unknown');
  });

  it('gives a private address Unknown despite a high score', () => {
    const lookup = lookupOf(
      recordsOf(
        abuseIpDbSource,
        check({ ipAddress: '10.1.2.3', isPublic: true, abuseConfidenceScore: 100 }),
      ),
    );

    expect(lookup.finding).toBe('Unknown');
    expect(lookup.summary).toContain('a private address');
  });

  it('rejects an address that is no IP address', () => {
    const result = runSource(abuseIpDbSource, check({ ipAddress: 'example.com' }));

    expect(result.outcome).toBe('rejected');
    if (result.outcome !== 'rejected') return;
    expect(result.error.path).toEqual(['data', 'ipAddress']);
    expect(result.error.message).toContain('example.com');
  });
});

describe('abuseipdb verbose reports', () => {
  const verbose = check({
    countryName: 'Germany',
    reports: [
      {
        reportedAt: '2025-05-30T17:42:09+00:00',
        comment: REPORT_COMMENT,
        categories: [18, 22],
        reporterId: 4711,
        reporterCountryCode: 'US',
        reporterCountryName: 'United States',
      },
      {
        reportedAt: '2025-05-29T10:00:00+00:00',
        comment: 'Port scan',
        categories: [14, 18, 18, 99],
        reporterId: 815,
        reporterCountryCode: 'US',
      },
      { reportedAt: '2025-05-28T10:00:00+00:00', categories: [], reporterCountryCode: 'FR' },
    ],
  });

  it('counts reports per category and reporter country', () => {
    const details = enrichmentOf(recordsOf(abuseIpDbSource, verbose)).details;

    expect(details?.reportsListed).toBe(3);
    expect(details?.reportCategories).toEqual({
      'Brute-Force': 2,
      'Category 99': 1,
      'Port Scan': 1,
      SSH: 1,
    });
    expect(details?.reporterCountries).toEqual({ US: 2, FR: 1 });
    expect(details?.countryName).toBe('Germany');
  });

  it('never forwards report comments or reporter ids', () => {
    const serialized = JSON.stringify(recordsOf(abuseIpDbSource, verbose));

    expect(serialized).not.toContain('jdoe');
    expect(serialized).not.toContain('admin@example.com');
    expect(serialized).not.toContain('Port scan');
    expect(serialized).not.toContain('"comment"');
    expect(serialized).not.toContain('reporterId');
    expect(serialized).not.toContain('4711');
  });

  it('keeps the reports in the raw payload without comments', () => {
    const raw = JSON.parse(lookupOf(recordsOf(abuseIpDbSource, verbose)).rawPayload ?? '{}');

    expect(raw.data.reports).toHaveLength(3);
    expect(raw.data.reports[0]).toEqual({
      reportedAt: '2025-05-30T17:42:09+00:00',
      categories: [18, 22],
      reporterCountryCode: 'US',
      reporterCountryName: 'United States',
    });
  });

  it('drops the reports first from an oversized raw payload', () => {
    const many = Array.from({ length: 2000 }, (_, index) => ({
      reportedAt: '2025-05-30T17:42:09+00:00',
      comment: `comment ${index} ${'x'.repeat(40)}`,
      categories: [18, 22],
      reporterId: index,
      reporterCountryCode: 'US',
      reporterCountryName: 'United States',
    }));
    const lookup = lookupOf(recordsOf(abuseIpDbSource, check({ reports: many })));
    const raw = JSON.parse(lookup.rawPayload ?? '{}');

    expect(raw.data.reports).toBeUndefined();
    expect(raw.relayTruncated.omitted).toEqual(['data.reports']);
    expect(raw.data.abuseConfidenceScore).toBe(97);
  });
});

describe('abuseipdb rejections', () => {
  it('rejects an error body naming the status and detail', () => {
    const result = runSource(abuseIpDbSource, {
      errors: [
        {
          detail:
            'The ip address must be a valid IPv4 or IPv6 address (e.g. 8.8.8.8 or 2001:4860:4860::8888).',
          status: 422,
          source: { parameter: 'ipAddress' },
        },
      ],
    });

    expect(result.outcome).toBe('rejected');
    if (result.outcome !== 'rejected') return;
    expect(result.error.message).toContain('AbuseIPDB returned an error');
    expect(result.error.message).toContain('422 "The ip address must be a valid IPv4');
    expect(result.error.message).toContain('no record');
    expect(result.error.path).toEqual(['errors', 0, 'detail']);
  });

  it('lists every error of the body', () => {
    const result = runSource(abuseIpDbSource, {
      errors: [{ detail: 'First problem.', status: 422 }, { detail: 'Second problem.' }],
    });
    if (result.outcome !== 'rejected') throw new Error(result.outcome);

    expect(result.error.message).toContain('422 "First problem."; "Second problem."');
  });

  it('rejects a /check-block response and says what to send', () => {
    const result = runSource(abuseIpDbSource, {
      data: {
        networkAddress: '198.51.100.0',
        netmask: '255.255.255.0',
        reportedAddress: [{ ipAddress: '198.51.100.7', numReports: 3, abuseConfidenceScore: 40 }],
      },
    });

    expect(result.outcome).toBe('rejected');
    if (result.outcome !== 'rejected') return;
    expect(result.error.message).toContain('/check-block');
    expect(result.error.message).toContain('GET /api/v2/check');
    expect(result.error.path).toEqual(['data', 'networkAddress']);
  });
});
