import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { threatFoxSource } from '../../../functions/sources/threatfox/index.ts';
import { corpusFiles, findingsOf, runWithSkips } from '../shared/run-with-skips.ts';

// Real ThreatFox responses kept beside the project, outside the repository (their licences
// differ). A fresh clone lacks the folder, and then these tests are skipped.
const { folder, files } = corpusFiles('threatfox');

type Expectation = { records: number; findings: Record<string, string> } | { rejected: RegExp };

/** What each known file must give. */
const EXPECTED: Record<string, Expectation> = {
  'ioc-ipport-asyncrat-confidence75.json': { records: 2, findings: { '81.2.69.142': 'Malicious' } },
  'ioc-url-hydra-confidence80.json': {
    records: 2,
    findings: { 'http://malaikahlowry33.top/': 'Malicious' },
  },
  'search-result-2-iocs.json': {
    records: 4,
    findings: {
      'https://188.131.211.152/activity': 'Malicious',
      cf87c474b0154c536cdf0e771c8ca97d9c4ba1d5530f669b677cd3b9346fe37d: 'Suspicious',
    },
  },
  'submit-ioc-result.json': { rejected: /submit_ioc/ },
};

function run(name: string) {
  return runWithSkips(threatFoxSource, JSON.parse(readFileSync(path.join(folder, name), 'utf8')));
}

describe.skipIf(files.length === 0)('threatfox corpus', () => {
  it('contains the files with specific expectations', () => {
    for (const name of Object.keys(EXPECTED)) expect(files).toContain(name);
  });

  it.each(files)('%s gives the expected records or a clear rejection', (name) => {
    const { result, skips } = run(name);
    const expected = EXPECTED[name];

    expect(result.outcome).not.toBe('invalid');
    expect(skips).toEqual([]);
    if (expected === undefined) {
      // A file added to the corpus later must still give records or a named rejection.
      if (result.outcome === 'rejected') expect(result.error.message).toContain('ThreatFox');
      else expect(result.outcome === 'records' && result.records.length).toBeGreaterThan(0);
      return;
    }
    if ('rejected' in expected) {
      expect(result.outcome).toBe('rejected');
      if (result.outcome === 'rejected') expect(result.error.message).toMatch(expected.rejected);
      return;
    }
    if (result.outcome !== 'records')
      throw new Error(`${name}: ${result.outcome}: ${result.error.message}`);
    expect(result.records).toHaveLength(expected.records);
    expect(findingsOf(result.records)).toEqual(expected.findings);
  });

  it.each(files)('%s keeps reporter handles out', (name) => {
    const { result } = run(name);
    const serialized = JSON.stringify(result.outcome === 'records' ? result.records : []);

    for (const handle of ['myonium1', 'drb_ra', 'Virus_Deck', '"abuse_ch"']) {
      expect(serialized).not.toContain(handle);
    }
  });

  it('reads the port of the ip:port IOC', () => {
    const { result } = run('ioc-ipport-asyncrat-confidence75.json');
    if (result.outcome !== 'records') throw new Error(result.outcome);

    expect(result.records[1]).toMatchObject({
      details: { ports: [8808], malwareFamilies: ['AsyncRAT'], maxConfidence: 75 },
    });
  });
});
