import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { shodanSource } from '../../../functions/sources/shodan/index.ts';
import { runSource } from '../run-source.ts';

const maybe = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: null });
const address = fc.oneof(fc.ipV4(), fc.ipV6(), fc.string(), fc.domain());
const texts = maybe(fc.array(fc.string(), { maxLength: 4 }));
const port = fc.oneof(fc.integer({ min: 0, max: 65_535 }), fc.integer());

const banner = fc.record(
  {
    ip_str: address,
    port: maybe(port),
    transport: maybe(fc.string()),
    product: maybe(fc.string()),
    version: maybe(fc.oneof(fc.string(), fc.double())),
    cpe: maybe(fc.oneof(fc.string(), fc.array(fc.string(), { maxLength: 2 }))),
    timestamp: maybe(
      fc.oneof(
        fc.string(),
        fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
      ),
    ),
    hostnames: texts,
    tags: texts,
    org: maybe(fc.string()),
    vulns: maybe(
      fc.oneof(fc.array(fc.string(), { maxLength: 3 }), fc.dictionary(fc.string(), fc.jsonValue())),
    ),
    location: maybe(fc.record({ country_code: maybe(fc.string()) }, { requiredKeys: [] })),
    _shodan: maybe(fc.record({ module: maybe(fc.string()) }, { requiredKeys: [] })),
    data: fc.string(),
  },
  { requiredKeys: ['ip_str'] },
);

const payload = fc.oneof(
  fc.jsonValue(),
  fc.record({ matches: fc.array(banner, { maxLength: 5 }), total: maybe(fc.nat()) }),
  fc.record(
    {
      ip_str: address,
      ports: maybe(fc.array(port, { maxLength: 5 })),
      hostnames: texts,
      vulns: maybe(fc.array(fc.string(), { maxLength: 5 })),
      last_update: maybe(fc.string()),
      data: maybe(fc.array(banner, { maxLength: 3 })),
    },
    { requiredKeys: ['ip_str'] },
  ),
  fc.record({ ip: address, ports: maybe(fc.array(port)), cpes: texts, vulns: texts, tags: texts }),
  fc.record({ error: fc.string() }),
  fc.record({ detail: fc.string() }),
);

describe('shodan on arbitrary input', () => {
  it('never throws past its schema and normalizer', () => {
    fc.assert(
      fc.property(payload, (json) => {
        const result = runSource(shodanSource, json);

        expect(['records', 'invalid', 'rejected']).toContain(result.outcome);
      }),
      { numRuns: 500 },
    );
  });

  it('never gives a threat lookup result', () => {
    fc.assert(
      fc.property(payload, (json) => {
        const result = runSource(shodanSource, json);
        if (result.outcome !== 'records') return;

        for (const record of result.records) expect(record.kind).toBe('observable_enrichment');
      }),
      { numRuns: 500 },
    );
  });

  it('never forwards banner text', () => {
    const marked = banner.map((entry) => ({ ...entry, data: `BANNER-TEXT ${entry.data}` }));
    fc.assert(
      fc.property(fc.array(marked, { minLength: 1, maxLength: 4 }), (matches) => {
        const result = runSource(shodanSource, { matches });
        if (result.outcome !== 'records') return;

        expect(JSON.stringify(result.records)).not.toContain('BANNER-TEXT');
      }),
      { numRuns: 300 },
    );
  });
});
