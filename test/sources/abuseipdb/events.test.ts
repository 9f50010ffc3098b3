import { describe, expect, it } from 'vitest';
import { abuseIpDbSource } from '../../../functions/sources/abuseipdb/index.ts';
import { readJson } from '../run-source.ts';
import { findingsOf, runWithSkips } from '../shared/run-with-skips.ts';

const EVENTS = new URL('../../../events/abuseipdb/', import.meta.url);

function run(name: string) {
  return runWithSkips(abuseIpDbSource, readJson(new URL(name, EVENTS)));
}

describe('events/abuseipdb samples', () => {
  it.each([
    ['check-malicious-verbose.json', { '203.0.113.45': 'Malicious' }],
    ['check-suspicious.json', { '198.51.100.23': 'Suspicious' }],
    ['check-clean-low-score.json', { '192.0.2.80': 'Clean' }],
    ['check-no-reports.json', { '192.0.2.10': 'Unknown' }],
    ['check-ipv6-malicious.json', { '2001:db8::25': 'Malicious' }],
  ])('%s gives what the README says', (name, findings) => {
    const { result, skips } = run(name);
    if (result.outcome !== 'records')
      throw new Error(`${name}: ${result.outcome}: ${result.error.message}`);

    expect(findingsOf(result.records)).toEqual(findings);
    expect(result.records.map((record) => record.kind)).toEqual([
      'threat_lookup_result',
      'observable_enrichment',
    ]);
    expect(skips).toEqual([]);
  });

  it('rejects error-rate-limit.json naming the error', () => {
    const { result } = run('error-rate-limit.json');

    expect(result.outcome).toBe('rejected');
    if (result.outcome === 'rejected')
      expect(result.error.message).toContain('429 "Daily rate limit');
  });

  it('keeps the report comments of the verbose sample out', () => {
    const { result } = run('check-malicious-verbose.json');
    const serialized = JSON.stringify(result);

    expect(serialized).not.toContain('ops-alice@example.com');
    expect(serialized).not.toContain('jdoe');
    expect(serialized).not.toContain('48211');
  });
});
