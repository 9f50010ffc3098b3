import { describe, expect, it } from 'vitest';
import type { RelayRecord } from '../../../functions/records/record.ts';
import { shodanSource } from '../../../functions/sources/shodan/index.ts';
import { RECEIVED_AT, recordsOf, runSource } from '../run-source.ts';

function enrichmentsOf(records: RelayRecord[]) {
  return records.map((record) => {
    if (record.kind !== 'observable_enrichment') throw new Error(`unexpected ${record.kind}`);
    return record;
  });
}

function rejectionOf(json: unknown) {
  const result = runSource(shodanSource, json);
  if (result.outcome !== 'rejected') throw new Error(`expected a rejection, got ${result.outcome}`);
  return result.error;
}

const banner = {
  ip_str: '198.51.100.10',
  port: 22,
  transport: 'tcp',
  product: 'OpenSSH',
  version: '8.2p1',
  cpe23: ['cpe:2.3:a:openbsd:openssh:8.2p1'],
  cpe: ['cpe:/a:openbsd:openssh:8.2p1'],
  timestamp: '2025-05-31T06:14:22.918331',
  hostnames: ['www.example.com'],
  org: 'Example Hosting',
  data: 'SSH-2.0-OpenSSH_8.2p1\nowner: Jane Doe <jane@example.com>\n',
  _shodan: { module: 'ssh', crawler: 'abc' },
  vulns: { 'CVE-2023-38408': { cvss: 9.8, verified: false, summary: 'x' } },
  location: { country_code: 'US', country_name: 'United States', city: 'San Jose' },
};

const host = {
  ip_str: '198.51.100.10',
  ip: 3325256714,
  ports: [443, 22],
  hostnames: ['www.example.com'],
  domains: ['example.com'],
  org: 'Example Hosting',
  isp: 'Example ISP',
  asn: 'AS64510',
  country_code: 'US',
  country_name: 'United States',
  city: 'San Jose',
  os: null,
  tags: ['self-signed'],
  vulns: ['CVE-2021-41617'],
  last_update: '2025-05-31T06:14:22.918331',
  latitude: 37.3,
  longitude: -121.9,
  data: [
    banner,
    {
      ...banner,
      port: 443,
      product: 'nginx',
      version: 1.18,
      _shodan: { module: 'https' },
      vulns: undefined,
    },
  ],
};

describe('shodan host responses', () => {
  it('gives one enrichment and no lookup result', () => {
    const records = recordsOf(shodanSource, host);

    expect(records.map((record) => record.kind)).toEqual(['observable_enrichment']);
  });

  it('fills the enrichment', () => {
    const [enrichment] = enrichmentsOf(recordsOf(shodanSource, host));

    expect(enrichment?.observable).toEqual({ type: 'ipv4', value: '198.51.100.10' });
    expect(enrichment?.source).toBe('Shodan');
    expect(enrichment?.enrichedAt).toBe('2025-05-31T06:14:22.918Z');
    expect(enrichment?.summary).toBe(
      'Shodan lists 2 open ports (22, 443) and 2 known vulnerabilities on 198.51.100.10 of ' +
        'Example Hosting; last updated 2025-05-31T06:14:22.918Z.',
    );
    expect(enrichment?.details).toEqual({
      ports: [22, 443],
      hostnames: ['www.example.com'],
      domains: ['example.com'],
      tags: ['self-signed'],
      vulns: ['CVE-2023-38408', 'CVE-2021-41617'],
      cpes: ['cpe:/a:openbsd:openssh:8.2p1', 'cpe:2.3:a:openbsd:openssh:8.2p1'],
      services: [
        { port: 22, transport: 'tcp', product: 'OpenSSH', version: '8.2p1', module: 'ssh' },
        { port: 443, transport: 'tcp', product: 'nginx', version: '1.18', module: 'https' },
      ],
      org: 'Example Hosting',
      isp: 'Example ISP',
      asn: 'AS64510',
      countryCode: 'US',
      countryName: 'United States',
      city: 'San Jose',
      lastUpdate: '2025-05-31T06:14:22.918Z',
      ipScope: 'documentation',
      reportUrl: 'https://www.shodan.io/host/198.51.100.10',
    });
  });

  it('never forwards banner text or coordinates', () => {
    const serialized = JSON.stringify(recordsOf(shodanSource, host));

    expect(serialized).not.toContain('Jane Doe');
    expect(serialized).not.toContain('jane@example.com');
    expect(serialized).not.toContain('SSH-2.0');
    expect(serialized).not.toContain('37.3');
  });

  it('never makes a verdict, not even for many CVEs', () => {
    const vulns = Array.from({ length: 150 }, (_, index) => `CVE-2024-${1000 + index}`);
    const records = recordsOf(shodanSource, { ...host, vulns, tags: ['malware', 'c2'] });

    expect(records.every((record) => record.kind === 'observable_enrichment')).toBe(true);
  });

  it('caps the CVE list at the newest 100 and gives the total', () => {
    const vulns = Array.from({ length: 150 }, (_, index) => `CVE-2024-${1000 + index}`);
    const [enrichment] = enrichmentsOf(recordsOf(shodanSource, { ...host, vulns, data: [] }));

    expect(enrichment?.details?.vulns).toHaveLength(100);
    expect((enrichment?.details?.vulns as string[])[0]).toBe('CVE-2024-1149');
    expect(enrichment?.details?.vulnsTotal).toBe(150);
  });

  it('falls back to the receive time without last_update', () => {
    const [enrichment] = enrichmentsOf(recordsOf(shodanSource, { ip_str: '192.0.2.1' }));

    expect(enrichment?.enrichedAt).toBe(RECEIVED_AT.toISOString());
    expect(enrichment?.summary).toBe(
      'Shodan lists no open ports and no known vulnerabilities on 192.0.2.1.',
    );
  });

  it('canonicalizes an IPv6 host', () => {
    const [enrichment] = enrichmentsOf(recordsOf(shodanSource, { ip_str: '2001:DB8::A' }));

    expect(enrichment?.observable).toEqual({ type: 'ipv6', value: '2001:db8::a' });
    expect(enrichment?.details?.reportUrl).toBe('https://www.shodan.io/host/2001:db8::a');
  });

  it('rejects a host whose address is no IP address', () => {
    const error = rejectionOf({ ip_str: 'www.example.com' });

    expect(error.path).toEqual(['ip_str']);
  });
});

