import { describe, expect, it } from 'vitest';
import { greyNoiseSource } from '../../../functions/sources/greynoise/index.ts';
import { RECEIVED_AT, recordsOf, runSource } from '../run-source.ts';
import { enrichmentOf, lookupOf } from '../shared/record-kinds.ts';
import { runWithSkips } from '../shared/run-with-skips.ts';

function rejectionOf(json: unknown) {
  const result = runSource(greyNoiseSource, json);
  if (result.outcome !== 'rejected') throw new Error(`expected a rejection, got ${result.outcome}`);
  return result.error;
}

const context = {
  ip: '203.0.113.8',
  seen: true,
  classification: 'malicious',
  first_seen: '2025-01-02',
  last_seen: '2025-05-30',
  actor: 'unknown',
  tags: ['Mirai', 'Telnet Bruteforcer'],
  cve: ['CVE-2017-17215'],
  spoofable: false,
  bot: true,
  vpn: true,
  vpn_service: 'EXAMPLE_VPN',
  metadata: {
    asn: 'AS64500',
    organization: 'Example Telecom',
    country: 'Brazil',
    country_code: 'BR',
    city: 'Recife',
    rdns: 'host-8.example.net',
    category: 'isp',
    tor: false,
    os: 'unknown',
    sensor_hits: 12,
  },
  raw_data: {
    scan: [
      { port: 23, protocol: 'TCP' },
      { port: 2323, protocol: 'TCP' },
    ],
    web: { paths: ['/shell?cd+/tmp'], useragents: ['Hello, world'] },
    ja3: [],
  },
};

describe('greynoise community lookups', () => {
  it('gives a malicious result and its context', () => {
    const records = recordsOf(greyNoiseSource, {
      ip: '203.0.113.8',
      noise: true,
      riot: false,
      classification: 'malicious',
      name: 'unknown',
      link: 'https://viz.greynoise.io/ip/203.0.113.8',
      last_seen: '2025-05-30',
      message: 'Success',
    });
    const lookup = lookupOf(records);

    expect(lookup.finding).toBe('Malicious');
    expect(lookup.source).toBe('GreyNoise');
    expect(lookup.reportUrl).toBe('https://viz.greynoise.io/ip/203.0.113.8');
    expect(lookup.lookedUpAt).toBe(RECEIVED_AT.toISOString());
    expect(lookup.summary).toBe(
      'GreyNoise saw 203.0.113.8 scanning the internet; classification malicious, last seen ' +
        '2025-05-30. GreyNoise classifies it as malicious.',
    );
    expect(enrichmentOf(records).details).toEqual({
      classification: 'malicious',
      noise: true,
      riot: false,
      name: 'unknown',
      lastSeen: '2025-05-30',
      message: 'Success',
      ipScope: 'documentation',
      reportUrl: 'https://viz.greynoise.io/ip/203.0.113.8',
    });
  });

  it.each(['IP not observed scanning the internet or contained in RIOT data set.', 'IP not found'])(
    'gives Unknown for %j',
    (message) => {
      const lookup = lookupOf(
        recordsOf(greyNoiseSource, { ip: '192.0.2.14', noise: false, riot: false, message }),
      );

      expect(lookup.finding).toBe('Unknown');
      expect(lookup.summary).toContain('has not seen 192.0.2.14 scanning the internet');
    },
  );

  it('builds the link when GreyNoise sent none or another host', () => {
    const lookup = lookupOf(
      recordsOf(greyNoiseSource, {
        ip: '192.0.2.14',
        riot: true,
        noise: false,
        classification: 'benign',
        link: 'https://phish.example.com/riot/192.0.2.14',
        message: 'Success',
      }),
    );

    expect(lookup.reportUrl).toBe('https://viz.greynoise.io/riot/192.0.2.14');
  });

  it.each([
    [{ message: 'Request is not a valid routable IPv4 address' }, 'not a valid routable'],
    [
      {
        plan: 'unauthenticated',
        'rate-limit': '100-lookups/day',
        message: 'You have hit your daily rate limit of 100 requests per day.',
      },
      'daily rate limit',
    ],
    [
      {
        ip: '192.0.2.1',
        noise: false,
        riot: false,
        message: 'Encountered error while performing request',
      },
      'Encountered error',
    ],
  ])('rejects the error body %j', (json, text) => {
    const error = rejectionOf(json);

    expect(error.message).toContain('GreyNoise returned an error');
    expect(error.message).toContain(text);
    expect(error.path).toEqual(['message']);
  });
});

