import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { urlhausSource } from '../../../functions/sources/urlhaus/index.ts';
import { runWithSkips } from '../shared/run-with-skips.ts';

const status = fc.constantFrom('online', 'offline', 'unknown', '', 'ONLINE');
const text = fc.oneof(fc.string(), fc.webUrl(), fc.ipV4(), fc.ipV6(), fc.domain());
const count = fc.oneof(fc.nat(), fc.stringMatching(/^\d{1,6}$/), fc.string());

const urlEntry = fc.record(
  {
    url: text,
    url_status: fc.option(status),
    id: fc.option(count),
    url_id: fc.option(count),
    urlhaus_reference: fc.option(text),
    date_added: fc.option(fc.string()),
    tags: fc.option(fc.array(fc.string(), { maxLength: 5 })),
    blacklists: fc.option(
      fc.record({
        spamhaus_dbl: fc.constantFrom('not listed', 'botnet_cc_domain', 'x'),
        surbl: fc.constantFrom('listed', 'not listed'),
      }),
    ),
    larted: fc.option(fc.oneof(fc.boolean(), fc.string())),
    payloads: fc.option(fc.array(fc.jsonValue(), { maxLength: 2 })),
  },
  { requiredKeys: [] },
);

const payloadEntry = fc.record(
  {
    md5_hash: fc.option(fc.oneof(fc.stringMatching(/^[0-9a-f]{32}$/), fc.string())),
    sha256_hash: fc.option(fc.oneof(fc.stringMatching(/^[0-9a-f]{64}$/), fc.string())),
    signature: fc.option(fc.string()),
    file_size: fc.option(count),
    urls: fc.option(fc.array(urlEntry, { maxLength: 2 })),
  },
  { requiredKeys: [] },
);

const response = fc.oneof(
  fc.jsonValue(),
  fc.record({ query_status: fc.constantFrom('ok', 'no_results', 'invalid_url', '') }),
  urlEntry.map((entry) => ({ query_status: 'ok', ...entry })),
  payloadEntry.map((entry) => ({ query_status: 'ok', ...entry })),
  fc.record({
    query_status: fc.constant('ok'),
    host: text,
    url_count: fc.option(count),
    blacklists: fc.option(fc.jsonValue()),
    urls: fc.option(fc.array(urlEntry, { maxLength: 3 })),
  }),
  fc.record({ query_status: fc.constant('ok'), urls: fc.array(urlEntry, { maxLength: 3 }) }),
  fc.record({
    query_status: fc.constant('ok'),
    payloads: fc.array(payloadEntry, { maxLength: 3 }),
  }),
);

describe('urlhaus on arbitrary input', () => {
  it('never throws past its schema and normalizer', () => {
    fc.assert(
      fc.property(response, (json) => {
        const { result } = runWithSkips(urlhausSource, json);

        expect(['records', 'invalid', 'rejected']).toContain(result.outcome);
      }),
      { numRuns: 500 },
    );
  });

  it('never records Clean', () => {
    fc.assert(
      fc.property(response, (json) => {
        const { result } = runWithSkips(urlhausSource, json);
        if (result.outcome !== 'records') return;

        for (const record of result.records) {
          if (record.kind === 'threat_lookup_result') expect(record.finding).not.toBe('Clean');
        }
      }),
      { numRuns: 300 },
    );
  });
});
