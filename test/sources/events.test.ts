import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseStrictJson } from '../../functions/ingest/strict-json.ts';
import type { Finding } from '../../functions/records/finding.ts';
import type { RecordKind } from '../../functions/records/record.ts';
import { getSource } from '../../functions/sources/index.ts';
import { readJson, runSource } from './run-source.ts';

const EVENTS = new URL('../../events/', import.meta.url);

/** What each sample in events/ must give, so the samples and the README stay true. */
const EXPECTED: Record<
  string,
  Record<string, { kinds: RecordKind[]; findings?: Finding[] } | 'rejected'>
> = {
  virustotal: {
    'file-malicious.json': {
      kinds: ['threat_lookup_result', 'observable_enrichment'],
      findings: ['Malicious'],
    },
    'url-suspicious.json': {
      kinds: ['threat_lookup_result', 'observable_enrichment'],
      findings: ['Suspicious'],
    },
    'domain-clean.json': {
      kinds: ['threat_lookup_result', 'observable_enrichment'],
      findings: ['Clean'],
    },
    'ip-no-stats.json': {
      kinds: ['threat_lookup_result', 'observable_enrichment'],
      findings: ['Unknown'],
    },
    'analysis-url-completed.json': {
      kinds: ['threat_lookup_result', 'observable_enrichment'],
      findings: ['Malicious'],
    },
    'error-not-found.json': 'rejected',
  },
  generic: {
    'lookup-record.json': { kinds: ['threat_lookup_result'], findings: ['Malicious'] },
    'batch-mixed.json': {
      kinds: [
        'threat_lookup_result',
        'threat_lookup_result',
        'observable_enrichment',
        'observable_enrichment',
        'ci_enrichment',
        'enrichment_mapping',
      ],
      findings: ['Suspicious', 'Malicious'],
    },
  },
};

describe.each(Object.keys(EXPECTED))('events/%s', (sourceId) => {
  const source = getSource(sourceId)!;
  const folder = new URL(`${sourceId}/`, EVENTS);

  it('has an expectation for every sample', () => {
    const files = readdirSync(folder).filter((name) => name.endsWith('.json'));

    expect(files.sort()).toEqual(Object.keys(EXPECTED[sourceId]!).sort());
  });

  it.each(Object.entries(EXPECTED[sourceId]!))(
    '%s gives what the README says',
    (name, expected) => {
      // Through ingest's own parser, so a sample that ingest would reject fails here too.
      const text = readFileSync(new URL(name, folder), 'utf8');
      const result = runSource(source, parseStrictJson(text, { maxDepth: 64 }));

      if (expected === 'rejected') {
        expect(result.outcome).toBe('rejected');
        return;
      }
      if (result.outcome !== 'records')
        throw new Error(`${name}: ${result.outcome}: ${result.error.message}`);
      expect(result.records.map((record) => record.kind)).toEqual(expected.kinds);
      const findings = result.records.flatMap((record) =>
        record.kind === 'threat_lookup_result' ? [record.finding] : [],
      );
      expect(findings).toEqual(expected.findings ?? []);
    },
  );
});

describe('events samples through the ingest parser', () => {
  const samples = readdirSync(EVENTS, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && getSource(entry.name) !== undefined)
    .flatMap((folder) =>
      readdirSync(new URL(`${folder.name}/`, EVENTS))
        .filter((name) => name.endsWith('.json'))
        .map((name) => `${folder.name}/${name}`),
    );

  it('covers the samples of several sources', () => {
    expect(new Set(samples.map((sample) => sample.split('/')[0])).size).toBeGreaterThan(5);
  });

  // The source tests read samples with JSON.parse; ingest's strict parser must accept them too.
  it.each(samples)('%s parses as ingest parses it', (sample) => {
    const text = readFileSync(new URL(sample, EVENTS), 'utf8');

    expect(() => parseStrictJson(text, { maxDepth: 64 })).not.toThrow();
  });
});

describe('events/virustotal contents', () => {
  it('keeps the domain sample WHOIS out of records', () => {
    const result = runSource(
      getSource('virustotal')!,
      readJson(new URL('virustotal/domain-clean.json', EVENTS)),
    );
    if (result.outcome !== 'records') throw new Error(result.outcome);

    expect(JSON.stringify(result.records)).not.toContain('hostmaster@example.org');
  });

  it('canonicalizes the generic batch observables', () => {
    const result = runSource(
      getSource('generic')!,
      readJson(new URL('generic/batch-mixed.json', EVENTS)),
    );
    if (result.outcome !== 'records') throw new Error(result.outcome);

    const observables = result.records.flatMap((record) =>
      'observable' in record ? [record.observable] : [],
    );

    expect(observables).toEqual([
      { type: 'domain', value: 'malware.example.net' },
      { type: 'email', value: 'phisher@example.org' },
      { type: 'url', value: 'http://downloads.example.com/setup.exe' },
      { type: 'sha256', value: expect.stringMatching(/^[0-9a-f]{64}$/) },
    ]);
  });
});
