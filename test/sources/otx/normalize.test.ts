import { describe, expect, it } from 'vitest';
import { MAX_RAW_PAYLOAD_LENGTH } from '../../../functions/records/record.ts';
import { otxSource } from '../../../functions/sources/otx/index.ts';
import { RECEIVED_AT, recordsOf } from '../run-source.ts';
import {
  enrichmentOf,
  lookupOf,
  recordOfKind,
  rejectionOf,
  withDetails,
} from '../shared/run-with-skips.ts';

const SHA256 = '9f2c4b6d8e0a1c3e5f7b9d1a3c5e7f9b1d3f5a7c9e1b3d5f7a9c1e3b5d7f9a1c';

function pulse(index: number, overrides: Record<string, unknown> = {}) {
  return {
    id: `pulse-${index}`,
    name: `Campaign ${index}`,
    description: 'Contact Jane Doe at jane.doe@example.com for the full report.',
    modified: `2025-05-${String(10 + index).padStart(2, '0')}T10:00:00.000000`,
    created: '2025-05-01T10:00:00.000000',
    tags: ['c2', `tag-${index}`],
    references: ['Registrant: Jane Doe, 1 Example Street'],
    adversary: index === 1 ? 'Example Spider' : '',
    malware_families: [{ id: 'Cobalt Strike', display_name: 'Cobalt Strike', target: null }],
    attack_ids: [
      {
        id: 'T1071',
        name: 'Application Layer Protocol',
        display_name: 'T1071 - Application Layer Protocol',
      },
    ],
    TLP: 'white',
    author: { username: 'pulse_author_handle', id: '1' },
    ...overrides,
  };
}

function general(overrides: Record<string, unknown> = {}) {
  return {
    whois: 'http://whois.domaintools.com/203.0.113.9',
    reputation: 0,
    indicator: '203.0.113.9',
    type: 'IPv4',
    type_title: 'IPv4',
    base_indicator: { id: 1, indicator: '203.0.113.9', description: 'free text', content: '' },
    pulse_info: {
      count: 3,
      pulses: [pulse(1), pulse(2), pulse(3)],
      references: ['Registrant: Jane Doe'],
      related: {
        alienvault: { adversary: [], malware_families: [], industries: [] },
        other: {
          adversary: ['Example Spider'],
          malware_families: ['LockBit'],
          industries: ['Finance'],
        },
      },
    },
    false_positive: [],
    validation: [],
    asn: 'AS64500 example hosting ltd.',
    country_code: 'NL',
    country_name: 'Netherlands',
    ...overrides,
  };
}

function resolution(hostname: string, address: string, last = '2025-05-18T21:14:09') {
  return {
    hostname,
    address,
    first: '2025-05-01T00:00:00',
    last,
    record_type: 'A',
    asn: 'AS64500 example ',
    flag_title: 'Netherlands',
  };
}

