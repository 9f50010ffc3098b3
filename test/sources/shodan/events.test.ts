import { describe, expect, it } from 'vitest';
import { shodanSource } from '../../../functions/sources/shodan/index.ts';
import { readJson } from '../run-source.ts';
import { runWithSkips } from '../shared/run-with-skips.ts';

const EVENTS = new URL('../../../events/shodan/', import.meta.url);

function run(name: string) {
  return runWithSkips(shodanSource, readJson(new URL(name, EVENTS)));
}

describe('events/shodan samples', () => {
  it.each([
    ['host.json', ['198.51.100.10']],
    ['internetdb.json', ['203.0.113.20']],
    ['search.json', ['203.0.113.20', '2001:db8:0:1::3389']],
  ])('%s gives what the README says', (name, addresses) => {
    const { result, skips } = run(name);
    if (result.outcome !== 'records')
      throw new Error(`${name}: ${result.outcome}: ${result.error.message}`);

    expect(result.records.map((record) => record.kind)).toEqual(
      addresses.map(() => 'observable_enrichment'),
    );
    expect(
      result.records.map((record) => 'observable' in record && record.observable.value),
    ).toEqual(addresses);
    expect(skips).toEqual([]);
  });

  it('rejects error-no-information.json', () => {
    const { result } = run('error-no-information.json');

    expect(result.outcome).toBe('rejected');
    if (result.outcome === 'rejected') expect(result.error.message).toContain('no information');
  });

  it('keeps banner text out of the host sample', () => {
    const { result } = run('host.json');

    expect(JSON.stringify(result)).not.toContain('Key type: ssh-rsa');
  });
});
