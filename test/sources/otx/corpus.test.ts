import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_RAW_PAYLOAD_LENGTH } from '../../../functions/records/record.ts';
import { otxSource } from '../../../functions/sources/otx/index.ts';
import { corpusFiles, findingsOf, runWithSkips } from '../shared/run-with-skips.ts';

// Real OTX responses kept beside the project, outside the repository (their licences
// differ). A fresh clone lacks the folder, and then these tests are skipped.
const { folder, files } = corpusFiles('otx');

interface Expectation {
  /** Observables of the records, in order. */
  observables: string[];
  /** Lookup findings by observable; passive DNS sections give none. */
  findings: Record<string, string>;
}

const EXPECTED: Record<string, Expectation> = {
  'domain-passive_dns-jppost-tu.top.json': { observables: ['jppost-tu.top'], findings: {} },
  'ipv4-passive_dns-89.35.39.84.json': { observables: ['89.35.39.84'], findings: {} },
  'ipv4-general-20.42.73.28-cloud-validation.json': {
    observables: ['20.42.73.28', '20.42.73.28'],
    findings: { '20.42.73.28': 'Suspicious' },
  },
  'ipv4-general-204.79.197.203-50-pulses-huge.json': {
    observables: ['204.79.197.203', '204.79.197.203'],
    findings: { '204.79.197.203': 'Clean' },
  },
  'ipv4-general-79.124.78.197-no-pulses.json': {
    observables: ['79.124.78.197', '79.124.78.197'],
    findings: { '79.124.78.197': 'Unknown' },
  },
};

function run(name: string) {
  return runWithSkips(otxSource, JSON.parse(readFileSync(path.join(folder, name), 'utf8')));
}

describe.skipIf(files.length === 0)('otx corpus', () => {
  it('contains the files with specific expectations', () => {
    for (const name of Object.keys(EXPECTED)) expect(files).toContain(name);
  });

  it.each(files)('%s gives the expected records or a clear rejection', (name) => {
    const { result } = run(name);
    const expected = EXPECTED[name];

    expect(result.outcome).not.toBe('invalid');
    if (expected === undefined) {
      // A file added to the corpus later must still give records or a named rejection.
      if (result.outcome === 'rejected') expect(result.error.message.length).toBeGreaterThan(20);
      else expect(result.outcome === 'records' && result.records.length).toBeGreaterThan(0);
      return;
    }
    if (result.outcome !== 'records')
      throw new Error(`${name}: ${result.outcome}: ${result.error.message}`);
    expect(
      result.records.map((record) => ('observable' in record ? record.observable.value : '')),
    ).toEqual(expected.observables);
    expect(findingsOf(result.records)).toEqual(expected.findings);
  });

  it.each(files)('%s stays within the record limits', (name) => {
    const { result } = run(name);
    if (result.outcome !== 'records') return;

    for (const record of result.records) {
      if (record.kind === 'observable_enrichment') {
        expect(JSON.stringify(record.details).length).toBeLessThan(8_000);
      }
      if (record.kind === 'threat_lookup_result') {
        expect(record.rawPayload!.length).toBeLessThanOrEqual(MAX_RAW_PAYLOAD_LENGTH);
        expect(() => JSON.parse(record.rawPayload!)).not.toThrow();
      }
    }
  });

  it('keeps the pasted WHOIS text and authors of the huge section out', () => {
    const { result } = run('ipv4-general-204.79.197.203-50-pulses-huge.json');
    const serialized = JSON.stringify(result);

    expect(serialized).not.toContain('person-a@example.invalid');
    expect(serialized).not.toContain('Example Person');
    expect(serialized).not.toContain('skocherhan');
  });

  it('lists the 34 host names of the IP passive DNS', () => {
    const { result } = run('ipv4-passive_dns-89.35.39.84.json');
    if (result.outcome !== 'records') throw new Error(result.outcome);

    expect(result.records[0]).toMatchObject({
      kind: 'observable_enrichment',
      details: { queriedAs: 'address', resolutionCount: 34 },
    });
  });
});
