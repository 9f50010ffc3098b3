import { describe, expect, it } from 'vitest';
import { DETAILS_BUDGET } from '../../../functions/sources/shared/detail-values.ts';
import { urlhausSource } from '../../../functions/sources/urlhaus/index.ts';
import { RECEIVED_AT, recordsOf } from '../run-source.ts';
import {
  enrichmentOf,
  findingsOf,
  lookupOf,
  rejectionOf,
  runWithSkips,
} from '../shared/run-with-skips.ts';

const SHA256 = '3c5e7a9b1d2f4e6c8a0b2d4f6e8c0a1b3d5f7e9c1a3b5d7f9e1c3a5b7d9f1e3c';
const MD5 = '0a1b2c3d4e5f60718293a4b5c6d7e8f9';

function urlLookup(overrides: Record<string, unknown> = {}) {
  return {
    query_status: 'ok',
    id: '105821',
    urlhaus_reference: 'https://urlhaus.abuse.ch/url/105821/',
    url: 'http://downloads.example.net/invoice.doc',
    url_status: 'online',
    host: 'downloads.example.net',
    date_added: '2025-05-18 03:45:10 UTC',
    threat: 'malware_download',
    blacklists: { spamhaus_dbl: 'not listed', surbl: 'not listed' },
    reporter: 'someone_handle',
    larted: 'true',
    tags: ['doc', 'emotet'],
    payloads: [
      {
        firstseen: '2025-05-18',
        filename: 'Invoice_for_Jane_Doe.doc',
        file_type: 'doc',
        response_size: '174928',
        response_md5: MD5,
        response_sha256: SHA256,
        signature: 'Heodo',
        virustotal: { result: '12 / 60', percent: '20.00', link: 'https://www.virustotal.com/x' },
      },
    ],
    ...overrides,
  };
}

function hostLookup(overrides: Record<string, unknown> = {}) {
  return {
    query_status: 'ok',
    urlhaus_reference: 'https://urlhaus.abuse.ch/host/shop.example.org/',
    host: 'shop.example.org',
    firstseen: '2025-04-02 09:13:55 UTC',
    url_count: '2',
    blacklists: { spamhaus_dbl: 'not listed', surbl: 'not listed' },
    urls: [
      { url: 'https://shop.example.org/a.exe', url_status: 'online', reporter: 'someone_handle' },
      { url: 'https://shop.example.org/b.zip', url_status: 'offline', tags: ['zip'] },
    ],
    ...overrides,
  };
}

describe('urlhaus URL lookup', () => {
  it('gives a lookup result and an enrichment', () => {
    const records = recordsOf(urlhausSource, urlLookup());

    expect(records.map((record) => record.kind)).toEqual([
      'threat_lookup_result',
      'observable_enrichment',
    ]);
    expect(lookupOf(records)).toMatchObject({
      observable: { type: 'url', value: 'http://downloads.example.net/invoice.doc' },
      finding: 'Malicious',
      source: 'URLhaus',
      reportUrl: 'https://urlhaus.abuse.ch/url/105821/',
      lookedUpAt: RECEIVED_AT.toISOString(),
    });
  });

  it('summarizes threat, status and rule', () => {
    const lookup = lookupOf(recordsOf(urlhausSource, urlLookup({ url_status: 'offline' })));

    expect(lookup.summary).toBe(
      'URLhaus lists this URL for malware_download; it is offline. An offline URLhaus URL ' +
        'served malware before, so it counts as Suspicious.',
    );
  });

  it('puts status, tags, blocklists and payloads into details', () => {
    const { details } = enrichmentOf(recordsOf(urlhausSource, urlLookup()));

    expect(details).toMatchObject({
      urlhausId: 105821,
      urlStatus: 'online',
      threat: 'malware_download',
      dateAdded: '2025-05-18T03:45:10.000Z',
      tags: ['doc', 'emotet'],
      spamhausDbl: 'not listed',
      surbl: 'not listed',
      larted: true,
      payloadCount: 1,
      payloads: [
        {
          firstSeen: '2025-05-18T00:00:00.000Z',
          fileType: 'doc',
          size: 174928,
          md5: MD5,
          sha256: SHA256,
          signature: 'Heodo',
          virusTotalResult: '12 / 60',
          virusTotalPercent: 20,
        },
      ],
      reportUrl: 'https://urlhaus.abuse.ch/url/105821/',
    });
  });

  it('keeps reporter handles and file names out', () => {
    const serialized = JSON.stringify(recordsOf(urlhausSource, urlLookup()));

    expect(serialized).not.toContain('someone_handle');
    expect(serialized).not.toContain('Jane_Doe');
  });

  it('keeps the rest of the response in the raw payload', () => {
    const raw = JSON.parse(lookupOf(recordsOf(urlhausSource, urlLookup())).rawPayload!);

    expect(raw).toMatchObject({ url_status: 'online', threat: 'malware_download' });
    expect(raw).not.toHaveProperty('reporter');
  });

  it('builds the report link from the id when the reference is elsewhere', () => {
    const lookup = lookupOf(
      recordsOf(
        urlhausSource,
        urlLookup({ urlhaus_reference: 'https://phish.example.com/url/1/' }),
      ),
    );

    expect(lookup.reportUrl).toBe('https://urlhaus.abuse.ch/url/105821/');
  });

  it('rejects a URL that is no URL', () => {
    const error = rejectionOf(urlhausSource, urlLookup({ url: 'not a url' }));

    expect(error.path).toEqual(['url']);
    expect(error.message).toContain('not a url');
  });
});

