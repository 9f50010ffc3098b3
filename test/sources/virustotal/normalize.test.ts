import { describe, expect, it } from 'vitest';
import { MAX_RAW_PAYLOAD_LENGTH, type RelayRecord } from '../../../functions/records/record.ts';
import { TRUNCATION_MARKER_KEY } from '../../../functions/sources/raw-payload.ts';
import { virusTotalSource } from '../../../functions/sources/virustotal/index.ts';
import { RECEIVED_AT, recordsOf, runSource } from '../run-source.ts';

const SHA256 = '5f3c1a4b9e0d2c7a6b8f1e3d5c7a9b0e2d4f6a8c1e3b5d7f9a0c2e4b6d8f0a1c';
const STATS = {
  malicious: 12,
  suspicious: 1,
  harmless: 0,
  undetected: 60,
  timeout: 0,
  'type-unsupported': 3,
};

function fileObject(attributes: Record<string, unknown> = {}, id: string | number = SHA256) {
  return { type: 'file', id, attributes: { last_analysis_stats: STATS, ...attributes } };
}

function lookupOf(records: RelayRecord[], index = 0) {
  const record = records[index * 2];
  if (record?.kind !== 'threat_lookup_result')
    throw new Error(`record ${index * 2} is no lookup result`);
  return record;
}

function enrichmentOf(records: RelayRecord[], index = 0) {
  const record = records[index * 2 + 1];
  if (record?.kind !== 'observable_enrichment')
    throw new Error(`record ${index * 2 + 1} is no enrichment`);
  return record;
}

function rejectionOf(json: unknown) {
  const result = runSource(virusTotalSource, json);
  if (result.outcome !== 'rejected')
    throw new Error(`expected a NormalizationError, got ${result.outcome}`);
  return result.error;
}

describe('virustotal payload forms', () => {
  it('turns an object response into two records', () => {
    const records = recordsOf(virusTotalSource, { data: fileObject() });

    expect(records.map((record) => record.kind)).toEqual([
      'threat_lookup_result',
      'observable_enrichment',
    ]);
  });

  it('turns a collection into two records per object', () => {
    const second = fileObject({}, 'b'.repeat(64));
    const records = recordsOf(virusTotalSource, {
      data: [fileObject(), second],
      meta: { cursor: 'abc' },
      links: {
        self: 'https://www.virustotal.com/api/v3/ip_addresses/192.0.2.1/communicating_files',
      },
    });

    expect(records).toHaveLength(4);
    expect(lookupOf(records, 1).observable.value).toBe('b'.repeat(64));
  });

  it('turns a bare array into two records per object', () => {
    expect(recordsOf(virusTotalSource, [fileObject(), fileObject()])).toHaveLength(4);
  });

  it.each([
    [
      'empty collection',
      {
        data: [],
        links: { self: 'https://www.virustotal.com/api/v3/domains/example.com/siblings' },
      },
    ],
    ['empty array', []],
  ])('gives no records for an %s', (_case, json) => {
    expect(recordsOf(virusTotalSource, json)).toEqual([]);
  });
});

describe('virustotal observables', () => {
  it.each([
    [
      'file by id',
      { type: 'file', id: SHA256.toUpperCase(), attributes: {} },
      'sha256',
      SHA256,
      'file/' + SHA256,
    ],
    [
      'file by attributes.sha256',
      { type: 'file', id: 'x', attributes: { sha256: SHA256 } },
      'sha256',
      SHA256,
      'file/' + SHA256,
    ],
    [
      'IPv4',
      { type: 'ip_address', id: '198.51.100.23', attributes: {} },
      'ipv4',
      '198.51.100.23',
      'ip-address/198.51.100.23',
    ],
    [
      'IPv6',
      { type: 'ip_address', id: '2001:DB8::23', attributes: {} },
      'ipv6',
      '2001:db8::23',
      'ip-address/2001:db8::23',
    ],
    [
      'domain',
      { type: 'domain', id: 'Example.COM', attributes: {} },
      'domain',
      'example.com',
      'domain/example.com',
    ],
    [
      'URL from attributes.url, not last_final_url',
      {
        type: 'url',
        id: 'c'.repeat(64),
        attributes: {
          url: 'HTTP://Example.com/a?b=C',
          last_final_url: 'https://example.com/landing',
        },
      },
      'url',
      'http://example.com/a?b=C',
      'url/' + 'c'.repeat(64),
    ],
  ])('reads the %s', (_case, object, type, value, guiPath) => {
    const lookup = lookupOf(recordsOf(virusTotalSource, { data: object }));

    expect(lookup.observable).toEqual({ type, value });
    expect(lookup.reportUrl).toBe(`https://www.virustotal.com/gui/${guiPath}`);
  });

  it.each([
    [
      'file id that is no SHA-256',
      { type: 'file', id: 'd41d8cd98f00b204e9800998ecf8427e', attributes: {} },
      'data.id',
    ],
    [
      'IP id that is no address',
      { type: 'ip_address', id: 'example.com', attributes: {} },
      'data.id',
    ],
    [
      'domain id that is no domain',
      { type: 'domain', id: 'not a domain', attributes: {} },
      'data.id',
    ],
    [
      'URL without attributes.url',
      { type: 'url', id: 'c'.repeat(64), attributes: { last_final_url: 'https://example.com/' } },
      'data.attributes.url',
    ],
    [
      'URL that is no URL',
      { type: 'url', id: 'c'.repeat(64), attributes: { url: 'example.com' } },
      'data.attributes.url',
    ],
  ])('rejects a %s with its path', (_case, object, path) => {
    const error = rejectionOf({ data: object });

    expect(error.path.join('.')).toBe(path);
  });
});