describe('greynoise IP context', () => {
  it('gives the verdict and the context details', () => {
    const records = recordsOf(greyNoiseSource, context);

    expect(lookupOf(records).finding).toBe('Malicious');
    expect(enrichmentOf(records).details).toEqual({
      classification: 'malicious',
      seen: true,
      firstSeen: '2025-01-02',
      lastSeen: '2025-05-30',
      tags: ['Mirai', 'Telnet Bruteforcer'],
      cves: ['CVE-2017-17215'],
      spoofable: false,
      bot: true,
      vpn: true,
      vpnService: 'EXAMPLE_VPN',
      tor: false,
      asn: 'AS64500',
      organization: 'Example Telecom',
      country: 'Brazil',
      countryCode: 'BR',
      city: 'Recife',
      rdns: 'host-8.example.net',
      networkCategory: 'isp',
      sensorHits: 12,
      scannedPorts: ['23/TCP', '2323/TCP'],
      webPaths: ['/shell?cd+/tmp'],
      ipScope: 'documentation',
      reportUrl: 'https://viz.greynoise.io/ip/203.0.113.8',
    });
  });

  it('gives Unknown for an address GreyNoise has not seen', () => {
    const lookup = lookupOf(recordsOf(greyNoiseSource, { ip: '192.0.2.3', seen: false }));

    expect(lookup.finding).toBe('Unknown');
    expect(lookup.summary).toContain('GreyNoise has not seen 192.0.2.3 scanning the internet.');
  });

  it('ignores a classification of an address not seen', () => {
    const lookup = lookupOf(
      recordsOf(greyNoiseSource, { ip: '192.0.2.3', seen: false, classification: 'malicious' }),
    );

    expect(lookup.finding).toBe('Unknown');
  });

  it('caps long lists', () => {
    const tags = Array.from({ length: 80 }, (_, index) => `Tag ${index}`);
    const scan = Array.from({ length: 90 }, (_, index) => ({ port: index + 1, protocol: 'TCP' }));
    const details = enrichmentOf(
      recordsOf(greyNoiseSource, { ...context, tags, raw_data: { scan } }),
    ).details;

    expect(details?.tags).toHaveLength(50);
    expect(details?.scannedPorts).toHaveLength(50);
  });

  it('keeps the raw payload within the limit by dropping raw_data first', () => {
    const scan = Array.from({ length: 5000 }, (_, index) => ({ port: index, protocol: 'TCP' }));
    const raw = JSON.parse(
      lookupOf(recordsOf(greyNoiseSource, { ...context, raw_data: { scan, web: {} } }))
        .rawPayload ?? '{}',
    );

    expect(raw.raw_data.scan).toBeUndefined();
    expect(raw.relayTruncated.omitted).toContain('raw_data.scan');
    expect(raw.classification).toBe('malicious');
  });

  it('gives a private address Unknown instead of Malicious', () => {
    const lookup = lookupOf(recordsOf(greyNoiseSource, { ...context, ip: '10.0.0.8' }));

    expect(lookup.finding).toBe('Unknown');
    expect(lookup.summary).toContain("the vendor's Malicious verdict is not applied");
  });

  it('rejects an address that is no IP address and names the field', () => {
    const error = rejectionOf({ ...context, ip: 'scanner.example.com' });

    expect(error.path).toEqual(['ip']);
  });

  it('rejects an error body naming the error', () => {
    const error = rejectionOf({ error: 'commonly spoofed ip' });

    expect(error.message).toContain('"commonly spoofed ip"');
    expect(error.path).toEqual(['error']);
  });
});

describe('greynoise RIOT lookups', () => {
  it('gives Clean for trust level 1 and the service details', () => {
    const records = recordsOf(greyNoiseSource, {
      ip: '198.51.100.53',
      riot: true,
      category: 'public_dns',
      name: 'Example DNS',
      description: 'x'.repeat(600),
      reference: 'https://dns.example.com/',
      trust_level: '1',
      last_updated: '2025-05-01T09:30:00Z',
    });

    expect(lookupOf(records).finding).toBe('Clean');
    expect(lookupOf(records).reportUrl).toBe('https://viz.greynoise.io/riot/198.51.100.53');
    const details = enrichmentOf(records).details;
    expect(details?.riotName).toBe('Example DNS');
    expect(details?.riotTrustLevel).toBe('1');
    expect(details?.riotLastUpdated).toBe('2025-05-01T09:30:00.000Z');
    expect(String(details?.riotDescription)).toHaveLength(500);
  });

  it('reads a numeric trust level', () => {
    const lookup = lookupOf(
      recordsOf(greyNoiseSource, { ip: '198.51.100.53', riot: true, trust_level: 1 }),
    );

    expect(lookup.finding).toBe('Clean');
  });

  it('gives Unknown for an address not in RIOT', () => {
    const lookup = lookupOf(recordsOf(greyNoiseSource, { ip: '198.51.100.54', riot: false }));

    expect(lookup.finding).toBe('Unknown');
    expect(lookup.summary).toContain('does not list 198.51.100.54 as a business service');
  });

  it('drops a reference that is no web link', () => {
    const details = enrichmentOf(
      recordsOf(greyNoiseSource, { ip: '198.51.100.53', riot: true, reference: 'call Bob at 555' }),
    ).details;

    expect(details?.riotReference).toBeUndefined();
  });
});

