import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../sandbox/server.ts';
import { basicAuth, call, postRecord, startTestSandbox, THREAT_LOOKUP } from './helpers.ts';

const TABLE_PATH = '/api/now/table/sn_ti_lookup_result';

const LOOKUPS = [
  { ...THREAT_LOOKUP, observable: '198.51.100.1', finding: 'Malicious', source: 'VirusTotal' },
  { ...THREAT_LOOKUP, observable: '198.51.100.2', finding: 'Clean', source: 'VirusTotal' },
  { ...THREAT_LOOKUP, observable: '198.51.100.3', finding: 'Malicious', source: 'AbuseIPDB' },
  { ...THREAT_LOOKUP, observable: '198.51.100.4', finding: 'Unknown', source: 'AbuseIPDB' },
];

describe('Table API', () => {
  let sandbox: Sandbox;

  beforeEach(async () => {
    ({ sandbox } = await startTestSandbox());
    for (const lookup of LOOKUPS) {
      const stored = await postRecord(sandbox, 'threat_lookup_result', lookup);
      expect(stored.status).toBe(201);
    }
  });

  afterEach(async () => {
    await sandbox.close();
  });

  const observables = (result: { json: { result: { observable: string }[] } }) =>
    result.json.result.map((record) => record.observable);

  it('lists records in insertion order with system fields', async () => {
    const result = await call(sandbox, TABLE_PATH);

    expect(result.status).toBe(200);
    expect(observables(result)).toEqual(LOOKUPS.map((lookup) => lookup.observable));
    for (const record of result.json.result) {
      expect(record.sys_id).toMatch(/^[0-9a-f]{32}$/);
      expect(record.sys_created_on).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    }
    expect(result.headers.get('x-total-count')).toBe('4');
  });

  it('returns an empty result for an empty known table', async () => {
    const result = await call(sandbox, '/api/now/table/sn_sec_cmn_ci_enrichment_result');

    expect(result.status).toBe(200);
    expect(result.json).toEqual({ result: [] });
  });

  it('filters on one equality term', async () => {
    const result = await call(sandbox, `${TABLE_PATH}?sysparm_query=finding%3DMalicious`);

    expect(observables(result)).toEqual(['198.51.100.1', '198.51.100.3']);
  });

  it('filters on terms joined by ^', async () => {
    const query = encodeURIComponent('finding=Malicious^source=AbuseIPDB');
    const result = await call(sandbox, `${TABLE_PATH}?sysparm_query=${query}`);

    expect(observables(result)).toEqual(['198.51.100.3']);
  });

  it('matches nothing for a value no record has', async () => {
    const result = await call(sandbox, `${TABLE_PATH}?sysparm_query=finding%3DSuspicious`);

    expect(result.json.result).toEqual([]);
  });

  it('orders by ORDERBYDESC and ORDERBY terms', async () => {
    const query = encodeURIComponent('ORDERBYsource^ORDERBYDESCobservable');
    const result = await call(sandbox, `${TABLE_PATH}?sysparm_query=${query}`);

    expect(observables(result)).toEqual([
      '198.51.100.4',
      '198.51.100.3',
      '198.51.100.2',
      '198.51.100.1',
    ]);
  });

  it('honours sysparm_limit and sysparm_offset', async () => {
    const result = await call(sandbox, `${TABLE_PATH}?sysparm_limit=2&sysparm_offset=1`);

    expect(observables(result)).toEqual(['198.51.100.2', '198.51.100.3']);
    expect(result.headers.get('x-total-count')).toBe('4');
  });

  it('applies the query before limit and offset', async () => {
    const query = encodeURIComponent('source=AbuseIPDB^ORDERBYDESCobservable');
    const result = await call(sandbox, `${TABLE_PATH}?sysparm_query=${query}&sysparm_limit=1`);

    expect(observables(result)).toEqual(['198.51.100.4']);
  });

  it.each([
    ['an unsupported operator', 'sysparm_query=finding!%3DClean', 'finding!=Clean'],
    [
      'an OR term',
      `sysparm_query=${encodeURIComponent('finding=Clean^ORfinding=Unknown')}`,
      'ORfinding',
    ],
    ['a LIKE term', 'sysparm_query=observableLIKE198', 'observableLIKE198'],
    ['a non-numeric limit', 'sysparm_limit=ten', 'sysparm_limit'],
    ['a negative offset', 'sysparm_offset=-1', 'sysparm_offset'],
  ])('answers 400 for %s', async (_case, query, named) => {
    const result = await call(sandbox, `${TABLE_PATH}?${query}`);

    expect(result.status).toBe(400);
    expect(result.json.status).toBe('failure');
    expect(result.json.error.message).toContain(named);
  });

  it('returns one record by sys_id', async () => {
    const [stored] = sandbox.records('sn_ti_lookup_result');

    const result = await call(sandbox, `${TABLE_PATH}/${stored?.sys_id}`);

    expect(result.status).toBe(200);
    expect(result.json.result).toEqual(stored);
  });

  it('answers 404 for an unknown sys_id', async () => {
    const result = await call(sandbox, `${TABLE_PATH}/${'0'.repeat(32)}`);

    expect(result.status).toBe(404);
    expect(result.json.error.message).toBe('No Record found');
  });

  it('answers 400 Invalid table for an unconfigured table', async () => {
    const result = await call(sandbox, '/api/now/table/incident');

    expect(result.status).toBe(400);
    expect(result.json).toEqual({
      error: { message: 'Invalid table incident' },
      status: 'failure',
    });
  });

  it('accepts any valid user, with or without the role', async () => {
    const result = await call(sandbox, TABLE_PATH, { authorization: basicAuth('no.role') });

    expect(result.status).toBe(200);
    expect(result.json.result).toHaveLength(4);
  });

  it('answers 401 without credentials', async () => {
    const result = await call(sandbox, TABLE_PATH, { authorization: null });

    expect(result.status).toBe(401);
    expect(result.json.error.message).toBe('User Not Authenticated');
  });

  it('answers 405 to writes', async () => {
    const result = await call(sandbox, TABLE_PATH, { body: THREAT_LOOKUP });

    expect(result.status).toBe(405);
    expect(result.headers.get('allow')).toBe('GET');
  });

  it('is not affected by SecOps API faults', async () => {
    sandbox.faults.set({ mode: 'server_error', status: 503 });

    const result = await call(sandbox, TABLE_PATH);

    expect(result.status).toBe(200);
  });
});
