import { describe, expect, it } from 'vitest';
import { urlhausSource } from '../../../functions/sources/urlhaus/index.ts';
import { readJson } from '../run-source.ts';
import { findingsOf, runWithSkips, samplesOf } from '../shared/run-with-skips.ts';

const EVENTS = new URL('../../../events/urlhaus/', import.meta.url);

function run(name: string) {
  return runWithSkips(urlhausSource, readJson(new URL(name, EVENTS)));
}

describe('events/urlhaus samples', () => {
  it('has an expectation for every sample', () => {
    expect(samplesOf('urlhaus').files).toEqual([
      'error-no-results.json',
      'host-suspicious.json',
      'payload-malicious.json',
      'recent-urls.json',
      'url-online.json',
    ]);
  });

  it('lists every sample in events/README.md', () => {
    const { files, readmeSection } = samplesOf('urlhaus');

    for (const name of files) expect(readmeSection).toContain(`\`${name}\``);
  });

  it.each([
    ['url-online.json', { 'http://downloads.example.net/invoice/INV-2025-0518.doc': 'Malicious' }],
    ['host-suspicious.json', { 'shop.example.org': 'Suspicious' }],
    [
      'payload-malicious.json',
      { '5e1d9c3b7a2f4e6d8c0b1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d': 'Malicious' },
    ],
    [
      'recent-urls.json',
      { 'http://198.51.100.23:59984/i': 'Malicious', 'http://203.0.113.5/bins/arm7': 'Suspicious' },
    ],
  ])('%s gives what the README says', (name, findings) => {
    const { result, skips } = run(name);
    if (result.outcome !== 'records')
      throw new Error(`${name}: ${result.outcome}: ${result.error.message}`);

    expect(findingsOf(result.records)).toEqual(findings);
    expect(result.records).toHaveLength(Object.keys(findings).length * 2);
    expect(skips).toEqual([]);
  });

  it('rejects error-no-results.json naming the status', () => {
    const { result } = run('error-no-results.json');

    expect(result.outcome).toBe('rejected');
    if (result.outcome === 'rejected') expect(result.error.message).toContain('"no_results"');
  });

  it('keeps the reporter handle out of every sample', () => {
    for (const name of ['url-online.json', 'host-suspicious.json', 'recent-urls.json']) {
      const { result } = run(name);

      expect(JSON.stringify(result)).not.toContain('example_reporter');
    }
  });
});