describe('virustotal lookup result', () => {
  it('summarizes the detection counts', () => {
    const lookup = lookupOf(recordsOf(virusTotalSource, { data: fileObject() }));

    expect(lookup.finding).toBe('Malicious');
    expect(lookup.source).toBe('VirusTotal');
    expect(lookup.summary).toMatch(
      /^12\/76 engines flagged this file as malicious and 1 as suspicious\. /,
    );
    expect(lookup.summary).toContain('reach the Malicious threshold of 10');
  });

  it('takes lookedUpAt from last_analysis_date', () => {
    const lookup = lookupOf(
      recordsOf(virusTotalSource, { data: fileObject({ last_analysis_date: 1748779200 }) }),
    );

    expect(lookup.lookedUpAt).toBe('2025-06-01T12:00:00.000Z');
  });

  it('falls back to the receive time', () => {
    const lookup = lookupOf(recordsOf(virusTotalSource, { data: fileObject() }));

    expect(lookup.lookedUpAt).toBe(RECEIVED_AT.toISOString());
  });

  it('says Unknown when the report has no stats', () => {
    const records = recordsOf(virusTotalSource, {
      data: { type: 'ip_address', id: '192.0.2.44', attributes: { asn: 64500 } },
    });

    expect(lookupOf(records).finding).toBe('Unknown');
    expect(lookupOf(records).summary).toContain(
      'No VirusTotal engine returned a result for this IP address.',
    );
  });

  it('keeps a compact raw payload without WHOIS text', () => {
    const lookup = lookupOf(
      recordsOf(virusTotalSource, {
        data: {
          ...fileObject({ whois: 'Registrant Email: someone@example.org' }),
          links: { self: 'x' },
        },
      }),
    );
    const raw = JSON.parse(lookup.rawPayload ?? '{}');

    expect(raw.type).toBe('file');
    expect(raw.id).toBe(SHA256);
    expect(raw.attributes.last_analysis_stats).toEqual(STATS);
    expect(raw.attributes.whois).toBeUndefined();
    expect(raw.links).toBeUndefined();
    expect(lookup.rawPayload).not.toContain('\n');
  });

  it('trims an oversized raw payload with a marker', () => {
    const pe_info = { sections: 'x'.repeat(MAX_RAW_PAYLOAD_LENGTH) };
    const lookup = lookupOf(recordsOf(virusTotalSource, { data: fileObject({ pe_info }) }));
    const raw = JSON.parse(lookup.rawPayload ?? '{}');

    expect(lookup.rawPayload?.length).toBeLessThanOrEqual(MAX_RAW_PAYLOAD_LENGTH);
    expect(raw[TRUNCATION_MARKER_KEY].omitted).toEqual(['attributes.pe_info']);
    expect(raw.attributes.last_analysis_stats).toEqual(STATS);
  });
});

