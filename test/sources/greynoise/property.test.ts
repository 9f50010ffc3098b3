import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { greyNoiseSource } from '../../../functions/sources/greynoise/index.ts';
import { runSource } from '../run-source.ts';

const maybe = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: null });
const address = fc.oneof(fc.ipV4(), fc.ipV6(), fc.string(), fc.domain());
const classification = fc.constantFrom('malicious', 'benign', 'unknown', 'suspicious', '', 'x');
const trustLevel = fc.oneof(fc.constantFrom('1', '2', '3'), fc.integer({ min: 0, max: 4 }));

const riotFields = {
  riot: maybe(fc.boolean()),
  name: maybe(fc.string()),
  category: maybe(fc.string()),
  trust_level: maybe(trustLevel),
  reference: maybe(fc.oneof(fc.webUrl(), fc.string())),
  last_updated: maybe(fc.string()),
};

const contextRecord = fc.record(
  {
    ip: address,
    seen: fc.boolean(),
    classification: maybe(classification),
    tags: maybe(fc.array(fc.string(), { maxLength: 5 })),
    cve: maybe(fc.array(fc.string(), { maxLength: 3 })),
    metadata: maybe(
      fc.record({ asn: maybe(fc.string()), tor: maybe(fc.boolean()) }, { requiredKeys: [] }),
    ),
    raw_data: maybe(
      fc.record({
        scan: fc.array(fc.record({ port: maybe(fc.integer()), protocol: maybe(fc.string()) }), {
          maxLength: 4,
        }),
      }),
    ),
    ...riotFields,
  },
  { requiredKeys: ['ip', 'seen'] },
);

const quick = fc.record(
  {
    ip: address,
    code: fc.oneof(fc.constantFrom('0x00', '0x01', '0x05', '0x07', '0x09', '0x10'), fc.string()),
    noise: maybe(fc.boolean()),
    riot: maybe(fc.boolean()),
    code_message: maybe(fc.string()),
  },
  { requiredKeys: ['ip', 'code'] },
);

const community = fc.record(
  {
    ip: maybe(address),
    noise: maybe(fc.boolean()),
    riot: maybe(fc.boolean()),
    classification: maybe(classification),
    link: maybe(fc.oneof(fc.webUrl(), fc.string())),
    last_seen: maybe(fc.string()),
    message: fc.oneof(
      fc.constantFrom('Success', 'IP not observed scanning the internet'),
      fc.string(),
    ),
  },
  { requiredKeys: ['message'] },
);

const payload = fc.oneof(
  fc.jsonValue(),
  contextRecord,
  quick,
  community,
  fc.array(quick, { maxLength: 4 }),
  fc.record({ ip: address, ...riotFields, riot: fc.boolean() }),
  fc.record({
    data: maybe(fc.array(contextRecord, { maxLength: 3 })),
    message: maybe(fc.string()),
    count: maybe(fc.nat()),
  }),
  fc.record({ error: fc.string() }),
);

describe('greynoise on arbitrary input', () => {
  it('never throws past its schema and normalizer', () => {
    fc.assert(
      fc.property(payload, (json) => {
        const result = runSource(greyNoiseSource, json);

        expect(['records', 'invalid', 'rejected']).toContain(result.outcome);
      }),
      { numRuns: 500 },
    );
  });

  it('never gives a verdict for a quick check', () => {
    fc.assert(
      fc.property(fc.oneof(quick, fc.array(quick, { maxLength: 4 })), (json) => {
        const result = runSource(greyNoiseSource, json);
        if (result.outcome !== 'records') return;

        for (const record of result.records) expect(record.kind).toBe('observable_enrichment');
      }),
      { numRuns: 300 },
    );
  });

  it('never records Clean for an address not seen and not trusted', () => {
    fc.assert(
      fc.property(contextRecord, (context) => {
        const result = runSource(greyNoiseSource, { ...context, seen: false, trust_level: '2' });
        if (result.outcome !== 'records') return;

        for (const record of result.records) {
          if (record.kind === 'threat_lookup_result') expect(record.finding).toBe('Unknown');
        }
      }),
      { numRuns: 300 },
    );
  });
});
