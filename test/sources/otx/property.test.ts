import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { otxSource } from '../../../functions/sources/otx/index.ts';
import { runWithSkips } from '../shared/run-with-skips.ts';

const pulse = fc.record(
  {
    id: fc.string(),
    name: fc.option(fc.string()),
    modified: fc.option(
      fc.oneof(
        fc.string(),
        fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
      ),
    ),
    tags: fc.option(fc.array(fc.string(), { maxLength: 4 })),
    malware_families: fc.option(
      fc.array(
        fc.oneof(fc.string(), fc.record({ id: fc.string(), display_name: fc.option(fc.string()) })),
        {
          maxLength: 3,
        },
      ),
    ),
    attack_ids: fc.option(fc.array(fc.record({ id: fc.string() }), { maxLength: 3 })),
    adversary: fc.option(fc.string()),
  },
  { requiredKeys: [] },
);

const validation = fc.record(
  {
    source: fc.constantFrom('whitelist', 'false_positive', 'cloud', 'akamai', 'majestic', 'x'),
    name: fc.option(fc.string()),
    message: fc.option(fc.string()),
  },
  { requiredKeys: [] },
);

const general = fc.record(
  {
    indicator: fc.oneof(
      fc.string(),
      fc.ipV4(),
      fc.ipV6(),
      fc.domain(),
      fc.webUrl(),
      fc.emailAddress(),
      fc.stringMatching(/^[0-9a-f]{64}$/),
    ),
    type: fc.constantFrom(
      'IPv4',
      'IPv6',
      'domain',
      'hostname',
      'url',
      'email',
      'FileHash-SHA256',
      'file',
      'cve',
      '',
    ),
    reputation: fc.option(fc.integer()),
    pulse_info: fc.record({
      count: fc.nat(60),
      pulses: fc.option(fc.array(pulse, { maxLength: 3 })),
    }),
    validation: fc.option(fc.array(validation, { maxLength: 3 })),
    false_positive: fc.option(
      fc.array(fc.record({ assessment: fc.constantFrom('accepted', 'pending') }), { maxLength: 2 }),
    ),
  },
  { requiredKeys: ['indicator', 'type', 'pulse_info'] },
);

const resolution = fc.record({
  hostname: fc.oneof(fc.domain(), fc.string({ minLength: 1 })),
  address: fc.oneof(fc.ipV4(), fc.ipV6(), fc.domain(), fc.string({ minLength: 1 })),
  first: fc.option(fc.string()),
  last: fc.option(fc.string()),
});

const payload = fc.oneof(
  fc.jsonValue(),
  general,
  fc.record({ passive_dns: fc.array(resolution, { maxLength: 4 }), count: fc.option(fc.nat()) }),
  fc.record({ detail: fc.string() }),
);

describe('otx on arbitrary input', () => {
  it('never throws past its schema and normalizer', () => {
    fc.assert(
      fc.property(payload, (json) => {
        const { result } = runWithSkips(otxSource, json);

        expect(['records', 'invalid', 'rejected']).toContain(result.outcome);
      }),
      { numRuns: 500 },
    );
  });

  it('never records Clean without a whitelisting note', () => {
    fc.assert(
      fc.property(general, (json) => {
        const { result } = runWithSkips(otxSource, json);
        if (result.outcome !== 'records') return;

        const vouched =
          (json.validation ?? []).some(
            (entry) =>
              entry.source === 'whitelist' ||
              entry.source === 'false_positive' ||
              /whitelist|false positive/i.test(`${entry.name ?? ''} ${entry.message ?? ''}`),
          ) || (json.false_positive ?? []).some((report) => report.assessment === 'accepted');
        for (const record of result.records) {
          if (record.kind === 'threat_lookup_result' && !vouched)
            expect(record.finding).not.toBe('Clean');
        }
      }),
      { numRuns: 300 },
    );
  });
});
