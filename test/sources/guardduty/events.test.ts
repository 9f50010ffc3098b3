import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { RecordKind } from '../../../functions/records/record.ts';
import { getSource } from '../../../functions/sources/index.ts';
import { readJson } from '../run-source.ts';
import { findingsOf, runWithSkips, samplesOf } from '../shared/run-with-skips.ts';

const EVENTS = new URL('../../../events/', import.meta.url);

interface SampleExpectation {
  kinds: RecordKind[];
  findings: Record<string, string>;
  skipped: string[];
}

const CI: RecordKind = 'ci_enrichment';
const ENRICHMENT: RecordKind = 'observable_enrichment';
const LOOKUP: RecordKind = 'threat_lookup_result';

/** What each sample gives, as events/README.md describes it. */
const EXPECTED: Record<string, Record<string, SampleExpectation>> = {
  guardduty: {
    'ssh-brute-force.json': {
      kinds: [CI, ENRICHMENT, ENRICHMENT, ENRICHMENT],
      findings: {},
      skipped: [],
    },
    'cc-activity-dns.json': {
      kinds: [CI, LOOKUP, ENRICHMENT, ENRICHMENT, ENRICHMENT],
      findings: { 'c2.example.net': 'Malicious' },
      skipped: [],
    },
    'malicious-ip-caller-access-key.json': {
      kinds: [CI, LOOKUP, ENRICHMENT],
      findings: { '203.0.113.50': 'Malicious' },
      skipped: [],
    },
    'get-findings-s3.json': { kinds: [CI, ENRICHMENT], findings: {}, skipped: [] },
    'sample-finding.json': { kinds: [], findings: {}, skipped: ['sample_finding'] },
  },
  securityhub: {
    'imported-guardduty-c2.json': {
      kinds: [CI, LOOKUP, ENRICHMENT, ENRICHMENT, ENRICHMENT],
      findings: { '203.0.113.80': 'Malicious' },
      skipped: [],
    },
    'imported-control-failed.json': { kinds: [CI], findings: {}, skipped: [] },
    'custom-action-two-findings.json': {
      kinds: [CI, ENRICHMENT, ENRICHMENT, LOOKUP, ENRICHMENT],
      findings: { 'malware.example.org': 'Malicious' },
      skipped: ['suppressed_finding'],
    },
    'get-findings-all-skipped.json': {
      kinds: [],
      findings: {},
      skipped: ['passed_control', 'archived_finding'],
    },
    'finding-without-generator-id.json': { kinds: [CI], findings: {}, skipped: [] },
  },
};

describe.each(Object.keys(EXPECTED))('events/%s', (sourceId) => {
  const source = getSource(sourceId)!;
  const folder = new URL(`${sourceId}/`, EVENTS);
  const samples = EXPECTED[sourceId]!;

  it('has an expectation for every sample', () => {
    expect(samplesOf(sourceId).files).toEqual(Object.keys(samples).sort());
  });

  it('describes every sample in its events/README.md section', () => {
    const { readmeSection } = samplesOf(sourceId);

    for (const name of Object.keys(samples)) expect(readmeSection).toContain(`\`${name}\``);
  });

  it.each(Object.entries(samples))('%s gives what the README says', (name, expected) => {
    const { result, skips } = runWithSkips(source, readJson(new URL(name, folder)));

    if (result.outcome !== 'records')
      throw new Error(`${name}: ${result.outcome}: ${result.error.message}`);
    expect(result.records.map((record) => record.kind)).toEqual(expected.kinds);
    expect(findingsOf(result.records)).toEqual(expected.findings);
    expect(skips.map((skip) => skip.reason)).toEqual(expected.skipped);
  });

  it('uses documentation addresses only', () => {
    for (const name of Object.keys(samples)) {
      const text = readFileSync(new URL(name, folder), 'utf8');
      const addresses = text.match(/\b\d{1,3}(?:\.\d{1,3}){3}\b/g) ?? [];

      for (const address of addresses) {
        expect(address).toMatch(/^(192\.0\.2|198\.51\.100|203\.0\.113)\.\d{1,3}$/);
      }
    }
  });
});

describe('events/guardduty contents', () => {
  it('keeps the user name of the access key sample out of records', () => {
    const { result } = runWithSkips(
      getSource('guardduty')!,
      readJson(new URL('guardduty/malicious-ip-caller-access-key.json', EVENTS)),
    );
    if (result.outcome !== 'records') throw new Error(result.outcome);

    expect(JSON.stringify(result.records)).not.toContain('jane.doe');
  });
});
