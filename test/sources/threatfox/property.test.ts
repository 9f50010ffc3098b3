import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { threatFoxSource } from '../../../functions/sources/threatfox/index.ts';
import { runWithSkips } from '../shared/run-with-skips.ts';

const iocType = fc.constantFrom(
  'ip:port',
  'domain',
  'url',
  'md5_hash',
  'sha1_hash',
  'sha256_hash',
  'sha3_384_hash',
  'envelope_from',
  'body_from',
  '',
);

const iocValue = fc.oneof(
  fc.string(),
  fc.domain(),
  fc.webUrl(),
  fc.emailAddress(),
  fc
    .tuple(fc.oneof(fc.ipV4(), fc.ipV6()), fc.integer({ min: -1, max: 70_000 }))
    .map(([ip, port]) => `${ip}:${port}`),
  fc.stringMatching(/^[0-9a-f]{32}$|^[0-9a-f]{40}$|^[0-9a-f]{64}$/),
);

const ioc = fc.record(
  {
    id: fc.oneof(fc.nat().map(String), fc.nat(), fc.string()),
    ioc: iocValue,
    ioc_type: iocType,
    confidence_level: fc.option(fc.oneof(fc.integer({ min: -5, max: 105 }), fc.double())),
    is_compromised: fc.option(fc.boolean()),
    first_seen: fc.option(fc.string()),
    tags: fc.option(fc.array(fc.string(), { maxLength: 3 })),
    reference: fc.option(fc.oneof(fc.webUrl(), fc.string())),
    malware_samples: fc.option(fc.array(fc.jsonValue(), { maxLength: 2 })),
  },
  { requiredKeys: ['ioc', 'ioc_type'] },
);

const payload = fc.oneof(
  fc.jsonValue(),
  ioc,
  fc.array(ioc, { maxLength: 4 }),
  fc.record({
    query_status: fc.constantFrom('ok', 'no_result', 'illegal_search_term'),
    data: fc.oneof(fc.array(ioc, { maxLength: 4 }), ioc, fc.jsonValue()),
  }),
);

describe('threatfox on arbitrary input', () => {
  it('never throws past its schema and normalizer', () => {
    fc.assert(
      fc.property(payload, (json) => {
        const { result } = runWithSkips(threatFoxSource, json);

        expect(['records', 'invalid', 'rejected']).toContain(result.outcome);
      }),
      { numRuns: 500 },
    );
  });

  it('gives each observable one lookup result', () => {
    fc.assert(
      fc.property(fc.array(ioc, { maxLength: 6 }), (iocs) => {
        const { result } = runWithSkips(threatFoxSource, iocs);
        if (result.outcome !== 'records') return;

        const observables = result.records.flatMap((record) =>
          record.kind === 'threat_lookup_result'
            ? [`${record.observable.type}:${record.observable.value}`]
            : [],
        );
        expect(new Set(observables).size).toBe(observables.length);
      }),
      { numRuns: 300 },
    );
  });
});
