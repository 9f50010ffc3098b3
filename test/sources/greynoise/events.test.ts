import { describe, expect, it } from 'vitest';
import { greyNoiseSource } from '../../../functions/sources/greynoise/index.ts';
import { readJson } from '../run-source.ts';
import { findingsOf, runWithSkips } from '../shared/run-with-skips.ts';

const EVENTS = new URL('../../../events/greynoise/', import.meta.url);

function run(name: string) {
  return runWithSkips(greyNoiseSource, readJson(new URL(name, EVENTS)));
}

describe('events/greynoise samples', () => {
  it.each([
    ['community-malicious.json', { '203.0.113.77': 'Malicious' }],
    ['community-not-observed.json', { '192.0.2.14': 'Unknown' }],
    ['context-unknown-scanner.json', { '198.51.100.201': 'Unknown' }],
    ['riot-trusted.json', { '198.51.100.53': 'Clean' }],
    ['gnql-two-results.json', { '203.0.113.90': 'Malicious', '192.0.2.200': 'Clean' }],
  ])('%s gives what the README says', (name, findings) => {
    const { result, skips } = run(name);
    if (result.outcome !== 'records')
      throw new Error(`${name}: ${result.outcome}: ${result.error.message}`);

    expect(findingsOf(result.records)).toEqual(findings);
    expect(result.records).toHaveLength(Object.keys(findings).length * 2);
    expect(skips).toEqual([]);
  });

  it('quick-multi.json gives two enrichments and no verdict', () => {
    const { result } = run('quick-multi.json');
    if (result.outcome !== 'records') throw new Error(result.outcome);

    expect(result.records.map((record) => record.kind)).toEqual([
      'observable_enrichment',
      'observable_enrichment',
    ]);
  });

  it.each([
    ['community-rate-limited.json', 'daily rate limit'],
    ['context-error-spoofed.json', 'commonly spoofed ip'],
  ])('rejects %s naming the error', (name, text) => {
    const { result } = run(name);

    expect(result.outcome).toBe('rejected');
    if (result.outcome === 'rejected') expect(result.error.message).toContain(text);
  });
});