describe('urlhaus host lookup', () => {
  it('judges a domain with malware URLs Suspicious', () => {
    const records = recordsOf(urlhausSource, hostLookup());

    expect(lookupOf(records)).toMatchObject({
      observable: { type: 'domain', value: 'shop.example.org' },
      finding: 'Suspicious',
      reportUrl: 'https://urlhaus.abuse.ch/host/shop.example.org/',
    });
  });

  it('judges a host on a malicious DBL category Malicious', () => {
    const json = hostLookup({
      blacklists: { spamhaus_dbl: 'botnet_cc_domain', surbl: 'not listed' },
    });

    expect(lookupOf(recordsOf(urlhausSource, json)).finding).toBe('Malicious');
  });

  it('counts URLs and online URLs into details', () => {
    const { details } = enrichmentOf(recordsOf(urlhausSource, hostLookup()));

    expect(details).toMatchObject({
      host: 'shop.example.org',
      urlCount: 2,
      urlsOnline: 1,
      urlsListed: 2,
      firstSeen: '2025-04-02T09:13:55.000Z',
      tags: ['zip'],
      urls: [
        { url: 'https://shop.example.org/a.exe', status: 'online' },
        { url: 'https://shop.example.org/b.zip', status: 'offline' },
      ],
    });
  });

  it('takes urls_online over counting the listed URLs', () => {
    const { details } = enrichmentOf(recordsOf(urlhausSource, hostLookup({ urls_online: '7' })));

    expect(details.urlsOnline).toBe(7);
  });

  it('reads an IP host and records its scope', () => {
    const records = recordsOf(
      urlhausSource,
      hostLookup({ host: '198.51.100.23', urlhaus_reference: undefined }),
    );

    expect(lookupOf(records).observable).toEqual({ type: 'ipv4', value: '198.51.100.23' });
    expect(lookupOf(records).reportUrl).toBe('https://urlhaus.abuse.ch/host/198.51.100.23/');
    expect(enrichmentOf(records).details.ipScope).toBe('documentation');
  });

  it('keeps Malicious off a private address', () => {
    const records = recordsOf(
      urlhausSource,
      hostLookup({ host: '192.168.1.1', blacklists: { surbl: 'listed' } }),
    );

    expect(lookupOf(records).finding).toBe('Unknown');
    expect(lookupOf(records).summary).toContain('private');
    expect(enrichmentOf(records).details.ipScope).toBe('private');
  });

  it('judges a host without URLs Unknown', () => {
    const records = recordsOf(urlhausSource, hostLookup({ url_count: '0', urls: [] }));

    expect(lookupOf(records).finding).toBe('Unknown');
  });

  it('rejects a host that is a hash', () => {
    const error = rejectionOf(urlhausSource, hostLookup({ host: SHA256 }));

    expect(error.path).toEqual(['host']);
    expect(error.message).toContain('ipv4, ipv6, domain');
  });
});

