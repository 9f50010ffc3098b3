import { describe, expect, it } from 'vitest';
import { threatFoxSource } from '../../../functions/sources/threatfox/index.ts';
import { RECEIVED_AT, recordsOf } from '../run-source.ts';
import {
  enrichmentOf,
  findingsOf,
  lookupOf,
  rejectionOf,
  runWithSkips,
} from '../shared/run-with-skips.ts';

const SHA256 = '7b9d1f3a5c7e9b1d3f5a7c9e1b3d5f7a9c1e3b5d7f9a1c3e5b7d9f1a3c5e7b9d';

function ioc(overrides: Record<string, unknown> = {}) {
  return {
    id: '1500101',
    ioc: '192.0.2.44:443',
    threat_type: 'botnet_cc',
    ioc_type: 'ip:port',
    malware: 'win.cobalt_strike',
    malware_printable: 'Cobalt Strike',
    malware_alias: 'BEACON,CobaltStrike',
    malware_malpedia: 'https://malpedia.caad.fkie.fraunhofer.de/details/win.cobalt_strike',
    confidence_level: 100,
    first_seen: '2025-05-17 21:04:11 UTC',
    last_seen: null,
    reference: 'https://blog.example.com/cobalt-strike-servers',
    reporter: 'someone_handle',
    tags: ['CobaltStrike'],
    ...overrides,
  };
}

describe('threatfox payload forms', () => {
  it.each([
    ['a bare IOC', ioc()],
    ['an array of IOCs', [ioc()]],
    ['a response with a list', { query_status: 'ok', data: [ioc()] }],
    ['a response with one IOC', { query_status: 'ok', data: ioc() }],
  ])('reads %s', (_case, json) => {
    const records = recordsOf(threatFoxSource, json);

    expect(records.map((record) => record.kind)).toEqual([
      'threat_lookup_result',
      'observable_enrichment',
    ]);
    expect(lookupOf(records)).toMatchObject({
      observable: { type: 'ipv4', value: '192.0.2.44' },
      finding: 'Malicious',
      source: 'ThreatFox',
      reportUrl: 'https://threatfox.abuse.ch/ioc/1500101/',
      lookedUpAt: RECEIVED_AT.toISOString(),
    });
  });

  it('gives no records for an empty list', () => {
    expect(recordsOf(threatFoxSource, { query_status: 'ok', data: [] })).toEqual([]);
  });
});

