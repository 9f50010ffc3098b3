import { beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/config/load.ts';
import type { RelayConfigInput } from '../../functions/config/schema.ts';
import {
  MAX_ERROR_BODY_READ_BYTES,
  MAX_SUCCESS_BODY_BYTES,
} from '../../functions/secops/body-limits.ts';
import { MAX_ERROR_BODY_BYTES } from '../../functions/secops/errors.ts';
import { fetchTransport, nodeTransport, type Transport } from '../../functions/secops/http.ts';
import { streamBody, type StreamedBody, type StreamOutcome } from '../helpers/streamed-body.ts';
import {
  CountingSecretStore,
  createTestClient,
  failureOf,
  SECRET_NAME,
  THREAT_LOOKUP,
} from './harness.ts';
import { useRecordingServer } from './recording-server.ts';

/**
 * Instance responses larger than the transports read, against a loopback server that
 * writes only as fast as the client reads, so it can tell whether the client stopped early.
 */

const server = useRecordingServer();
let streams: Promise<StreamOutcome>[] = [];

beforeEach(async () => {
  // Each test starts without pooled connections, so a closed connection is its own.
  server.closeConnections();
  await new Promise((resolve) => setTimeout(resolve, 20));
  server.reset();
  streams = [];
});

// Far more than the loopback buffers take, so the server cannot finish unless the client reads.
const OVER = 32 * 1024 * 1024;
const PASSWORD = 'instance-password-value';
const API_PATH = '/api/sn_sec_cmn/secops_integration_capabilities/threat_lookup_result';
const UNKNOWN_SYS_ID = 'Instance accepted the record, but its sys_id is unknown';

/** Makes the server respond to every request with this status and streamed body. */
function answerWith(status: number, body: StreamedBody): void {
  server.handle = (_request, response) => {
    streams.push(streamBody(response, status, body));
  };
}

function post() {
  return {
    method: 'POST' as const,
    headers: { 'Content-Type': 'application/json' },
    body: '{"value":"x"}',
    timeoutMs: 5_000,
  };
}

describe.each<[string, Transport]>([
  ['nodeTransport', nodeTransport],
  ['fetchTransport', fetchTransport(fetch)],
])('%s body limits', (_name, transport) => {
  const url = () => new URL('/api/x', server.origin);

  it('cuts a chunked 2xx body at 1 MiB', async () => {
    answerWith(200, { bytes: OVER, declareLength: false, prefix: '{"result":' });

    const response = await transport(url(), post());

    expect(response.status).toBe(200);
    expect(response.truncated).toBe(true);
    expect(response.body).toHaveLength(MAX_SUCCESS_BODY_BYTES);
    expect(response.body.startsWith('{"result":x')).toBe(true);
    expect((await streams[0])?.complete).toBe(false);
  });

  it('reads only the start of a 2xx declared over 1 MiB', async () => {
    answerWith(200, { bytes: OVER, declareLength: true, prefix: '{"result":' });

    const response = await transport(url(), post());

    expect(response.truncated).toBe(true);
    expect(response.body).toHaveLength(MAX_ERROR_BODY_READ_BYTES);
    expect((await streams[0])?.complete).toBe(false);
  });

  it.each([true, false])('reads a 2xx of exactly 1 MiB (Content-Length %s)', async (declared) => {
    answerWith(200, { bytes: MAX_SUCCESS_BODY_BYTES, declareLength: declared });

    const response = await transport(url(), post());

    expect(response.truncated).toBeUndefined();
    expect(response.body).toHaveLength(MAX_SUCCESS_BODY_BYTES);
    expect((await streams[0])?.complete).toBe(true);
  });

  it.each([true, false])('cuts an error body of 32 MB (Content-Length %s)', async (declared) => {
    answerWith(503, { bytes: OVER, declareLength: declared, prefix: '<html>' });

    const response = await transport(url(), post());

    expect(response.status).toBe(503);
    expect(response.truncated).toBe(true);
    expect(response.body).toHaveLength(MAX_ERROR_BODY_READ_BYTES);
    expect(response.body.startsWith('<html>x')).toBe(true);
    expect((await streams[0])?.complete).toBe(false);
  });

  it('reads an error body of exactly 64 KiB', async () => {
    answerWith(500, { bytes: MAX_ERROR_BODY_READ_BYTES, declareLength: false });

    const response = await transport(url(), post());

    expect(response.truncated).toBeUndefined();
    expect(response.body).toHaveLength(MAX_ERROR_BODY_READ_BYTES);
    expect((await streams[0])?.complete).toBe(true);
  });
});

describe('SecOpsClient with large or unexpected responses', () => {
  const log = { deliveryId: 'delivery-7', recordIndex: 2, source: 'generic' };

  function setup(options: { config?: RelayConfigInput; secret?: Record<string, unknown> } = {}) {
    const config = parseConfig({
      ...options.config,
      instance: { requestTimeoutMs: 5_000, maxAttempts: 3, ...options.config?.instance },
    });
    const store = new CountingSecretStore({
      [SECRET_NAME]: options.secret ?? {
        instanceUrl: server.origin,
        auth: 'basic',
        username: 'relay.integration',
        password: PASSWORD,
      },
    });
    const { client, clock, logger } = createTestClient({ config, store });
    const create = () => client.create(THREAT_LOOKUP, { deadline: clock.now() + 60_000, log });
    const warnings = () => logger.lines.filter((line) => line.message === UNKNOWN_SYS_ID);
    return { create, logger, warnings };
  }

  it('classifies an error body of 32 MB by its message', async () => {
    answerWith(400, {
      bytes: OVER,
      declareLength: false,
      contentType: 'application/json',
      prefix: '{"error":{"message":"Mandatory fields missing: observable_type","detail":"',
    });
    const { create, logger } = setup();

    const error = await failureOf(create());

    expect(error.code).toBe('mandatory_fields_missing');
    expect(error.mandatoryFields).toEqual(['observable_type']);
    expect(error.message).toContain('"Mandatory fields missing: observable_type"');
    expect(error.lastResponse?.body).toHaveLength(MAX_ERROR_BODY_BYTES);
    expect(server.received).toHaveLength(1);
    expect((await streams[0])?.complete).toBe(false);
    const failed = logger.lines.find((line) => line.message === 'SecOps API request failed');
    expect(failed?.attributes).toMatchObject({
      deliveryId: 'delivery-7',
      table: 'sn_ti_lookup_result',
      code: 'mandatory_fields_missing',
    });
  });

  it.each([true, false])(
    'delivers a 2xx over the limit with a warning (Content-Length %s)',
    async (declared) => {
      answerWith(201, {
        bytes: OVER,
        declareLength: declared,
        contentType: 'application/json',
        prefix: '{"status":"success","sys_id":"a1","record":{"raw_payload":"',
      });
      const { create, warnings, logger } = setup();

      const result = await create();

      expect(result).toEqual({ table: 'sn_ti_lookup_result', attempts: 1, status: 201 });
      expect(server.received).toHaveLength(1);
      expect((await streams[0])?.complete).toBe(false);
      expect(warnings()).toHaveLength(1);
      expect(warnings()[0]?.level).toBe('warn');
      expect(warnings()[0]?.attributes).toMatchObject({
        deliveryId: 'delivery-7',
        recordIndex: 2,
        source: 'generic',
        table: 'sn_ti_lookup_result',
        path: API_PATH,
        status: 201,
        problem: `the response body is larger than ${MAX_SUCCESS_BODY_BYTES} bytes, so it was not read`,
      });
      expect(JSON.stringify(logger.lines)).not.toContain(PASSWORD);
    },
  );

  it('retries a hibernation page over the limit', async () => {
    let served = 0;
    server.handle = (_request, response) => {
      served += 1;
      if (served === 1) {
        streams.push(
          streamBody(response, 200, {
            bytes: OVER,
            declareLength: false,
            contentType: 'text/html',
          }),
        );
        return;
      }
      response.writeHead(201, { 'content-type': 'application/json' });
      response.end('{"status":"success","sys_id":"b2"}');
    };
    const { create, warnings } = setup();

    const result = await create();

    expect(result.sysId).toBe('b2');
    expect(result.attempts).toBe(2);
    expect((await streams[0])?.complete).toBe(false);
    expect(warnings()).toHaveLength(0);
  });

  it('delivers a 2xx with unexpected JSON with a warning', async () => {
    server.handle = (_request, response) => {
      response.writeHead(201, { 'content-type': 'application/json' });
      response.end('{"result":{"status":"success","data":{"id":"a1"}}}');
    };
    const { create, warnings } = setup();

    const result = await create();

    expect(result).toEqual({ table: 'sn_ti_lookup_result', attempts: 1, status: 201 });
    expect(server.received).toHaveLength(1);
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]?.attributes).toMatchObject({
      deliveryId: 'delivery-7',
      table: 'sn_ti_lookup_result',
      path: API_PATH,
      status: 201,
    });
    expect(warnings()[0]?.attributes.problem).toBe(
      'the response has no sys_id at the top level or under "record" (it contains the keys "status", "data")',
    );
  });

  it.each([
    [201, 'an empty body', '', 'the response body is empty'],
    [201, 'a JSON string', '"ok"', 'the response body is a string, not an object with a sys_id'],
    [200, 'an unknown object', '{"foo":"bar"}', 'it contains the keys "foo"'],
    [
      201,
      'a numeric sys_id',
      '{"sys_id":12345}',
      "the response's sys_id is a number, not a string",
    ],
  ])('delivers HTTP %i with %s once, with a warning', async (status, _case, body, problem) => {
    server.handle = (_request, response) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(body);
    };
    const { create, warnings, logger } = setup();

    const result = await create();

    expect(result).toEqual({ table: 'sn_ti_lookup_result', attempts: 1, status });
    expect(server.received).toHaveLength(1);
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]?.attributes).toMatchObject({ deliveryId: 'delivery-7', status });
    expect(warnings()[0]?.attributes.problem).toContain(problem);
    expect(JSON.stringify(logger.lines)).not.toContain(PASSWORD);
  });

  it('logs no warning for a simple response', async () => {
    server.handle = (_request, response) => {
      response.writeHead(201, { 'content-type': 'application/json' });
      response.end('{"status":"success"}');
    };
    const { create, warnings } = setup({ config: { instance: { api: { simpleResponse: true } } } });

    const result = await create();

    expect(result.sysId).toBeUndefined();
    expect(warnings()).toHaveLength(0);
  });

  it('rejects a token response over the limit', async () => {
    server.handle = (request, response) => {
      if (request.url === '/oauth_token.do') {
        streams.push(
          streamBody(response, 200, {
            bytes: OVER,
            declareLength: false,
            contentType: 'application/json',
            prefix: '{"access_token":"',
          }),
        );
        return;
      }
      response.writeHead(201, { 'content-type': 'application/json' });
      response.end('{"status":"success","sys_id":"c3"}');
    };
    const { create } = setup({
      secret: {
        instanceUrl: server.origin,
        auth: 'oauth',
        clientId: 'relay-client',
        clientSecret: 'client-secret-value',
      },
    });

    const error = await failureOf(create());

    expect(error.code).toBe('unexpected_response');
    expect(error.message).toContain(`a body larger than ${MAX_SUCCESS_BODY_BYTES} bytes`);
    expect(error.lastResponse).toBeUndefined();
    expect((await streams[0])?.complete).toBe(false);
    // No record is posted without a token.
    expect(server.received.length).toBeGreaterThan(0);
    expect(server.received.every((request) => request.body.startsWith('client_id='))).toBe(true);
  });
});
