import { once } from 'node:events';
import { connect } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/config/load.ts';
import {
  SandboxSetupError,
  startSandbox,
  type Sandbox,
  type SandboxEnrichmentMapping,
} from '../../sandbox/server.ts';
import {
  API_PATH,
  basicAuth,
  call,
  PASSWORD,
  postRecord,
  requestPasswordToken,
  startTestSandbox,
  THREAT_LOOKUP,
  type LogLine,
} from './helpers.ts';

describe('startSandbox options', () => {
  it.each(['0.0.0.0', '192.0.2.10', '::', 'example.com'])('rejects host %s', async (host) => {
    const start = startSandbox({ port: 0, host });

    await expect(start).rejects.toThrow(SandboxSetupError);
    await expect(start).rejects.toMatchObject({ code: 'non_loopback_host' });
  });

  it('listens on 127.0.0.1 by default and reports its URL', async () => {
    const { sandbox } = await startTestSandbox();

    expect(sandbox.url).toBe(`http://127.0.0.1:${sandbox.port}`);
    expect(sandbox.port).toBeGreaterThan(0);
    await sandbox.close();
  });

  it.each([
    ['a port out of range', { port: 70_000 }, 'port'],
    ['a token lifetime of 0', { tokenLifetimeSeconds: 0 }, 'tokenLifetimeSeconds'],
    [
      'repeated users',
      {
        users: [
          { username: 'a', password: 'x', roles: [] },
          { username: 'a', password: 'y', roles: [] },
        ],
      },
      'users',
    ],
    [
      'a malformed mapping sys_id',
      {
        enrichmentMappings: [
          { sysId: 'ABC', name: 'x', map: () => ({}) },
        ] as SandboxEnrichmentMapping[],
      },
      'enrichmentMappings',
    ],
  ])('rejects %s', async (_case, options, named) => {
    const start = startSandbox({ port: 0, ...options });

    await expect(start).rejects.toMatchObject({ code: 'invalid_option' });
    await expect(start).rejects.toThrow(named);
  });

  it('rejects two record kinds on one resource', async () => {
    const config = parseConfig({
      records: { ci_enrichment: { resource: 'threat_lookup_result' } },
    });

    const start = startSandbox({ port: 0, config });

    await expect(start).rejects.toMatchObject({ code: 'ambiguous_resource' });
    await expect(start).rejects.toThrow('records.ci_enrichment.resource');
  });
});

