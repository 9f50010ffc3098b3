import { describe, expect, it } from 'vitest';
import { MAX_DETAILS_LENGTH, relayRecordSchema } from '../../functions/records/record.ts';

const lookup = {
  kind: 'threat_lookup_result',
  observable: { type: 'ipv4', value: '192.0.2.1' },
  finding: 'Clean',
  source: 'Example',
};

describe('record model', () => {
  it.each(['https://feed.example.com/i/1?x=1', 'http://192.0.2.1/report'])(
    'accepts the report URL %s',
    (reportUrl) => {
      expect(relayRecordSchema.safeParse({ ...lookup, reportUrl }).success).toBe(true);
    },
  );

  it.each(['javascript:alert(1)', 'data:text/html,<b>x</b>', 'ftp://example.com/x', 'not a url'])(
    'rejects the report URL %s',
    (reportUrl) => {
      expect(relayRecordSchema.safeParse({ ...lookup, reportUrl }).success).toBe(false);
    },
  );

  it.each(['', '   ', '\t\n', '\u00a0'])('rejects the blank source %j', (source) => {
    expect(relayRecordSchema.safeParse({ ...lookup, source }).success).toBe(false);
  });

  it('rejects a blank configuration item', () => {
    expect(
      relayRecordSchema.safeParse({ kind: 'ci_enrichment', ci: '  ', source: 'EDR' }).success,
    ).toBe(false);
  });

  it('rejects details that serialize beyond the limit', () => {
    const details = { text: 'd'.repeat(MAX_DETAILS_LENGTH) };
    const result = relayRecordSchema.safeParse({
      kind: 'observable_enrichment',
      observable: lookup.observable,
      source: 'Example',
      details,
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['details']);
  });

  it('rejects details nested too deeply to serialize', () => {
    let nested: Record<string, unknown> = {};
    for (let depth = 0; depth < 20_000; depth++) nested = { nested };
    const result = relayRecordSchema.safeParse({
      kind: 'observable_enrichment',
      observable: lookup.observable,
      source: 'Example',
      details: nested,
    });
    expect(result.success).toBe(false);
  });
});