describe('shodan InternetDB lookups', () => {
  it('gives one enrichment with ports, CPEs and CVEs', () => {
    const [enrichment] = enrichmentsOf(
      recordsOf(shodanSource, {
        ip: '203.0.113.20',
        ports: [443, 80],
        hostnames: ['mail.example.org'],
        cpes: ['cpe:/a:php:php:7.4.3'],
        tags: ['eol-product'],
        vulns: ['CVE-2019-9020', 'CVE-2022-31813', 'CVE-2019-10098'],
      }),
    );

    expect(enrichment?.summary).toBe(
      'Shodan InternetDB lists 2 open ports (80, 443) and 3 known vulnerabilities on 203.0.113.20.',
    );
    expect(enrichment?.enrichedAt).toBe(RECEIVED_AT.toISOString());
    expect(enrichment?.details).toEqual({
      ports: [80, 443],
      hostnames: ['mail.example.org'],
      tags: ['eol-product'],
      vulns: ['CVE-2022-31813', 'CVE-2019-10098', 'CVE-2019-9020'],
      cpes: ['cpe:/a:php:php:7.4.3'],
      ipScope: 'documentation',
      reportUrl: 'https://www.shodan.io/host/203.0.113.20',
    });
  });

  it('rejects the not-found body and says why no record is made', () => {
    const error = rejectionOf({ detail: 'No information available' });

    expect(error.message).toContain('Shodan has no information');
    expect(error.message).toContain('gives no verdicts');
    expect(error.path).toEqual(['detail']);
  });
});

describe('shodan host searches', () => {
  const search = {
    matches: [
      {
        ...banner,
        ip_str: '203.0.113.20',
        port: 80,
        timestamp: '2025-05-29T11:20:05.441200',
        org: 'Old Org',
      },
      {
        ...banner,
        ip_str: '203.0.113.20',
        port: 25,
        timestamp: '2025-05-30T02:44:51.003117',
        org: 'New Org',
      },
      {
        ...banner,
        ip_str: '2001:db8:0:1::3389',
        port: 3389,
        timestamp: '2025-05-28T16:05:12.730000',
      },
    ],
    total: 3,
  };

  it('gives one enrichment per address', () => {
    const enrichments = enrichmentsOf(recordsOf(shodanSource, search));

    expect(enrichments.map((enrichment) => enrichment.observable.value)).toEqual([
      '203.0.113.20',
      '2001:db8:0:1::3389',
    ]);
    expect(enrichments[0]?.details?.ports).toEqual([25, 80]);
  });

  it('takes owner and time from the newest banner', () => {
    const [first] = enrichmentsOf(recordsOf(shodanSource, search));

    expect(first?.details?.org).toBe('New Org');
    expect(first?.enrichedAt).toBe('2025-05-30T02:44:51.003Z');
  });

  it('merges spellings of one address', () => {
    const records = recordsOf(shodanSource, {
      matches: [
        { ip_str: '2001:db8::1', port: 80 },
        { ip_str: '2001:DB8:0:0::1', port: 443 },
      ],
    });

    expect(records).toHaveLength(1);
  });

  it('gives no records for a search without matches', () => {
    expect(recordsOf(shodanSource, { matches: [], total: 0 })).toEqual([]);
  });

  it('names the match whose address is invalid', () => {
    const error = rejectionOf({ matches: [{ ip_str: '192.0.2.1' }, { ip_str: 'nope' }] });

    expect(error.path).toEqual(['matches', 1, 'ip_str']);
  });
});

describe('shodan error bodies', () => {
  it('rejects an API error naming it', () => {
    const error = rejectionOf({ error: 'Invalid API key' });

    expect(error.message).toContain(
      'Shodan returned an error instead of a result ("Invalid API key")',
    );
    expect(error.path).toEqual(['error']);
  });

  it('rejects the host not-found body', () => {
    const error = rejectionOf({ error: 'No information available for that IP.' });

    expect(error.message).toContain('Shodan has no information');
  });
});