describe('sandbox server', () => {
  let sandbox: Sandbox;
  let logs: LogLine[];

  beforeEach(async () => {
    ({ sandbox, logs } = await startTestSandbox());
  });

  afterEach(async () => {
    await sandbox.close();
  });

  it('answers 404 JSON for an unknown path', async () => {
    const result = await call(sandbox, '/api/now/v2/nothing');

    expect(result.status).toBe(404);
    expect(result.json.status).toBe('failure');
    expect(result.json.error.message).toBe('Requested URI does not represent any resource');
  });

  it('answers 404 for an unknown resource under the base path', async () => {
    const result = await postRecord(sandbox, 'no_such_resource', THREAT_LOOKUP);

    expect(result.status).toBe(404);
    expect(sandbox.requests().map((request) => request.status)).toEqual([404]);
  });

  it('answers 405 JSON to GET on a resource', async () => {
    const result = await call(sandbox, `${API_PATH}/threat_lookup_result`);

    expect(result.status).toBe(405);
    expect(result.headers.get('allow')).toBe('POST');
    expect(result.json.status).toBe('failure');
  });

  it('accepts a trailing slash on a resource path', async () => {
    const result = await call(sandbox, `${API_PATH}/threat_lookup_result/`, {
      body: THREAT_LOOKUP,
    });

    expect(result.status).toBe(201);
  });

  it('answers 413 to a body over 10 MiB', async () => {
    const result = await postRecord(
      sandbox,
      'threat_lookup_result',
      'x'.repeat(10 * 1024 * 1024 + 1),
    );

    expect(result.status).toBe(413);
    expect(sandbox.records('sn_ti_lookup_result')).toHaveLength(0);
  });

  it('throws for records of an unconfigured table', () => {
    expect(() => sandbox.records('incident')).toThrow(/incident/);
  });

  describe('requests()', () => {
    it('records SecOps and OAuth requests without credentials', async () => {
      const token = await requestPasswordToken(sandbox);
      await postRecord(sandbox, 'threat_lookup_result', THREAT_LOOKUP, {
        authorization: `Bearer ${token.json.access_token}`,
        query: 'simple_response=true&api_key=abc',
      });
      await postRecord(sandbox, 'threat_lookup_result', {}, { authorization: null });
      await call(sandbox, '/api/now/table/sn_ti_lookup_result');
      await call(sandbox, '/sandbox/faults', { authorization: null });

      const requests = sandbox.requests();

      expect(requests).toHaveLength(3);
      expect(requests[0]).toMatchObject({
        method: 'POST',
        path: '/oauth_token.do',
        status: 200,
        user: 'relay.integration',
      });
      expect(requests[1]).toMatchObject({
        method: 'POST',
        path: `${API_PATH}/threat_lookup_result`,
        query: { simple_response: 'true', api_key: '[redacted]' },
        status: 201,
        user: 'relay.integration',
      });
      expect(requests[2]).toMatchObject({ status: 401 });
      expect(requests[2]).not.toHaveProperty('user');
      for (const request of requests) expect(Date.parse(request.timestamp)).not.toBeNaN();
      const serialized = JSON.stringify(requests);
      expect(serialized).not.toContain(PASSWORD);
      expect(serialized).not.toContain(token.json.access_token);
      expect(serialized).not.toContain('sandbox-client-secret');
    });

    it('is also served at GET /sandbox/requests', async () => {
      await postRecord(sandbox, 'threat_lookup_result', THREAT_LOOKUP);

      const result = await call(sandbox, '/sandbox/requests', { authorization: null });

      expect(result.status).toBe(200);
      expect(result.json.requests).toEqual(sandbox.requests());
    });
  });

  it('DELETE /sandbox/records deletes every record', async () => {
    await postRecord(sandbox, 'threat_lookup_result', THREAT_LOOKUP);
    await postRecord(sandbox, 'ci_enrichment', { configuration_item: 'web-01', source: 'AWS' });

    const result = await call(sandbox, '/sandbox/records', {
      method: 'DELETE',
      authorization: null,
    });

    expect(result.json).toEqual({ deleted: 2 });
    expect(sandbox.records('sn_ti_lookup_result')).toHaveLength(0);
    expect(sandbox.records('sn_sec_cmn_ci_enrichment_result')).toHaveLength(0);
  });

  describe('logs', () => {
    it('writes one line per request with method, path, status and user', async () => {
      await postRecord(sandbox, 'threat_lookup_result', THREAT_LOOKUP);
      await postRecord(sandbox, 'threat_lookup_result', THREAT_LOOKUP, {
        authorization: basicAuth('relay.integration', 'wrong-password'),
      });

      const lines = logs.filter((line) => line.message === 'Sandbox request');

      expect(lines).toHaveLength(2);
      expect(lines[0]?.attributes).toMatchObject({
        method: 'POST',
        path: `${API_PATH}/threat_lookup_result`,
        status: 201,
        user: 'relay.integration',
      });
      expect(lines[1]?.attributes).toMatchObject({ status: 401, authFailure: 'wrong_password' });
    });

    it('never contains a password, secret or token', async () => {
      const token = await requestPasswordToken(sandbox);
      await postRecord(sandbox, 'threat_lookup_result', THREAT_LOOKUP, {
        authorization: `Bearer ${token.json.access_token}`,
      });
      await postRecord(sandbox, 'threat_lookup_result', THREAT_LOOKUP, {
        authorization: basicAuth('relay.integration', 'wrong-password'),
      });

      const serialized = JSON.stringify(logs);

      expect(logs.length).toBeGreaterThanOrEqual(3);
      expect(serialized).not.toContain(PASSWORD);
      expect(serialized).not.toContain('wrong-password');
      expect(serialized).not.toContain('sandbox-client-secret');
      expect(serialized).not.toContain(token.json.access_token);
      expect(serialized).not.toContain(basicAuth().slice('Basic '.length));
    });
  });

  it('handles concurrent requests', async () => {
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, index) =>
        postRecord(sandbox, 'threat_lookup_result', {
          ...THREAT_LOOKUP,
          observable: `198.51.100.${index}`,
        }),
      ),
    );

    expect(results.map((result) => result.status)).toEqual(Array(40).fill(201));
    const stored = sandbox.records('sn_ti_lookup_result');
    expect(stored).toHaveLength(40);
    expect(new Set(stored.map((record) => record.sys_id)).size).toBe(40);
    expect(new Set(stored.map((record) => record.observable)).size).toBe(40);
    expect(sandbox.requests()).toHaveLength(40);
  });

  it('closes with keep-alive connections open, and twice', async () => {
    await postRecord(sandbox, 'threat_lookup_result', THREAT_LOOKUP);

    await sandbox.close();
    await sandbox.close();

    await expect(postRecord(sandbox, 'threat_lookup_result', THREAT_LOOKUP)).rejects.toThrow();
  });
});

describe('sandbox server, raw HTTP', () => {
  it('answers 400 to a request target that is not a URL', async () => {
    const { sandbox } = await startTestSandbox();
    try {
      const socket = connect(sandbox.port, '127.0.0.1');
      await once(socket, 'connect');
      socket.end('GET http://[ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      let response = '';
      for await (const chunk of socket) response += String(chunk);

      expect(response).toMatch(/^HTTP\/1\.1 400 /);

      const healthy = await postRecord(sandbox, 'threat_lookup_result', THREAT_LOOKUP);
      expect(healthy.status).toBe(201);
    } finally {
      await sandbox.close();
    }
  });
});