describe('virustotal enrichment', () => {
  const results = {
    Zeta: { category: 'malicious', engine_name: 'Zeta', result: 'Trojan.Z' },
    Alpha: { category: 'suspicious', engine_name: 'Alpha', result: null },
    Beta: { category: 'undetected', engine_name: 'Beta', result: null },
    Gamma: { category: 'harmless', engine_name: 'Gamma', result: 'clean' },
  };

  it('lists the flagging engines and counts', () => {
    const details = enrichmentOf(
      recordsOf(virusTotalSource, { data: fileObject({ last_analysis_results: results }) }),
    ).details;

    expect(details?.engineCount).toBe(76);
    expect(details?.analysisStats).toEqual(STATS);
    expect(details?.flaggedBy).toEqual([
      { engine: 'Alpha', category: 'suspicious' },
      { engine: 'Zeta', category: 'malicious', result: 'Trojan.Z' },
    ]);
  });

  it('carries file context', () => {
    const names = Array.from({ length: 30 }, (_, index) => `name-${index}.exe`);
    const enrichment = enrichmentOf(
      recordsOf(virusTotalSource, {
        data: fileObject({
          popular_threat_classification: { suggested_threat_label: 'trojan.example/gen' },
          meaningful_name: 'invoice.exe',
          names,
          type_description: 'Win32 EXE',
          size: 512000,
          md5: 'd41d8cd98f00b204e9800998ecf8427e',
          tags: ['peexe'],
          reputation: -10,
          total_votes: { harmless: 0, malicious: 3 },
          first_submission_date: 1748606400,
        }),
      }),
    );

    expect(enrichment.summary).toBe(
      '12/76 engines flagged this file as malicious and 1 as suspicious.',
    );
    expect(enrichment.details).toMatchObject({
      virusTotalType: 'file',
      threatLabel: 'trojan.example/gen',
      meaningfulName: 'invoice.exe',
      fileType: 'Win32 EXE',
      size: 512000,
      md5: 'd41d8cd98f00b204e9800998ecf8427e',
      tags: ['peexe'],
      reputation: -10,
      totalVotes: { harmless: 0, malicious: 3 },
      firstSubmissionDate: '2025-05-30T12:00:00.000Z',
      namesTotal: 30,
    });
    expect(enrichment.details?.names).toHaveLength(20);
  });

  it('carries IP context without WHOIS', () => {
    const details = enrichmentOf(
      recordsOf(virusTotalSource, {
        data: {
          type: 'ip_address',
          id: '203.0.113.9',
          attributes: {
            asn: 64501,
            as_owner: 'Example AS',
            country: 'NL',
            network: '203.0.113.0/24',
            whois: 'OrgTechEmail: noc@example.net',
          },
        },
      }),
    ).details;

    expect(details).toEqual({
      virusTotalType: 'ip_address',
      virusTotalId: '203.0.113.9',
      asn: 64501,
      asOwner: 'Example AS',
      country: 'NL',
      network: '203.0.113.0/24',
    });
  });

  it('carries domain context', () => {
    const details = enrichmentOf(
      recordsOf(virusTotalSource, {
        data: {
          type: 'domain',
          id: 'example.net',
          attributes: {
            registrar: 'Example Registrar',
            creation_date: 809222400,
            categories: { Sophos: 'information technology' },
            popularity_ranks: { Majestic: { rank: 900, timestamp: 1 } },
            whois: 'Registrant Name: Jane Example',
          },
        },
      }),
    ).details;

    expect(details).toMatchObject({
      registrar: 'Example Registrar',
      creationDate: '1995-08-24T00:00:00.000Z',
      categories: { Sophos: 'information technology' },
      popularityRanks: { Majestic: 900 },
    });
    expect(JSON.stringify(details)).not.toContain('Jane');
  });

  it('carries URL context', () => {
    const details = enrichmentOf(
      recordsOf(virusTotalSource, {
        data: {
          type: 'url',
          id: 'c'.repeat(64),
          attributes: {
            url: 'http://example.com/a',
            last_final_url: 'https://example.com/b',
            title: 'Example',
            last_http_response_code: 301,
            categories: {},
          },
        },
      }),
    ).details;

    expect(details).toMatchObject({
      url: 'http://example.com/a',
      lastFinalUrl: 'https://example.com/b',
      title: 'Example',
      lastHttpResponseCode: 301,
    });
    expect(details).not.toHaveProperty('categories');
  });

  it('carries the GTI assessment', () => {
    const details = enrichmentOf(
      recordsOf(virusTotalSource, {
        data: fileObject({
          gti_assessment: {
            verdict: { value: 'VERDICT_MALICIOUS' },
            threat_score: { value: 80 },
            severity: { value: 'SEVERITY_HIGH' },
          },
        }),
      }),
    ).details;

    expect(details).toMatchObject({
      gtiVerdict: 'VERDICT_MALICIOUS',
      gtiThreatScore: 80,
      gtiSeverity: 'SEVERITY_HIGH',
    });
  });
});

