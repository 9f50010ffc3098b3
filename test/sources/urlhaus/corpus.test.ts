import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_RAW_PAYLOAD_LENGTH } from '../../../functions/records/record.ts';
import { urlhausSource } from '../../../functions/sources/urlhaus/index.ts';
import { corpusFiles, findingsOf, runWithSkips } from '../shared/run-with-skips.ts';

// Real URLhaus responses kept beside the project, outside the repository (their licences
// differ). A fresh clone lacks the folder, and then these tests are skipped.
const { folder, files } = corpusFiles('urlhaus');

type Expectation = { records: number; findings: Record<string, number> } | { rejected: RegExp };

/** What each known file must give: record count and how many lookup results per finding. */
const EXPECTED: Record<string, Expectation> = {
  'download-daily-batch-not-found.json': { rejected: /query_status "not_found".*no entry/ },
  'host-lookup.json': { records: 2, findings: { Suspicious: 1 } },
  'payload-lookup.json': { records: 2, findings: { Malicious: 1 } },
  'recent-urls.json': { records: 6, findings: { Malicious: 3 } },
  'tag-lookup.json': { records: 534, findings: { Suspicious: 267 } },
};

function run(name: string) {
  return runWithSkips(urlhausSource, JSON.parse(readFileSync(path.join(folder, name), 'utf8')));
}

describe.skipIf(files.length === 0)('urlhaus corpus', () => {
  it('contains the files with specific expectations', () => {
    for (const name of Object.keys(EXPECTED)) expect(files).toContain(name);
  });

  it.each(files)('%s gives the expected records or a clear rejection', (name) => {
    const { result, skips } = run(name);
    const expected = EXPECTED[name];

    expect(result.outcome).not.toBe('invalid');
    expect(skips).toEqual([]);
    if (expected === undefined || 'rejected' in expected) {
      // A file added to the corpus later must still give records or a named rejection.
      if (result.outcome === 'rejected')
        expect(result.error.message).toMatch(expected?.rejected ?? /URLhaus/);
      else expect(result.outcome === 'records' && result.records.length).toBeGreaterThan(0);
      return;
    }
    if (result.outcome !== 'records')
      throw new Error(`${name}: ${result.outcome}: ${result.error.message}`);
    expect(result.records).toHaveLength(expected.records);
    const counts: Record<string, number> = {};
    for (const finding of Object.values(findingsOf(result.records)))
      counts[finding] = (counts[finding] ?? 0) + 1;
    expect(counts).toEqual(expected.findings);
  });

  it.each(files)('%s keeps records small and free of reporter handles', (name) => {
    const { result } = run(name);
    if (result.outcome !== 'records') return;

    const serialized = JSON.stringify(result.records);
    for (const handle of ['geenensp', 'Techhelplistcom', 'amuehlem', 'abuse_ch"']) {
      expect(serialized).not.toContain(handle);
    }
    for (const record of result.records) {
      if (record.kind === 'observable_enrichment')
        expect(JSON.stringify(record.details).length).toBeLessThan(8_000);
      if (record.kind === 'threat_lookup_result')
        expect(record.rawPayload!.length).toBeLessThanOrEqual(MAX_RAW_PAYLOAD_LENGTH);
    }
  });

  it('reads the host lookup as the 2019 vektorex.com record', () => {
    const { result } = run('host-lookup.json');
    if (result.outcome !== 'records') throw new Error(result.outcome);

    expect(findingsOf(result.records)).toEqual({ 'vektorex.com': 'Suspicious' });
    expect(result.records[1]).toMatchObject({
      details: { urlCount: 124, urlsOnline: 0, urlsListed: 100, spamhausDbl: 'not listed' },
    });
  });
});