describe('otx general section', () => {
  it('gives a lookup result and an enrichment', () => {
    const records = recordsOf(otxSource, general());

    expect(records.map((record) => record.kind)).toEqual([
      'threat_lookup_result',
      'observable_enrichment',
    ]);
    expect(lookupOf(records)).toMatchObject({
      observable: { type: 'ipv4', value: '203.0.113.9' },
      finding: 'Malicious',
      source: 'AlienVault OTX',
      summary: 'OTX lists this indicator in 3 pulses. 3 pulses reach the Malicious threshold of 2.',
      reportUrl: 'https://otx.alienvault.com/indicator/ip/203.0.113.9',
      lookedUpAt: RECEIVED_AT.toISOString(),
    });
  });

  it.each([
    ['IPv6', '2001:DB8::9', { type: 'ipv6', value: '2001:db8::9' }, 'ip/2001:db8::9'],
    ['domain', 'Example.COM', { type: 'domain', value: 'example.com' }, 'domain/example.com'],
    [
      'hostname',
      'www.example.com',
      { type: 'domain', value: 'www.example.com' },
      'hostname/www.example.com',
    ],
    [
      'url',
      'http://www.example.net/a?b=1',
      { type: 'url', value: 'http://www.example.net/a?b=1' },
      'url/http:%2F%2Fwww.example.net%2Fa%3Fb%3D1',
    ],
    [
      'email',
      'Phisher@Example.org',
      { type: 'email', value: 'phisher@example.org' },
      'email/phisher%40example.org',
    ],
    ['sha256', SHA256.toUpperCase(), { type: 'sha256', value: SHA256 }, `file/${SHA256}`],
    [
      'FileHash-SHA1',
      'a'.repeat(40),
      { type: 'sha1', value: 'a'.repeat(40) },
      `file/${'a'.repeat(40)}`,
    ],
    [
      'FileHash-MD5',
      'b'.repeat(32),
      { type: 'md5', value: 'b'.repeat(32) },
      `file/${'b'.repeat(32)}`,
    ],
    ['file', 'c'.repeat(64), { type: 'sha256', value: 'c'.repeat(64) }, `file/${'c'.repeat(64)}`],
  ])('reads a %s indicator', (type, indicator, observable, page) => {
    const lookup = lookupOf(recordsOf(otxSource, general({ type, indicator })));

    expect(lookup.observable).toEqual(observable);
    expect(lookup.reportUrl).toBe(`https://otx.alienvault.com/indicator/${page}`);
  });

  it.each([
    ['cve', 'CVE-2024-3400', ['type'], 'not an observable the relay records'],
    ['IPv4', 'not an address', ['indicator'], 'not an IPv4 address'],
    ['FileHash-SHA256', 'a'.repeat(40), ['indicator'], 'not a sha256 digest'],
    ['file', 'xyz', ['indicator'], 'not an MD5, SHA-1, SHA-256 or SHA-512'],
  ])('rejects a %s indicator %s', (type, indicator, path, message) => {
    const error = rejectionOf(otxSource, general({ type, indicator }));

    expect(error.path).toEqual(path);
    expect(error.message).toContain(message);
  });

  it('puts pulses, notes and network into details', () => {
    const { details } = enrichmentOf(
      recordsOf(
        otxSource,
        general({
          validation: [{ source: 'cloud', name: 'Cloud Provider IP range', message: 'azure' }],
        }),
      ),
    );

    expect(details).toMatchObject({
      otxType: 'IPv4',
      pulseCount: 3,
      reputation: 0,
      validation: [{ source: 'cloud', name: 'Cloud Provider IP range', message: 'azure' }],
      asn: 'AS64500 example hosting ltd.',
      countryCode: 'NL',
      countryName: 'Netherlands',
      adversaries: ['Example Spider'],
      malwareFamilies: ['LockBit', 'Cobalt Strike'],
      attackIds: ['T1071'],
      tags: ['c2', 'tag-1', 'tag-2', 'tag-3'],
      ipScope: 'documentation',
      reportUrl: 'https://otx.alienvault.com/indicator/ip/203.0.113.9',
    });
    expect((details.pulses as { id: string }[]).map((entry) => entry.id)).toEqual([
      'pulse-3',
      'pulse-2',
      'pulse-1',
    ]);
  });

  it('keeps pulse descriptions, references and authors out', () => {
    const serialized = JSON.stringify(recordsOf(otxSource, general()));

    expect(serialized).not.toContain('Jane Doe');
    expect(serialized).not.toContain('pulse_author_handle');
    expect(serialized).not.toContain('free text');
  });

  it('summarizes the pulses in the raw payload', () => {
    const raw = JSON.parse(lookupOf(recordsOf(otxSource, general())).rawPayload!);

    expect(raw.pulse_info.count).toBe(3);
    expect(raw.pulse_info.pulses[0]).toEqual({
      id: 'pulse-1',
      name: 'Campaign 1',
      created: '2025-05-01T10:00:00.000000',
      modified: '2025-05-11T10:00:00.000000',
      tags: ['c2', 'tag-1'],
      adversary: 'Example Spider',
      malware_families: ['Cobalt Strike'],
      attack_ids: ['T1071'],
      TLP: 'white',
    });
  });

  it('keeps a huge section within the limits', () => {
    const pulses = Array.from({ length: 50 }, (_, index) =>
      pulse(index, {
        name: `${'Long pulse name '.repeat(40)}${index}`,
        tags: Array.from({ length: 200 }, (_unused, tag) => `tag-${index}-${tag}`),
        attack_ids: Array.from({ length: 100 }, (_unused, id) => ({ id: `T${1000 + id}` })),
      }),
    );
    const records = recordsOf(otxSource, general({ pulse_info: { count: 50, pulses } }));

    expect(lookupOf(records).rawPayload!.length).toBeLessThanOrEqual(MAX_RAW_PAYLOAD_LENGTH);
    // Parsing fails when the text had to be cut, so this checks the summary fit on its own.
    expect(JSON.parse(lookupOf(records).rawPayload!).pulse_info.pulses).toHaveLength(50);
    expect(JSON.stringify(enrichmentOf(records).details).length).toBeLessThan(8_000);
  });

  it('keeps Malicious off a private address', () => {
    const records = recordsOf(otxSource, general({ indicator: '10.1.2.3' }));

    expect(lookupOf(records).finding).toBe('Unknown');
    expect(enrichmentOf(records).details.ipScope).toBe('private');
  });
});

