import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SOURCES } from '../../functions/sources/index.ts';
import { runSource } from './run-source.ts';

const vtObject = fc.record({
  type: fc.constantFrom('file', 'url', 'domain', 'ip_address', 'analysis', 'resolution', ''),
  id: fc.oneof(
    fc.string(),
    fc.integer(),
    fc.ipV4(),
    fc.ipV6(),
    fc.domain(),
    fc.stringMatching(/^[0-9a-f]{64}$/),
  ),
  attributes: fc.option(
    fc.record(
      {
        last_analysis_stats: fc.dictionary(
          fc.constantFrom('malicious', 'suspicious', 'harmless', 'undetected', 'timeout'),
          fc.nat(100),
        ),
        last_analysis_date: fc.oneof(fc.nat(), fc.double(), fc.constant(1e20)),
        popularity_ranks: fc.dictionary(fc.string(), fc.record({ rank: fc.nat() })),
        url: fc.oneof(fc.webUrl(), fc.string()),
        sha256: fc.string(),
        status: fc.constantFrom('completed', 'queued'),
        stats: fc.dictionary(fc.constantFrom('malicious', 'harmless'), fc.nat(100)),
        gti_assessment: fc.record({ verdict: fc.record({ value: fc.string() }) }),
        crowdsourced_yara_results: fc.array(fc.jsonValue(), { maxLength: 3 }),
        whois: fc.string(),
      },
      { requiredKeys: [] },
    ),
    { nil: undefined },
  ),
});

const vtPayload = fc.oneof(
  fc.jsonValue(),
  fc.array(vtObject, { maxLength: 3 }),
  fc.record({
    data: fc.oneof(vtObject, fc.array(vtObject, { maxLength: 3 })),
    meta: fc.jsonValue(),
  }),
  fc.record({ error: fc.record({ code: fc.string(), message: fc.string() }) }),
);

describe('sources on arbitrary input', () => {
  it('virustotal never throws past its schema and normalizer', () => {
    fc.assert(
      fc.property(vtPayload, (json) => {
        const result = runSource(SOURCES.virustotal!, json);

        expect(['records', 'invalid', 'rejected']).toContain(result.outcome);
      }),
      { numRuns: 500 },
    );
  });

  it('virustotal never records Clean without engine results', () => {
    fc.assert(
      fc.property(vtObject, (object) => {
        const result = runSource(SOURCES.virustotal!, { data: object });
        if (result.outcome !== 'records') return;

        const stats = object.attributes?.last_analysis_stats ?? {};
        const engines =
          Object.values(stats).reduce((sum, count) => sum + count, 0) - (stats.timeout ?? 0);
        for (const record of result.records) {
          if (record.kind === 'threat_lookup_result' && engines === 0) {
            expect(record.finding).not.toBe('Clean');
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it('generic never throws past its schema and normalizer', () => {
    const record = fc.record(
      {
        kind: fc.constantFrom(
          'threat_lookup_result',
          'observable_enrichment',
          'ci_enrichment',
          'enrichment_mapping',
          'x',
        ),
        observable: fc.oneof(
          fc.string(),
          fc.ipV4(),
          fc.webUrl(),
          fc.record({ type: fc.string(), value: fc.string() }),
        ),
        finding: fc.constantFrom('Malicious', 'Clean', 'bad'),
        source: fc.string(),
        ci: fc.string(),
        enrichmentMappingId: fc.stringMatching(/^[0-9a-f]{32}$/),
        rawData: fc.string(),
      },
      { requiredKeys: ['kind'] },
    );
    const payload = fc.oneof(
      fc.jsonValue(),
      record,
      fc.array(record, { maxLength: 4 }),
      fc.record({ records: fc.array(record, { maxLength: 4 }) }),
    );

    fc.assert(
      fc.property(payload, (json) => {
        const result = runSource(SOURCES.generic!, json);

        expect(['records', 'invalid', 'rejected']).toContain(result.outcome);
      }),
      { numRuns: 500 },
    );
  });
});
