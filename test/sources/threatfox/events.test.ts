import { describe, expect, it } from 'vitest';
import { threatFoxSource } from '../../../functions/sources/threatfox/index.ts';
import { readJson } from '../run-source.ts';
import { findingsOf, runWithSkips, samplesOf } from '../shared/run-with-skips.ts';

const EVENTS = new URL('../../../events/threatfox/', import.meta.url);

function run(name: string) {
  return runWithSkips(threatFoxSource, readJson(new URL(name, EVENTS)));
}

describe('events/threatfox samples', () => {
  it('has an expectation for every sample', () => {
    expect(samplesOf('threatfox').files).toEqual([
      'error-no-result.json',
      'ioc-by-id-domain.json',
      'recent-iocs-mixed.json',
      'search-ioc-ip-port.json',
    ]);
  });

  it('lists every sample in events/README.md', () => {
    const { files, readmeSection } = samplesOf('threatfox');

    for (const name of files) expect(readmeSection).toContain(`\`${name}\``);
  });

  it.each([
    ['search-ioc-ip-port.json', { '192.0.2.44': 'Malicious' }, 0],
    ['ioc-by-id-domain.json', { 'c2.example.net': 'Suspicious' }, 0],
    [
      'recent-iocs-mixed.json',
      {
        'https://login.example.org/panel/gate.php': 'Malicious',
        '7a2b9c3b7a2f4e6d8c0b1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d': 'Malicious',
        'invoices@example.com': 'Malicious',
        '2001:db8::7': 'Malicious',
      },
      1,
    ],
  ])('%s gives what the README says', (name, findings, skipped) => {
    const { result, skips } = run(name);
    if (result.outcome !== 'records')
      throw new Error(`${name}: ${result.outcome}: ${result.error.message}`);

    expect(findingsOf(result.records)).toEqual(findings);
    expect(result.records).toHaveLength(Object.keys(findings).length * 2);
    expect(skips).toHaveLength(skipped);
  });

  it('skips the SHA3-384 IOC of recent-iocs-mixed.json', () => {
    const { skips } = run('recent-iocs-mixed.json');

    expect(skips[0]).toMatchObject({
      reason: 'unsupported_ioc_type',
      detail: { iocType: 'sha3_384_hash' },
    });
  });

  it('rejects error-no-result.json naming the status', () => {
    const { result } = run('error-no-result.json');

    expect(result.outcome).toBe('rejected');
    if (result.outcome === 'rejected') expect(result.error.message).toContain('"no_result"');
  });

  it('keeps the reporter and credits out of every sample', () => {
    for (const name of [
      'search-ioc-ip-port.json',
      'ioc-by-id-domain.json',
      'recent-iocs-mixed.json',
    ]) {
      expect(JSON.stringify(run(name).result)).not.toContain('example_reporter');
    }
  });
});