describe('threatfox IOC types', () => {
  it.each([
    ['ip:port', '192.0.2.44:443', { type: 'ipv4', value: '192.0.2.44' }, 443],
    ['ip:port', '2001:db8::7:8443', { type: 'ipv6', value: '2001:db8::7' }, 8443],
    ['ip:port', '[2001:DB8::7]:8443', { type: 'ipv6', value: '2001:db8::7' }, 8443],
    ['domain', 'C2.Example.NET', { type: 'domain', value: 'c2.example.net' }, undefined],
    [
      'url',
      'hxxp://c2.example[.]net/gate.php',
      { type: 'url', value: 'http://c2.example.net/gate.php' },
      undefined,
    ],
    ['md5_hash', 'A'.repeat(32), { type: 'md5', value: 'a'.repeat(32) }, undefined],
    ['sha1_hash', 'b'.repeat(40), { type: 'sha1', value: 'b'.repeat(40) }, undefined],
    ['sha256_hash', SHA256, { type: 'sha256', value: SHA256 }, undefined],
    [
      'envelope_from',
      'Invoices@Example.com',
      { type: 'email', value: 'invoices@example.com' },
      undefined,
    ],
    [
      'body_from',
      'billing@example.org',
      { type: 'email', value: 'billing@example.org' },
      undefined,
    ],
  ])('reads %s %s', (iocType, value, observable, port) => {
    const records = recordsOf(threatFoxSource, ioc({ ioc_type: iocType, ioc: value }));

    expect(lookupOf(records).observable).toEqual(observable);
    expect(enrichmentOf(records).details.ports).toEqual(port === undefined ? undefined : [port]);
  });

  it.each([['sha3_384_hash'], ['a_type_threatfox_adds_later']])(
    'skips %s and reports it',
    (iocType) => {
      const { result, skips } = runWithSkips(
        threatFoxSource,
        ioc({ ioc_type: iocType, ioc: 'c'.repeat(96) }),
      );

      expect(result).toEqual({ outcome: 'records', records: [] });
      expect(skips).toEqual([
        {
          reason: 'unsupported_ioc_type',
          detail: expect.objectContaining({ path: ['ioc_type'], iocType, iocId: '1500101' }),
        },
      ]);
    },
  );

  it.each([
    ['ip:port', '192.0.2.44', 'expected an IP address, a colon and a port'],
    ['ip:port', 'c2.example.net:443', 'only ipv4, ipv6 values'],
    ['ip:port', '192.0.2.44:70000', 'expected an IP address, a colon and a port'],
    ['domain', 'not a domain', 'not a domain name'],
    ['md5_hash', SHA256, 'not a md5 digest'],
  ])('rejects the single %s IOC %s', (iocType, value, message) => {
    const error = rejectionOf(threatFoxSource, ioc({ ioc_type: iocType, ioc: value }));

    expect(error.path).toEqual(['ioc']);
    expect(error.message).toContain(message);
  });

  it('skips invalid IOCs of a list and keeps the rest', () => {
    const { result, skips } = runWithSkips(threatFoxSource, {
      query_status: 'ok',
      data: [ioc({ ioc: 'not an address:443' }), ioc({ id: '2', ioc: '198.51.100.7:80' })],
    });

    if (result.outcome !== 'records') throw new Error(result.outcome);
    expect(findingsOf(result.records)).toEqual({ '198.51.100.7': 'Malicious' });
    expect(skips).toEqual([
      {
        reason: 'invalid_item',
        detail: { path: ['data', 0, 'ioc'], error: expect.stringContaining('not an address') },
      },
    ]);
  });
});

describe('threatfox merged IOCs', () => {
  const search = {
    query_status: 'ok',
    data: [
      ioc({
        id: '11',
        ioc: '192.0.2.44:8080',
        confidence_level: 50,
        first_seen: '2025-05-16 08:30:00 UTC',
        last_seen: '2025-05-18 10:00:00 UTC',
      }),
      ioc({
        id: '12',
        ioc: '192.0.2.44:443',
        confidence_level: 90,
        malware_printable: 'Sliver',
        threat_type: 'botnet_cc',
      }),
      ioc({ id: '13', ioc: 'c2.example.net', ioc_type: 'domain', confidence_level: 40 }),
    ],
  };

  it('gives one result per observable', () => {
    const records = recordsOf(threatFoxSource, search);

    expect(findingsOf(records)).toEqual({
      '192.0.2.44': 'Malicious',
      'c2.example.net': 'Suspicious',
    });
    expect(records).toHaveLength(4);
  });

  it('links the IOC with the highest confidence', () => {
    expect(lookupOf(recordsOf(threatFoxSource, search)).reportUrl).toBe(
      'https://threatfox.abuse.ch/ioc/12/',
    );
  });

  it('summarizes the merged IOCs', () => {
    expect(lookupOf(recordsOf(threatFoxSource, search)).summary).toBe(
      'ThreatFox lists 2 IOCs for this IP address as botnet_cc of Cobalt Strike, Sliver ' +
        '(highest confidence 90). Confidence 90 reaches the Malicious threshold of 75.',
    );
  });

  it('puts every IOC and their span into details', () => {
    const { details } = enrichmentOf(recordsOf(threatFoxSource, search));

    expect(details).toMatchObject({
      iocCount: 2,
      maxConfidence: 90,
      firstSeen: '2025-05-16T08:30:00.000Z',
      lastSeen: '2025-05-18T10:00:00.000Z',
      malwareFamilies: ['Cobalt Strike', 'Sliver'],
      threatTypes: ['botnet_cc'],
      ports: [8080, 443],
      ipScope: 'documentation',
      iocs: [
        expect.objectContaining({
          id: '11',
          port: 8080,
          confidence: 50,
          reportUrl: 'https://threatfox.abuse.ch/ioc/11/',
        }),
        expect.objectContaining({
          id: '12',
          port: 443,
          confidence: 90,
          reference: 'https://blog.example.com/cobalt-strike-servers',
        }),
      ],
    });
  });
});

