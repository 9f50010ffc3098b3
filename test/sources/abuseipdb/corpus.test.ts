import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../functions/records/finding.ts';
import { abuseIpDbSource } from '../../../functions/sources/abuseipdb/index.ts';
import { corpusFiles, findingsOf, runWithSkips } from '../shared/run-with-skips.ts';

// Real AbuseIPDB responses kept beside the project, outside the repository (their licences
// differ). A fresh clone lacks the folder, and then these tests are skipped.
const { folder, files } = corpusFiles('abuseipdb');

type Expectation = { findings: Record<string, Finding>; ipScope: string } | { rejected: RegExp };

/** What each known file must give; files added to the corpus later get the generic check only. */
const EXPECTED: Record<string, Expectation> = {
  // 188 reports but score 0 and isPublic false: AbuseIPDB does not score such addresses.
  'check-0.0.0.0-reserved-188-reports-score0.json': {
    findings: { '0.0.0.0': 'Unknown' },
    ipScope: 'unspecified',
  },
  'check-172.17.0.17-private-no-reports.json': {
    findings: { '172.17.0.17': 'Unknown' },
    ipScope: 'private',
  },
  'check-20.42.73.28-score8-3-reports.json': {
    findings: { '20.42.73.28': 'Clean' },
    ipScope: 'public',
  },
  // Multicast, whitelisted and isPublic true: still not a host on the internet.
  'check-224.0.0.252-multicast.json': {
    findings: { '224.0.0.252': 'Unknown' },
    ipScope: 'multicast',
  },
  'check-23.220.251.153-clean-0-reports.json': {
    findings: { '23.220.251.153': 'Unknown' },
    ipScope: 'public',
  },
  'docs-check-118.25.6.39-verbose-score100.json': {
    findings: { '118.25.6.39': 'Malicious' },
    ipScope: 'public',
  },
  'docs-error-422-max-age.json': {
    rejected: /AbuseIPDB returned an error.*422 "The max age in days must be between 1 and 365\."/,
  },
};

function run(name: string) {
  return runWithSkips(abuseIpDbSource, JSON.parse(readFileSync(path.join(folder, name), 'utf8')));
}

describe.skipIf(files.length === 0)('abuseipdb corpus', () => {
  it('contains the files with specific expectations', () => {
    for (const name of Object.keys(EXPECTED)) expect(files).toContain(name);
  });

  it.each(files)('%s gives records or a clear rejection', (name) => {
    const { result, skips } = run(name);

    expect(result.outcome).not.toBe('invalid');
    expect(skips).toEqual([]);
    if (result.outcome === 'rejected') {
      expect(result.error.message).toMatch(/AbuseIPDB/);
    } else if (result.outcome === 'records') {
      expect(result.records.map((record) => record.kind)).toEqual([
        'threat_lookup_result',
        'observable_enrichment',
      ]);
    }
  });

  it.each(Object.entries(EXPECTED).filter(([name]) => files.includes(name)))(
    '%s gives the expected outcome',
    (name, expected) => {
      const { result } = run(name);

      if ('rejected' in expected) {
        expect(result.outcome).toBe('rejected');
        if (result.outcome === 'rejected') expect(result.error.message).toMatch(expected.rejected);
        return;
      }
      if (result.outcome !== 'records')
        throw new Error(`${name}: ${result.outcome}: ${result.error.message}`);
      expect(findingsOf(result.records)).toEqual(expected.findings);
      const enrichment = result.records[1];
      if (enrichment?.kind !== 'observable_enrichment') throw new Error('no enrichment');
      expect(enrichment.details?.ipScope).toBe(expected.ipScope);
    },
  );

  it('keeps the verbose report comment out of records', () => {
    const { result } = run('docs-check-118.25.6.39-verbose-score100.json');
    const serialized = JSON.stringify(result);

    expect(serialized).not.toContain('Invalid user oracle');
    expect(serialized).not.toContain('srv206');
    expect(serialized).not.toContain('reporterId');
  });
});