describe('virustotal analyses', () => {
  const urlAnalysis = (
    attributes: Record<string, unknown> | undefined,
    meta: Record<string, unknown>,
  ) => ({
    data: {
      type: 'analysis',
      id: `u-${'e'.repeat(64)}-1748790000`,
      ...(attributes && { attributes }),
    },
    meta,
  });
  const completed = {
    status: 'completed',
    date: 1748790000,
    stats: { malicious: 11, suspicious: 0, harmless: 50, undetected: 9, timeout: 0 },
    results: { Avira: { category: 'malicious', engine_name: 'Avira', result: 'malware' } },
  };

  it('reads the URL from meta.url_info', () => {
    const records = recordsOf(
      virusTotalSource,
      urlAnalysis(completed, {
        url_info: { url: 'http://203.0.113.5/x.exe' },
        file_info: { sha256: SHA256 },
      }),
    );
    const lookup = lookupOf(records);

    expect(records).toHaveLength(2);
    expect(lookup.observable).toEqual({ type: 'url', value: 'http://203.0.113.5/x.exe' });
    expect(lookup.finding).toBe('Malicious');
    expect(lookup.lookedUpAt).toBe('2025-06-01T15:00:00.000Z');
    expect(lookup.reportUrl).toBe(`https://www.virustotal.com/gui/url/${'e'.repeat(64)}`);
    expect(enrichmentOf(records).details).toMatchObject({
      analysisStatus: 'completed',
      flaggedBy: [{ engine: 'Avira', category: 'malicious', result: 'malware' }],
    });
  });

  it('reads the file from meta.file_info', () => {
    const lookup = lookupOf(
      recordsOf(virusTotalSource, urlAnalysis(completed, { file_info: { sha256: SHA256 } })),
    );

    expect(lookup.observable).toEqual({ type: 'sha256', value: SHA256 });
    expect(lookup.reportUrl).toBe(`https://www.virustotal.com/gui/file/${SHA256}`);
  });

  it('rejects a descriptor and says what to fetch', () => {
    const error = rejectionOf({ data: { id: 1571524923, type: 'analysis' } });

    expect(error.message).toContain('GET https://www.virustotal.com/api/v3/analyses/1571524923');
    expect(error.path).toEqual(['data']);
  });

  it('rejects an analysis still queued', () => {
    const error = rejectionOf(
      urlAnalysis({ ...completed, status: 'queued' }, { url_info: { url: 'http://example.com/' } }),
    );

    expect(error.message).toContain('"queued"');
    expect(error.path).toEqual(['data', 'attributes', 'status']);
  });

  it('rejects an analysis without meta', () => {
    const error = rejectionOf(urlAnalysis(completed, {}));

    expect(error.message).toContain('meta.url_info.url');
    expect(error.path).toEqual(['meta']);
  });

  it('rejects an analysis inside a list', () => {
    const error = rejectionOf([{ type: 'analysis', id: 'x', attributes: completed }]);

    expect(error.path).toEqual([0, 'type']);
  });
});

describe('virustotal rejections', () => {
  it.each(['NotFoundError', 'QuotaExceededError', 'WrongCredentialsError'])(
    'rejects the %s body',
    (code) => {
      const error = rejectionOf({ error: { code, message: 'Resource "x" not found' } });

      expect(error.code).toBe('unsupported_payload');
      expect(error.message).toContain(code);
      expect(error.message).toContain('no verdict');
      expect(error.path).toEqual(['error', 'code']);
    },
  );

  it.each([
    [
      'resolution',
      {
        data: [
          {
            type: 'resolution',
            id: '192.0.2.1example.com',
            attributes: { host_name: 'example.com' },
          },
        ],
      },
      ['data', 0, 'type'],
    ],
    [
      'comment',
      { data: { type: 'comment', id: 'f-1', attributes: { text: 'hi' } } },
      ['data', 'type'],
    ],
    ['collection', [fileObject(), { type: 'collection', id: 'c', attributes: {} }], [1, 'type']],
  ])('rejects a %s object naming path and type', (type, json, path) => {
    const error = rejectionOf(json);

    expect(error.path).toEqual(path);
    expect(error.message).toContain(`"${type}"`);
    expect(error.message).toContain('file, url, domain, ip_address');
  });

  it('rejects an object descriptor without attributes', () => {
    const error = rejectionOf({ data: [{ type: 'ip_address', id: '192.0.2.1' }] });

    expect(error.path).toEqual(['data', 0, 'attributes']);
    expect(error.message).toContain('descriptor');
  });
});
