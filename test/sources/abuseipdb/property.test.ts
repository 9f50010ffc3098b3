import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { abuseIpDbSource } from '../../../functions/sources/abuseipdb/index.ts';
import { runSource } from '../run-source.ts';

const address = fc.oneof(fc.ipV4(), fc.ipV6(), fc.string(), fc.domain());
const maybe = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: null });

const report = fc.record(
  {
    reportedAt: maybe(fc.string()),
    comment: fc.string(),
    categories: maybe(fc.array(fc.integer({ min: -5, max: 40 }), { maxLength: 5 })),
    reporterId: fc.nat(),
    reporterCountryCode: maybe(fc.string({ maxLength: 3 })),
  },
  { requiredKeys: [] },
);

const check = fc.record(
  {
    ipAddress: address,
    isPublic: maybe(fc.boolean()),
    ipVersion: maybe(fc.constantFrom(4, 6)),
    isWhitelisted: maybe(fc.boolean()),
    abuseConfidenceScore: fc.oneof(fc.integer({ min: 0, max: 100 }), fc.integer(), fc.double()),
    countryCode: maybe(fc.string()),
    hostnames: maybe(fc.array(fc.string(), { maxLength: 3 })),
    totalReports: maybe(fc.oneof(fc.nat(), fc.integer())),
    numReports: maybe(fc.nat()),
    numDistinctUsers: maybe(fc.nat()),
    lastReportedAt: maybe(
      fc.oneof(
        fc.string(),
        fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
      ),
    ),
    reports: maybe(fc.array(report, { maxLength: 4 })),
  },
  { requiredKeys: ['ipAddress'] },
);

const payload = fc.oneof(
  fc.jsonValue(),
  fc.record({ data: check }),
  fc.record({ data: fc.jsonValue() }),
  fc.record({
    errors: fc.array(
      fc.record({ detail: maybe(fc.string()), status: maybe(fc.oneof(fc.nat(), fc.string())) }),
      { maxLength: 3 },
    ),
  }),
  fc.record({ data: fc.record({ networkAddress: fc.ipV4(), netmask: fc.string() }) }),
);

describe('abuseipdb on arbitrary input', () => {
  it('never throws past its schema and normalizer', () => {
    fc.assert(
      fc.property(payload, (json) => {
        const result = runSource(abuseIpDbSource, json);

        expect(['records', 'invalid', 'rejected']).toContain(result.outcome);
      }),
      { numRuns: 500 },
    );
  });

  it('never records Clean without reports or on an address not routed', () => {
    fc.assert(
      fc.property(check, (data) => {
        const result = runSource(abuseIpDbSource, { data });
        if (result.outcome !== 'records') return;

        const [lookup, enrichment] = result.records;
        if (lookup?.kind !== 'threat_lookup_result' || enrichment?.kind !== 'observable_enrichment')
          throw new Error('expected a lookup result and an enrichment');
        const reports = data.totalReports ?? data.numReports ?? undefined;
        const scope = enrichment.details?.ipScope;
        if (reports === 0 || reports === undefined || data.isPublic === false) {
          expect(lookup.finding).not.toBe('Clean');
        }
        if (scope !== 'public' && scope !== 'documentation') {
          expect(lookup.finding).toBe('Unknown');
        }
      }),
      { numRuns: 500 },
    );
  });

  it('never forwards a report comment', () => {
    const marked = report.map((entry) => ({
      ...entry,
      comment: `SECRET-COMMENT ${entry.comment ?? ''}`,
    }));
    fc.assert(
      fc.property(check, fc.array(marked, { minLength: 1, maxLength: 3 }), (data, reports) => {
        const result = runSource(abuseIpDbSource, { data: { ...data, reports } });
        if (result.outcome !== 'records') return;

        expect(JSON.stringify(result.records)).not.toContain('SECRET-COMMENT');
      }),
      { numRuns: 300 },
    );
  });
});
