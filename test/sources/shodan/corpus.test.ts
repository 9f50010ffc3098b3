import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { shodanSource } from '../../../functions/sources/shodan/index.ts';
import { corpusFiles, runWithSkips } from '../shared/run-with-skips.ts';

// Real Shodan responses kept beside the project, outside the repository (their licences
// differ). A fresh clone lacks the folder, and then these tests are skipped.
const { folder, files } = corpusFiles('shodan');

/** The addresses each known file must give one enrichment for, in order. */
const EXPECTED: Record<string, { addresses: string[]; ports: Record<string, number[]> }> = {
  'go-shodan-stub-host-search-matches.json': {
    addresses: ['190.0.164.152', '186.65.80.76', '5.154.77.200'],
    ports: { '190.0.164.152': [27015], '186.65.80.76': [1723], '5.154.77.200': [10001] },
  },
  // Twelve banners of one host, merged into one enrichment.
  'host-search-minify-ip-1.1.1.1.json': {
    addresses: ['1.1.1.1'],
    ports: { '1.1.1.1': [53, 80, 161, 443, 2052, 2082, 2083, 2086, 2087, 8080, 8443, 8880] },
  },
  'internetdb-1.1.1.1.json': { addresses: ['1.1.1.1'], ports: { '1.1.1.1': [53, 80, 443] } },
  'internetdb-120.78.59.202-vulns.json': {
    addresses: ['120.78.59.202'],
    ports: { '120.78.59.202': [22, 80, 443, 3306, 8081, 8090] },
  },
};

function run(name: string) {
  return runWithSkips(shodanSource, JSON.parse(readFileSync(path.join(folder, name), 'utf8')));
}

describe.skipIf(files.length === 0)('shodan corpus', () => {
  it('contains the files with specific expectations', () => {
    for (const name of Object.keys(EXPECTED)) expect(files).toContain(name);
  });

  it.each(files)('%s gives enrichments only, or a clear rejection', (name) => {
    const { result, skips } = run(name);

    expect(result.outcome).not.toBe('invalid');
    expect(skips).toEqual([]);
    if (result.outcome === 'rejected') {
      expect(result.error.message).toMatch(/Shodan/);
    } else if (result.outcome === 'records') {
      expect(result.records.length).toBeGreaterThan(0);
      for (const record of result.records) expect(record.kind).toBe('observable_enrichment');
    }
  });

  it.each(Object.entries(EXPECTED).filter(([name]) => files.includes(name)))(
    '%s gives the expected enrichments',
    (name, expected) => {
      const { result } = run(name);
      if (result.outcome !== 'records')
        throw new Error(`${name}: ${result.outcome}: ${result.error.message}`);

      const ports = Object.fromEntries(
        result.records.map((record) => [
          'observable' in record ? record.observable.value : '',
          'details' in record ? record.details?.ports : undefined,
        ]),
      );
      expect(Object.keys(ports)).toEqual(expected.addresses);
      expect(ports).toEqual(expected.ports);
    },
  );

  it('keeps banner text out of records', () => {
    const { result } = run('go-shodan-stub-host-search-matches.json');
    const serialized = JSON.stringify(result);

    expect(serialized).not.toContain('RAMONA CALLE');
    expect(serialized).not.toContain('Eco Stim Energy');
    expect(serialized).not.toContain('44:d9:e7');
  });

  it('caps the 134 CVEs of InternetDB at 100 and gives the total', () => {
    const { result } = run('internetdb-120.78.59.202-vulns.json');
    if (result.outcome !== 'records') throw new Error(result.outcome);
    const [enrichment] = result.records;
    if (enrichment?.kind !== 'observable_enrichment') throw new Error('no enrichment');

    expect(enrichment.details?.vulns).toHaveLength(100);
    expect(enrichment.details?.vulnsTotal).toBe(134);
    expect((enrichment.details?.vulns as string[])[0]).toBe('CVE-2023-44487');
  });

  it('keeps the large search result small', () => {
    const { result } = run('host-search-minify-ip-1.1.1.1.json');
    if (result.outcome !== 'records') throw new Error(result.outcome);

    expect(JSON.stringify(result.records).length).toBeLessThan(8000);
  });
});