describe('threatfox fields', () => {
  it('keeps reporter, credits and comments out', () => {
    const records = recordsOf(
      threatFoxSource,
      ioc({
        credits: [{ credits_from: 'another_handle', credits_amount: 5 }],
        comment: 'Seen by Jane Doe',
      }),
    );
    const serialized = JSON.stringify(records);

    expect(serialized).not.toContain('someone_handle');
    expect(serialized).not.toContain('another_handle');
    expect(serialized).not.toContain('Jane Doe');
  });

  it('keeps a reference only when it is a URL', () => {
    const records = recordsOf(
      threatFoxSource,
      ioc({ reference: 'told by a colleague, call +1 555 0100' }),
    );
    const iocs = enrichmentOf(records).details.iocs as Record<string, unknown>[];

    expect(iocs[0]).not.toHaveProperty('reference');
  });

  it('leaves "Unknown malware" out of the families', () => {
    const records = recordsOf(threatFoxSource, ioc({ malware_printable: 'Unknown malware' }));

    expect(enrichmentOf(records).details).not.toHaveProperty('malwareFamilies');
  });

  it('lists the malware samples', () => {
    const records = recordsOf(
      threatFoxSource,
      ioc({
        malware_samples: [
          {
            time_stamp: '2025-05-17 20:58:02 UTC',
            md5_hash: 'a'.repeat(32),
            sha256_hash: SHA256,
            malware_bazaar: `https://bazaar.abuse.ch/sample/${SHA256}/`,
          },
        ],
      }),
    );

    expect(enrichmentOf(records).details.malwareSamples).toEqual([
      {
        seenAt: '2025-05-17T20:58:02.000Z',
        md5: 'a'.repeat(32),
        sha256: SHA256,
        malwareBazaar: `https://bazaar.abuse.ch/sample/${SHA256}/`,
      },
    ]);
  });

  it('keeps Malicious off a loopback C2', () => {
    const records = recordsOf(threatFoxSource, ioc({ ioc: '127.0.0.1:4444' }));

    expect(lookupOf(records).finding).toBe('Unknown');
    expect(enrichmentOf(records).details.ipScope).toBe('loopback');
  });

  it('marks a compromised domain Suspicious', () => {
    const records = recordsOf(
      threatFoxSource,
      ioc({ ioc: 'shop.example.org', ioc_type: 'domain', is_compromised: true }),
    );

    expect(lookupOf(records).finding).toBe('Suspicious');
    expect(lookupOf(records).summary).toContain('compromised');
  });
});

describe('threatfox status responses', () => {
  it.each([
    ['no_result', 'Your search did not yield any results', /no entry for the value looked up/],
    ['id_not_found', undefined, /no entry for the value looked up/],
    ['illegal_search_term', 'Illegal search term', /instead of a result/],
    ['illegl_hash', undefined, /instead of a result/],
    ['unknown_auth_key', undefined, /instead of a result/],
  ])('rejects query_status %s', (status, data, message) => {
    const error = rejectionOf(threatFoxSource, {
      query_status: status,
      ...(data !== undefined && { data }),
    });

    expect(error.path).toEqual(['query_status']);
    expect(error.message).toContain(`"${status}"`);
    expect(error.message).toMatch(message);
    if (data !== undefined) expect(error.message).toContain(data);
  });

  it('rejects the result of submitting IOCs', () => {
    const error = rejectionOf(threatFoxSource, {
      query_status: 'ok',
      data: { ok: ['http://example.com/a'], ignored: [], duplicated: [], reward: 5 },
    });

    expect(error.path).toEqual(['data']);
    expect(error.message).toContain('submit_ioc');
  });

  it('rejects other data objects naming their members', () => {
    const error = rejectionOf(threatFoxSource, {
      query_status: 'ok',
      data: { malware: 'x', count: 2 },
    });

    expect(error.message).toContain('"malware", "count"');
  });
});