describe('greynoise quick checks', () => {
  it('gives an enrichment and no lookup result', () => {
    const records = recordsOf(greyNoiseSource, { ip: '192.0.2.5', noise: true, code: '0x01' });

    expect(records.map((record) => record.kind)).toEqual(['observable_enrichment']);
    expect(enrichmentOf(records).details).toEqual({
      noise: true,
      code: '0x01',
      codeMessage: 'The IP has been observed by the GreyNoise sensor network.',
      ipScope: 'documentation',
      reportUrl: 'https://viz.greynoise.io/ip/192.0.2.5',
    });
  });

  it('prefers the code message GreyNoise sent', () => {
    const records = recordsOf(greyNoiseSource, {
      ip: '192.0.2.5',
      noise: false,
      riot: true,
      code: '0x09',
      code_message: 'IP was found in RIOT',
    });

    expect(enrichmentOf(records).summary).toBe(
      'GreyNoise quick check: 192.0.2.5 is not internet noise and is in RIOT (code 0x09: IP was found in RIOT).',
    );
  });

  it('keeps an unknown code without a message', () => {
    const details = enrichmentOf(
      recordsOf(greyNoiseSource, { ip: '192.0.2.5', code: '0x42' }),
    ).details;

    expect(details?.code).toBe('0x42');
    expect(details?.codeMessage).toBeUndefined();
  });

  it('rejects code 0x07 as an invalid address', () => {
    const error = rejectionOf({ ip: '192.0.2.999', noise: false, code: '0x07' });

    expect(error.message).toContain('code 0x07');
    expect(error.message).toContain('This IP is invalid.');
    expect(error.path).toEqual(['code']);
  });

  it('gives one enrichment per item of a multi quick check', () => {
    const records = recordsOf(greyNoiseSource, [
      { ip: '192.0.2.5', noise: true, code: '0x01' },
      { ip: '192.0.2.6', noise: false, code: '0x00' },
    ]);

    expect(records.map((record) => 'observable' in record && record.observable.value)).toEqual([
      '192.0.2.5',
      '192.0.2.6',
    ]);
  });

  it('skips an invalid item of a multi quick check', () => {
    const { result, skips } = runWithSkips(greyNoiseSource, [
      { ip: '192.0.2.5', noise: true, code: '0x01' },
      { ip: 'nonsense', noise: false, code: '0x07' },
    ]);
    if (result.outcome !== 'records') throw new Error(result.outcome);

    expect(result.records).toHaveLength(1);
    expect(skips).toHaveLength(1);
    expect(skips[0]?.reason).toBe('invalid_item');
    expect(skips[0]?.detail.path).toEqual([1, 'code']);
  });

  it('rejects a multi quick check whose items are all invalid', () => {
    const error = rejectionOf([{ ip: 'nonsense', noise: false, code: '0x07' }]);

    expect(error.path).toEqual([0, 'code']);
  });

  it('gives no records for an empty multi quick check', () => {
    expect(recordsOf(greyNoiseSource, [])).toEqual([]);
  });
});

describe('greynoise GNQL queries', () => {
  it('gives two records per result', () => {
    const records = recordsOf(greyNoiseSource, {
      complete: true,
      count: 2,
      data: [context, { ...context, ip: '198.51.100.9', classification: 'benign' }],
      message: 'ok',
      query: 'tags:Mirai',
    });

    expect(records).toHaveLength(4);
    expect(
      records.flatMap((record) => (record.kind === 'threat_lookup_result' ? [record.finding] : [])),
    ).toEqual(['Malicious', 'Clean']);
  });

  it.each([
    { complete: true, count: 0, data: null, message: 'no results', query: 'tags:none' },
    { complete: true, count: 0, message: 'no results', query: 'tags:none', data: [] },
  ])('gives no records for a query without results', (json) => {
    expect(recordsOf(greyNoiseSource, json)).toEqual([]);
  });

  it('rejects a query without results and another message', () => {
    const error = rejectionOf({
      count: 0,
      data: null,
      message: 'invalid query: unbalanced quotes',
    });

    expect(error.message).toContain('"invalid query: unbalanced quotes"');
    expect(error.path).toEqual(['message']);
  });

  it('names the item whose address is invalid', () => {
    const error = rejectionOf({ data: [context, { ...context, ip: 'bad' }] });

    expect(error.path).toEqual(['data', 1, 'ip']);
  });
});
