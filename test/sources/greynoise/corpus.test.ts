import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RecordKind } from '../../../functions/records/record.ts';
import { greyNoiseSource } from '../../../functions/sources/greynoise/index.ts';
import { corpusFiles, findingsOf, runWithSkips } from '../shared/run-with-skips.ts';

// Real GreyNoise responses kept beside the project, outside the repository (their licences
// differ). A fresh clone lacks the folder, and then these tests are skipped.
const { folder, files } = corpusFiles('greynoise');

interface Expectation {
  kinds: RecordKind[];
  findings: Record<string, string>;
}

const LOOKUP: RecordKind[] = ['threat_lookup_result', 'observable_enrichment'];

/** What each known file must give; files added to the corpus later get the generic check only. */
const EXPECTED: Record<string, Expectation> = {
  // Context and RIOT fields in one record: benign noise, RIOT trust level 1.
  'v2-context-66.249.65.163-benign-googlebot.json': {
    kinds: LOOKUP,
    findings: { '66.249.65.163': 'Clean' },
  },
  'v2-gnql-3com-officeconnect-rce.json': {
    kinds: Array.from({ length: 10 }, () => LOOKUP).flat(),
    findings: {
      '202.43.148.172': 'Malicious',
      '208.97.139.113': 'Malicious',
      '68.5.101.90': 'Malicious',
      '208.97.139.102': 'Malicious',
      '208.97.139.112': 'Malicious',
      '208.113.204.109': 'Malicious',
      '149.202.251.78': 'Malicious',
      '208.97.139.121': 'Malicious',
      '68.94.227.128': 'Malicious',
      '208.113.204.14': 'Malicious',
    },
  },
  // Quick checks tell whether GreyNoise saw an address and give no verdict.
  'v2-noise-multi-quick.json': {
    kinds: ['observable_enrichment', 'observable_enrichment'],
    findings: {},
  },
  'v2-noise-quick-1.1.1.1.json': { kinds: ['observable_enrichment'], findings: {} },
  'v2-quick-1.1.1.1-riot-code-0x10.json': { kinds: ['observable_enrichment'], findings: {} },
  'v2-quick-8.8.8.8-riot.json': { kinds: ['observable_enrichment'], findings: {} },
  'v2-riot-8.8.8.8.json': { kinds: LOOKUP, findings: { '8.8.8.8': 'Clean' } },
  'v3-community-8.8.8.8-riot-benign.json': { kinds: LOOKUP, findings: { '8.8.8.8': 'Clean' } },
};

function run(name: string) {
  return runWithSkips(greyNoiseSource, JSON.parse(readFileSync(path.join(folder, name), 'utf8')));
}

describe.skipIf(files.length === 0)('greynoise corpus', () => {
  it('contains the files with specific expectations', () => {
    for (const name of Object.keys(EXPECTED)) expect(files).toContain(name);
  });

  it.each(files)('%s gives records or a clear rejection', (name) => {
    const { result, skips } = run(name);

    expect(result.outcome).not.toBe('invalid');
    expect(skips).toEqual([]);
    if (result.outcome === 'rejected') expect(result.error.message).toMatch(/GreyNoise/);
    else if (result.outcome === 'records') expect(result.records.length).toBeGreaterThan(0);
  });

  it.each(Object.entries(EXPECTED).filter(([name]) => files.includes(name)))(
    '%s gives the expected records',
    (name, expected) => {
      const { result } = run(name);
      if (result.outcome !== 'records')
        throw new Error(`${name}: ${result.outcome}: ${result.error.message}`);

      expect(result.records.map((record) => record.kind)).toEqual(expected.kinds);
      expect(findingsOf(result.records)).toEqual(expected.findings);
    },
  );

  it('explains the 0x05 quick code in the enrichment', () => {
    const { result } = run('v2-noise-quick-1.1.1.1.json');
    if (result.outcome !== 'records') throw new Error(result.outcome);
    const [enrichment] = result.records;

    expect(enrichment?.kind).toBe('observable_enrichment');
    if (enrichment?.kind !== 'observable_enrichment') return;
    expect(enrichment.details?.codeMessage).toBe(
      'This IP is commonly spoofed in internet-scan activity.',
    );
  });

  it('keeps GNQL enrichments small', () => {
    const { result } = run('v2-gnql-3com-officeconnect-rce.json');
    if (result.outcome !== 'records') throw new Error(result.outcome);

    for (const record of result.records) {
      if (record.kind === 'observable_enrichment') {
        expect(JSON.stringify(record.details).length).toBeLessThan(8000);
      }
    }
  });
});
