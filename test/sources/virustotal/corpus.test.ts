import { existsSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../functions/records/finding.ts';
import { virusTotalSource } from '../../../functions/sources/virustotal/index.ts';
import { readJson, runSource } from '../run-source.ts';

// Real VirusTotal responses kept beside the project, outside the repository (their licences
// differ). A fresh clone lacks the folder, and then these tests are skipped.
const CORPUS = new URL('../../../../shared/corpus/virustotal/', import.meta.url);
const corpusExists = existsSync(CORPUS);
if (!corpusExists) {
  console.warn(`Skipping the VirusTotal corpus tests: ${CORPUS.pathname} does not exist.`);
}

type Expectation = { records: number; findings: Record<string, Finding> } | { rejected: RegExp };

/** What each known file must give; files added to the corpus later get the generic check only. */
const EXPECTED: Record<string, Expectation> = {
  'v3-ip_address-1.1.1.1.json': { records: 2, findings: { '1.1.1.1': 'Unknown' } },
  'v3-domain-github.com.json': { records: 2, findings: { 'github.com': 'Unknown' } },
  'v3-domain-www.google.com-gti.json': { records: 2, findings: { 'www.google.com': 'Clean' } },
  'v3-url-example.com.json': { records: 2, findings: { 'http://example.com/': 'Clean' } },
  'v3-analysis-url.json': { records: 2, findings: { 'http://example.com/': 'Clean' } },
  'v3-domain-siblings-empty.json': { records: 0, findings: {} },
  'v3-ip-comments-empty.json': { records: 0, findings: {} },
  'gti-ioc-stream-top3-objects.json': {
    records: 6,
    findings: {
      // 3 detections and one crowdsourced YARA match, GTI "undetected": suspicious by rules.
      '9c53adc7d00f345086615856cc1af620e42f5a17470510f449155236da5a2437': 'Suspicious',
      '9de1c31e8218363945e54e623a2c8ffbf3895bdbc3c7faed98690b794b149b9c': 'Malicious',
      e26ce9a4659cba91652454d176122204d8718fda7944fd48adf853323562efc3: 'Malicious',
    },
  },
  'v3-file-analyse-eicar.json': {
    rejected: /GET https:\/\/www\.virustotal\.com\/api\/v3\/analyses\/1571524923/,
  },
  'v3-ip-resolutions-45.83.140.140.json': { rejected: /"resolution" is not a report/ },
};

describe.skipIf(!corpusExists)('virustotal corpus', () => {
  const files = corpusExists ? readdirSync(CORPUS).filter((name) => name.endsWith('.json')) : [];

  it('contains the files with specific expectations', () => {
    for (const name of Object.keys(EXPECTED)) expect(files).toContain(name);
  });

  it.each(files)('%s gives valid records or a clear rejection', (name) => {
    const result = runSource(virusTotalSource, readJson(new URL(name, CORPUS)));

    if (result.outcome === 'invalid') {
      expect(result.error.issues.length).toBeGreaterThan(0);
    } else if (result.outcome === 'rejected') {
      expect(result.error.message.length).toBeGreaterThan(20);
    } else {
      for (const record of result.records)
        expect(record.kind).toMatch(/^(threat_lookup_result|observable_enrichment)$/);
    }
  });

  it.each(
    Object.entries(EXPECTED).filter(([name]) => !corpusExists || existsSync(new URL(name, CORPUS))),
  )('%s gives the expected outcome', (name, expected) => {
    const result = runSource(virusTotalSource, readJson(new URL(name, CORPUS)));

    if ('rejected' in expected) {
      expect(result.outcome).toBe('rejected');
      if (result.outcome === 'rejected') expect(result.error.message).toMatch(expected.rejected);
      return;
    }
    expect(result.outcome).toBe('records');
    if (result.outcome !== 'records') return;
    expect(result.records).toHaveLength(expected.records);
    const findings = Object.fromEntries(
      result.records.flatMap((record) =>
        record.kind === 'threat_lookup_result' ? [[record.observable.value, record.finding]] : [],
      ),
    );
    expect(findings).toEqual(expected.findings);
  });

  it('keeps WHOIS text out of records', () => {
    const result = runSource(
      virusTotalSource,
      readJson(new URL('v3-domain-github.com.json', CORPUS)),
    );
    if (result.outcome !== 'records') throw new Error(`unexpected ${result.outcome}`);

    const serialized = JSON.stringify(result.records);

    expect(serialized).not.toContain('"whois"');
    expect(serialized).not.toContain('Admin Organization');
  });

  it('reads the huge collection into 20 records', () => {
    const result = runSource(
      virusTotalSource,
      readJson(new URL('v3-ip-communicating_files-1.1.1.1-huge.json', CORPUS)),
    );
    if (result.outcome !== 'records') throw new Error(`unexpected ${result.outcome}`);

    expect(result.records).toHaveLength(20);
    for (const record of result.records) {
      expect(JSON.stringify(record).length).toBeLessThan(200_000);
    }
  });
});
