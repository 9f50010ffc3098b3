import { describe, expect, it } from 'vitest';
import { otxSource } from '../../../functions/sources/otx/index.ts';
import { readJson } from '../run-source.ts';
import { findingsOf, runWithSkips, samplesOf } from '../shared/run-with-skips.ts';

const EVENTS = new URL('../../../events/otx/', import.meta.url);

function run(name: string) {
  return runWithSkips(otxSource, readJson(new URL(name, EVENTS)));
}

describe('events/otx samples', () => {
  it('has an expectation for every sample', () => {
    expect(samplesOf('otx').files).toEqual([
      'domain-general-whitelisted.json',
      'error-detail.json',
      'file-general-no-pulses.json',
      'hostname-passive-dns.json',
      'ipv4-general-pulses.json',
      'url-general-one-pulse.json',
    ]);
  });

  it('lists every sample in events/README.md', () => {
    const { files, readmeSection } = samplesOf('otx');

    for (const name of files) expect(readmeSection).toContain(`\`${name}\``);
  });

  it.each([
    ['ipv4-general-pulses.json', { '203.0.113.9': 'Malicious' }],
    ['domain-general-whitelisted.json', { 'example.com': 'Clean' }],
    ['url-general-one-pulse.json', { 'http://www.example.net/account/verify.php': 'Suspicious' }],
    [
      'file-general-no-pulses.json',
      { '9f2c4b6d8e0a1c3e5f7b9d1a3c5e7f9b1d3f5a7c9e1b3d5f7a9c1e3b5d7f9a1c': 'Unknown' },
    ],
  ])('%s gives what the README says', (name, findings) => {
    const { result } = run(name);
    if (result.outcome !== 'records')
      throw new Error(`${name}: ${result.outcome}: ${result.error.message}`);

    expect(findingsOf(result.records)).toEqual(findings);
    expect(result.records.map((record) => record.kind)).toEqual([
      'threat_lookup_result',
      'observable_enrichment',
    ]);
  });

  it('enriches login.example.net from hostname-passive-dns.json', () => {
    const { result } = run('hostname-passive-dns.json');
    if (result.outcome !== 'records') throw new Error(result.outcome);

    expect(result.records).toEqual([
      expect.objectContaining({
        kind: 'observable_enrichment',
        observable: { type: 'domain', value: 'login.example.net' },
      }),
    ]);
  });

  it('rejects error-detail.json naming the message', () => {
    const { result } = run('error-detail.json');

    expect(result.outcome).toBe('rejected');
    if (result.outcome === 'rejected') expect(result.error.message).toContain('"Not found."');
  });

  it('keeps pulse authors and descriptions out of every sample', () => {
    for (const name of [
      'ipv4-general-pulses.json',
      'domain-general-whitelisted.json',
      'url-general-one-pulse.json',
    ]) {
      const serialized = JSON.stringify(run(name).result);

      expect(serialized).not.toContain('example_author');
      expect(serialized).not.toContain('Free text written by the pulse author');
    }
  });
});