describe('otx passive DNS', () => {
  it('enriches the domain all resolutions share', () => {
    const records = recordsOf(otxSource, {
      passive_dns: [
        resolution('login.example.net', '198.51.100.10'),
        resolution('login.example.net', '198.51.100.11', '2025-04-01T00:00:00'),
      ],
      count: 2,
    });

    expect(records).toHaveLength(1);
    expect(withDetails(recordOfKind(records, 0, 'observable_enrichment'))).toMatchObject({
      observable: { type: 'domain', value: 'login.example.net' },
      source: 'AlienVault OTX',
      summary: 'OTX passive DNS lists 2 resolutions of this host name to 2 addresses.',
      details: {
        queriedAs: 'hostname',
        resolutionCount: 2,
        firstSeen: '2025-05-01T00:00:00.000Z',
        lastSeen: '2025-05-18T21:14:09.000Z',
        addresses: ['198.51.100.10', '198.51.100.11'],
        resolutions: [
          {
            hostname: 'login.example.net',
            address: '198.51.100.10',
            recordType: 'A',
            asn: 'AS64500 example',
            country: 'Netherlands',
          },
          expect.objectContaining({ address: '198.51.100.11' }),
        ],
        reportUrl: 'https://otx.alienvault.com/indicator/domain/login.example.net',
      },
    });
  });

  it('enriches the address all resolutions share', () => {
    const records = recordsOf(otxSource, {
      passive_dns: [
        resolution('a.example.com', '198.51.100.10'),
        resolution('b.example.org', '198.51.100.10'),
      ],
    });

    expect(records).toHaveLength(1);
    expect(withDetails(recordOfKind(records, 0, 'observable_enrichment'))).toMatchObject({
      observable: { type: 'ipv4', value: '198.51.100.10' },
      summary: 'OTX passive DNS lists 2 resolutions of 2 host names to this address.',
      details: {
        queriedAs: 'address',
        hostnames: ['a.example.com', 'b.example.org'],
        ipScope: 'documentation',
      },
    });
  });

  it('enriches the domain whose subdomains resolved', () => {
    const records = recordsOf(otxSource, {
      passive_dns: [
        resolution('www.example.com', '198.51.100.10'),
        resolution('mail.example.com', '198.51.100.20'),
      ],
    });

    expect(withDetails(recordOfKind(records, 0, 'observable_enrichment')).observable).toEqual({
      type: 'domain',
      value: 'example.com',
    });
  });

  it('enriches both sides of a single resolution', () => {
    const records = recordsOf(otxSource, {
      passive_dns: [resolution('login.example.net', '2001:db8::10')],
    });

    expect(
      records.map((record) => ('observable' in record ? record.observable : undefined)),
    ).toEqual([
      { type: 'domain', value: 'login.example.net' },
      { type: 'ipv6', value: '2001:db8::10' },
    ]);
    expect(records.every((record) => record.kind === 'observable_enrichment')).toBe(true);
  });

  it('gives no records without resolutions', () => {
    expect(recordsOf(otxSource, { passive_dns: [], count: 0 })).toEqual([]);
  });

  it('rejects resolutions that share nothing', () => {
    const error = rejectionOf(otxSource, {
      passive_dns: [
        resolution('a.example.com', '198.51.100.10'),
        resolution('b.example.org', '198.51.100.20'),
      ],
    });

    expect(error.path).toEqual(['passive_dns']);
    expect(error.message).toContain('share neither an address nor a domain');
  });

  it('rejects a shared hostname that is no domain', () => {
    const error = rejectionOf(otxSource, {
      passive_dns: [
        resolution('*.example.com', '198.51.100.10'),
        resolution('*.example.com', '198.51.100.20'),
      ],
    });

    expect(error.path).toEqual(['passive_dns', 0, 'hostname']);
  });
});

describe('otx error body', () => {
  it('rejects it naming the message', () => {
    const error = rejectionOf(otxSource, { detail: 'Not found.' });

    expect(error.path).toEqual(['detail']);
    expect(error.message).toContain('"Not found."');
  });
});
