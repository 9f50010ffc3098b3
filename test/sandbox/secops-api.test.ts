import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/config/load.ts';
import {
  createJsonFieldsMapping,
  DEFAULT_ENRICHMENT_MAPPING_ID,
  type Sandbox,
} from '../../sandbox/server.ts';
import { call, postRecord, startTestSandbox, THREAT_LOOKUP } from './helpers.ts';

const LOOKUP_TABLE = 'sn_ti_lookup_result';
const ENRICHMENT_TABLE = 'sn_ti_observable_enrichment_result';

describe('SecOps API', () => {
  let sandbox: Sandbox;

  beforeEach(async () => {
    ({ sandbox } = await startTestSandbox());
  });

  afterEach(async () => {
    await sandbox.close();
  });

  it('stores a threat lookup result and returns it with 201', async () => {
    const result = await postRecord(sandbox, 'threat_lookup_result', THREAT_LOOKUP);

    expect(result.status).toBe(201);
    expect(result.json.status).toBe('success');
    expect(result.json.table).toBe(LOOKUP_TABLE);
    expect(result.json.sys_id).toMatch(/^[0-9a-f]{32}$/);
    expect(result.json.record).toMatchObject(THREAT_LOOKUP);
    expect(result.json.record.sys_id).toBe(result.json.sys_id);

    const stored = sandbox.records(LOOKUP_TABLE);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ ...THREAT_LOOKUP, sys_id: result.json.sys_id });
    expect(stored[0]?.sys_created_by).toBe('relay.integration');
    expect(stored[0]?.sys_created_on).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
  });

  it('stores only configured columns, as text', async () => {
    const result = await postRecord(sandbox, 'observable_enrichment', {
      observable: 'example.com',
      source: 'Whois',
      enrichment_data: { registrar: 'Example Registrar', ageDays: 4 },
      not_a_column: 'dropped',
      summary: 42,
    });

    expect(result.status).toBe(201);
    const [stored] = sandbox.records(ENRICHMENT_TABLE);
    expect(stored?.enrichment_data).toBe('{"registrar":"Example Registrar","ageDays":4}');
    expect(stored?.summary).toBe('42');
    expect(stored).not.toHaveProperty('not_a_column');
  });

  it.each([
    [
      'ci_enrichment',
      'sn_sec_cmn_ci_enrichment_result',
      { configuration_item: 'web-01', source: 'AWS' },
    ],
    ['observable_enrichment', ENRICHMENT_TABLE, { observable: 'example.com', source: 'Whois' }],
    ['threat_lookup_result', LOOKUP_TABLE, THREAT_LOOKUP],
  ])('routes resource %s to table %s', async (resource, table, body) => {
    const result = await postRecord(sandbox, resource, body);

    expect(result.status).toBe(201);
    expect(result.json.table).toBe(table);
    expect(sandbox.records(table)).toHaveLength(1);
  });

  it('stamps sys_created_on from the injected clock in UTC', async () => {
    await sandbox.close();
    ({ sandbox } = await startTestSandbox({ now: () => new Date('2024-03-09T07:05:03.999Z') }));

    const result = await postRecord(sandbox, 'threat_lookup_result', THREAT_LOOKUP);

    expect(result.json.record.sys_created_on).toBe('2024-03-09 07:05:03');
  });

  describe('Invalid post body', () => {
    it.each([
      ['an empty body', ''],
      ['whitespace only', '  \n'],
      ['invalid JSON', '{"observable": '],
      ['a JSON array', '[{"observable":"x"}]'],
      ['a JSON string', '"observable"'],
      ['JSON null', 'null'],
      ['an empty object', '{}'],
    ])('is raised for %s', async (_case, body) => {
      const result = await postRecord(sandbox, 'threat_lookup_result', body);

      expect(result.status).toBe(400);
      expect(result.json.status).toBe('failure');
      expect(result.json.error.message).toBe('Invalid post body');
      expect(sandbox.records(LOOKUP_TABLE)).toHaveLength(0);
    });
  });

  describe('No fields supplied', () => {
    it('is raised when no key is a column of the table', async () => {
      const result = await postRecord(sandbox, 'threat_lookup_result', { ip: '198.51.100.7' });

      expect(result.status).toBe(400);
      expect(result.json.error.message).toBe('No fields supplied');
      expect(result.json.error.detail).toContain('ip');
    });

    it('is raised when every known field is empty', async () => {
      const result = await postRecord(sandbox, 'threat_lookup_result', {
        observable: '',
        finding: '  ',
        source: null,
        extra: 'not a column',
      });

      expect(result.status).toBe(400);
      expect(result.json.error.message).toBe('No fields supplied');
    });

    it('is raised even with ignore_mandatory_fields=true', async () => {
      const result = await postRecord(
        sandbox,
        'threat_lookup_result',
        { ip: 'x' },
        {
          query: 'ignore_mandatory_fields=true',
        },
      );

      expect(result.json.error.message).toBe('No fields supplied');
    });
  });

  describe('Mandatory fields missing', () => {
    it('lists missing fields comma-separated in configuration order', async () => {
      const result = await postRecord(sandbox, 'threat_lookup_result', {
        observable: '198.51.100.7',
        observable_type: 'IP address (V4)',
      });

      expect(result.status).toBe(400);
      expect(result.json.error.message).toBe('Mandatory fields missing: finding,source');
      expect(sandbox.records(LOOKUP_TABLE)).toHaveLength(0);
    });

    it('counts an empty mandatory value as missing', async () => {
      const result = await postRecord(sandbox, 'threat_lookup_result', {
        ...THREAT_LOOKUP,
        observable: ' ',
      });

      expect(result.json.error.message).toBe('Mandatory fields missing: observable');
    });

    it('follows the mandatory fields of the configuration', async () => {
      await sandbox.close();
      const config = parseConfig({
        records: {
          ci_enrichment: { mandatoryFields: ['source', 'ci_class', 'configuration_item'] },
        },
      });
      ({ sandbox } = await startTestSandbox({ config }));

      const result = await postRecord(sandbox, 'ci_enrichment', { summary: 'x' });

      expect(result.json.error.message).toBe(
        'Mandatory fields missing: source,ci_class,configuration_item',
      );
    });

    it('is skipped with ignore_mandatory_fields=true', async () => {
      const result = await postRecord(
        sandbox,
        'threat_lookup_result',
        { observable: '198.51.100.7' },
        {
          query: 'ignore_mandatory_fields=true',
        },
      );

      expect(result.status).toBe(201);
      expect(sandbox.records(LOOKUP_TABLE)[0]?.observable).toBe('198.51.100.7');
    });

    it('is raised with ignore_mandatory_fields=false', async () => {
      const result = await postRecord(
        sandbox,
        'threat_lookup_result',
        { observable: '198.51.100.7' },
        {
          query: 'ignore_mandatory_fields=false',
        },
      );

      expect(result.status).toBe(400);
    });
  });

  describe('Unable to persist record', () => {
    it('is raised for a value longer than 65,000 characters', async () => {
      const result = await postRecord(sandbox, 'threat_lookup_result', {
        ...THREAT_LOOKUP,
        raw_payload: 'x'.repeat(65_001),
      });

      expect(result.status).toBe(500);
      expect(result.json.error.message).toBe('Unable to persist record');
      expect(result.json.error.detail).toContain('raw_payload');
      expect(sandbox.records(LOOKUP_TABLE)).toHaveLength(0);
    });

    it('accepts a value of exactly 65,000 characters', async () => {
      const result = await postRecord(sandbox, 'threat_lookup_result', {
        ...THREAT_LOOKUP,
        raw_payload: 'x'.repeat(65_000),
      });

      expect(result.status).toBe(201);
    });

    it('is raised for an unknown enrichment mapping id', async () => {
      const result = await postRecord(sandbox, 'observable_enrichment', {
        enrichment_mapping_id: '0'.repeat(32),
        raw_data: '{"observable":"example.com"}',
      });

      expect(result.status).toBe(500);
      expect(result.json.error.message).toBe('Unable to persist record');
      expect(result.json.error.detail).toContain('0'.repeat(32));
    });

    it.each([
      ['invalid JSON', '{"observable":'],
      ['a JSON array', '["example.com"]'],
    ])('is raised when raw_data is %s', async (_case, rawData) => {
      const result = await postRecord(sandbox, 'observable_enrichment', {
        enrichment_mapping_id: DEFAULT_ENRICHMENT_MAPPING_ID,
        raw_data: rawData,
      });

      expect(result.status).toBe(500);
      expect(result.json.error.message).toBe('Unable to persist record');
      expect(sandbox.records(ENRICHMENT_TABLE)).toHaveLength(0);
    });
  });

  describe('query parameters', () => {
    it('simple_response=true returns only the status on success', async () => {
      const result = await postRecord(sandbox, 'threat_lookup_result', THREAT_LOOKUP, {
        query: 'simple_response=true',
      });

      expect(result.status).toBe(201);
      expect(result.json).toEqual({ status: 'success' });
      expect(sandbox.records(LOOKUP_TABLE)).toHaveLength(1);
    });

    it('simple_response=true returns only the status on failure', async () => {
      const result = await postRecord(sandbox, 'threat_lookup_result', '{}', {
        query: 'simple_response=true',
      });

      expect(result.status).toBe(400);
      expect(result.json).toEqual({ status: 'failure' });
    });

    it('include_wrap=true puts the body under result', async () => {
      const result = await postRecord(sandbox, 'threat_lookup_result', THREAT_LOOKUP, {
        query: 'include_wrap=true',
      });

      expect(result.status).toBe(201);
      expect(Object.keys(result.json)).toEqual(['result']);
      expect(result.json.result.status).toBe('success');
      expect(result.json.result.record).toMatchObject(THREAT_LOOKUP);
    });

    it('include_wrap=true wraps errors too', async () => {
      const result = await postRecord(
        sandbox,
        'threat_lookup_result',
        { observable: 'x' },
        {
          query: 'include_wrap=true',
        },
      );

      expect(result.status).toBe(400);
      expect(result.json.result.error.message).toBe('Mandatory fields missing: finding,source');
    });

    it('combines include_wrap and simple_response', async () => {
      const result = await postRecord(sandbox, 'threat_lookup_result', THREAT_LOOKUP, {
        query: 'include_wrap=true&simple_response=true',
      });

      expect(result.json).toEqual({ result: { status: 'success' } });
    });

    it('treats values other than "true" as false', async () => {
      const result = await postRecord(sandbox, 'threat_lookup_result', THREAT_LOOKUP, {
        query: 'simple_response=yes&include_wrap=false',
      });

      expect(result.json.status).toBe('success');
      expect(result.json.record).toBeDefined();
    });
  });

  describe('enrichment mappings', () => {
    it('stores the top-level scalar fields of raw_data with the mapping id', async () => {
      const result = await postRecord(sandbox, 'observable_enrichment', {
        enrichment_mapping_id: DEFAULT_ENRICHMENT_MAPPING_ID,
        raw_data: JSON.stringify({
          observable: 'example.com',
          score: 87,
          listed: false,
          nested: { a: 1 },
          tags: ['x'],
          sys_id: 'f'.repeat(32),
          'Not A Column': 'x',
        }),
      });

      expect(result.status).toBe(201);
      expect(result.json.table).toBe(ENRICHMENT_TABLE);
      const [stored] = sandbox.records(ENRICHMENT_TABLE);
      expect(stored).toMatchObject({
        enrichment_mapping_id: DEFAULT_ENRICHMENT_MAPPING_ID,
        observable: 'example.com',
        score: '87',
        listed: 'false',
      });
      expect(stored).not.toHaveProperty('nested');
      expect(stored).not.toHaveProperty('tags');
      expect(stored).not.toHaveProperty('Not A Column');
      expect(stored?.sys_id).toBe(result.json.sys_id);
      expect(stored?.sys_id).not.toBe('f'.repeat(32));
    });

    it('requires both mapping fields unless ignore_mandatory_fields=true', async () => {
      const result = await postRecord(sandbox, 'observable_enrichment', {
        enrichment_mapping_id: DEFAULT_ENRICHMENT_MAPPING_ID,
      });

      expect(result.status).toBe(400);
      expect(result.json.error.message).toBe('Mandatory fields missing: raw_data');
    });

    it('uses the mappings passed in the options', async () => {
      await sandbox.close();
      const sysId = 'a'.repeat(32);
      ({ sandbox } = await startTestSandbox({
        enrichmentMappings: [createJsonFieldsMapping(sysId)],
      }));

      const known = await postRecord(sandbox, 'observable_enrichment', {
        enrichment_mapping_id: sysId,
        raw_data: '{"observable":"example.org"}',
      });
      const replaced = await postRecord(sandbox, 'observable_enrichment', {
        enrichment_mapping_id: DEFAULT_ENRICHMENT_MAPPING_ID,
        raw_data: '{"observable":"example.org"}',
      });

      expect(known.status).toBe(201);
      expect(replaced.status).toBe(500);
    });

    it('reports the error a custom mapping throws', async () => {
      await sandbox.close();
      const mapping = {
        sysId: 'b'.repeat(32),
        name: 'CSV',
        map: () => {
          throw new Error('expected two columns');
        },
      };
      ({ sandbox } = await startTestSandbox({ enrichmentMappings: [mapping] }));

      const result = await postRecord(sandbox, 'observable_enrichment', {
        enrichment_mapping_id: mapping.sysId,
        raw_data: 'a;b;c',
      });

      expect(result.json.error.message).toBe('Unable to persist record');
      expect(result.json.error.detail).toContain('expected two columns');
    });
  });

  describe('configured paths and columns', () => {
    it('serves the base path, resources and columns of the configuration', async () => {
      await sandbox.close();
      const config = parseConfig({
        instance: { api: { basePath: '/api/x_acme/secops' } },
        records: {
          threat_lookup_result: {
            resource: 'lookups',
            table: 'x_acme_lookup',
            columns: { observable: 'u_indicator', rawPayload: null },
            mandatoryFields: ['u_indicator'],
          },
        },
      });
      ({ sandbox } = await startTestSandbox({ config }));

      const stored = await call(sandbox, '/api/x_acme/secops/lookups', {
        body: { u_indicator: '198.51.100.7', raw_payload: 'left out' },
      });
      const oldPath = await postRecord(sandbox, 'threat_lookup_result', THREAT_LOOKUP);

      expect(stored.status).toBe(201);
      expect(stored.json.table).toBe('x_acme_lookup');
      expect(sandbox.records('x_acme_lookup')[0]).not.toHaveProperty('raw_payload');
      expect(oldPath.status).toBe(404);
    });
  });
});