describe('urlhaus payload lookup', () => {
  const payload = {
    query_status: 'ok',
    md5_hash: MD5,
    sha256_hash: SHA256,
    file_type: 'exe',
    file_size: '3072',
    signature: 'AgentTesla',
    firstseen: '2025-05-18 03:45:12',
    url_count: '1',
    virustotal: null,
    urls: [
      { url_id: '1', url: 'http://example.com/a.exe', url_status: 'offline', filename: 'a.exe' },
    ],
  };

  it('records the SHA-256 with the malware family', () => {
    const records = recordsOf(urlhausSource, payload);

    expect(lookupOf(records)).toMatchObject({
      observable: { type: 'sha256', value: SHA256 },
      finding: 'Malicious',
      summary: expect.stringContaining('malware family AgentTesla'),
    });
    expect(lookupOf(records).reportUrl).toBeUndefined();
    expect(enrichmentOf(records).details).toMatchObject({
      md5: MD5,
      fileType: 'exe',
      fileSize: 3072,
      urlCount: 1,
      urls: [{ url: 'http://example.com/a.exe', status: 'offline' }],
    });
  });

  it('falls back to the MD5', () => {
    const records = recordsOf(urlhausSource, { ...payload, sha256_hash: null, signature: null });

    expect(lookupOf(records).observable).toEqual({ type: 'md5', value: MD5 });
    expect(lookupOf(records).finding).toBe('Suspicious');
  });

  it('rejects a payload lookup without hashes', () => {
    const error = rejectionOf(urlhausSource, {
      query_status: 'ok',
      md5_hash: null,
      sha256_hash: null,
      urls: [],
    });

    expect(error.path).toEqual(['sha256_hash']);
    expect(error.message).toContain('neither sha256_hash nor md5_hash');
  });
});

describe('urlhaus lists', () => {
  it('gives two records per URL of a list', () => {
    const records = recordsOf(urlhausSource, {
      query_status: 'ok',
      urls: [
        { id: 1, url: 'http://198.51.100.23:59984/i', url_status: 'online' },
        {
          url_id: '2',
          url: 'http://203.0.113.5/bins/arm7',
          url_status: 'offline',
          dateadded: '2025-05-18 03:44:15',
        },
      ],
    });

    expect(findingsOf(records)).toEqual({
      'http://198.51.100.23:59984/i': 'Malicious',
      'http://203.0.113.5/bins/arm7': 'Suspicious',
    });
    expect(enrichmentOf(records, 1).details.dateAdded).toBe('2025-05-18T03:44:15.000Z');
  });

  it('gives two records per payload of a list', () => {
    const records = recordsOf(urlhausSource, {
      query_status: 'ok',
      payloads: [{ sha256_hash: SHA256, signature: 'Mozi' }, { md5_hash: MD5 }],
    });

    expect(findingsOf(records)).toEqual({ [SHA256]: 'Malicious', [MD5]: 'Suspicious' });
  });

  it('skips entries it cannot read and reports them', () => {
    const { result, skips } = runWithSkips(urlhausSource, {
      query_status: 'ok',
      urls: [
        { url: 'http://example.com/good', url_status: 'online' },
        { url: 'mailto:someone@example.com', url_status: 'online' },
      ],
    });

    expect(result.outcome).toBe('records');
    if (result.outcome !== 'records') return;
    expect(Object.keys(findingsOf(result.records))).toEqual(['http://example.com/good']);
    expect(skips).toEqual([
      {
        reason: 'invalid_item',
        detail: { path: ['urls', 1, 'url'], error: expect.stringContaining('mailto:') },
      },
    ]);
  });

  it('skips payloads without hashes', () => {
    const { result, skips } = runWithSkips(urlhausSource, {
      query_status: 'ok',
      payloads: [{ file_type: 'exe' }],
    });

    expect(result).toEqual({ outcome: 'records', records: [] });
    expect(skips[0]?.detail.path).toEqual(['payloads', 0, 'sha256_hash']);
  });

  it.each([['urls'], ['payloads']])('gives no records for an empty %s list', (member) => {
    expect(recordsOf(urlhausSource, { query_status: 'ok', [member]: [] })).toEqual([]);
  });
});

describe('urlhaus status responses', () => {
  it.each([
    ['no_results', /no entry for the value looked up/],
    ['not_found', /no entry for the value looked up/],
    ['invalid_url', /instead of a result/],
    ['invalid_host', /instead of a result/],
    ['http_post_expected', /instead of a result/],
    ['unknown_auth_key', /instead of a result/],
  ])('rejects query_status %s', (status, message) => {
    const error = rejectionOf(urlhausSource, { query_status: status });

    expect(error.path).toEqual(['query_status']);
    expect(error.message).toContain(`"${status}"`);
    expect(error.message).toMatch(message);
  });

  it('rejects an ok response of no known shape', () => {
    const error = rejectionOf(urlhausSource, { query_status: 'ok', something: 'else' });

    expect(error.message).toContain('none of the members the relay reads');
  });
});

describe('urlhaus details size', () => {
  it('stays within the budget with huge tags', () => {
    const tags = Array.from({ length: 50 }, (_, index) => `${index}-${'x'.repeat(20_000)}`);
    const records = recordsOf(urlhausSource, urlLookup({ tags }));

    expect(JSON.stringify(enrichmentOf(records).details).length).toBeLessThanOrEqual(
      DETAILS_BUDGET,
    );
    expect(lookupOf(records).finding).toBe('Malicious');
  });
});
