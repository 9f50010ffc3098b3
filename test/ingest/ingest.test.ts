import { createHmac } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod';
import { authHeaders } from '../../cli/sign.ts';
import { parseConfig } from '../../functions/config/load.ts';
import { SecretError, type SecretStore } from '../../functions/credentials/secret-store.ts';
import { ingestWebhook, type IngestDependencies } from '../../functions/ingest/ingest.ts';
import { fromHttpApiEvent, type WebhookRequest } from '../../functions/ingest/request.ts';
import { InMemoryDedupeStore } from '../../functions/dedupe/store.ts';
import type { DeliveryMessage } from '../../functions/queue/message.ts';
import type { DeliveryQueue } from '../../functions/queue/queue.ts';
import { SqsDeliveryQueue } from '../../functions/queue/sqs.ts';
import { InMemoryMetrics } from '../../functions/shared/metrics.ts';
import { NormalizationError, type SourceAdapter } from '../../functions/sources/source.ts';
import { captureLogger } from '../helpers/capture-logger.ts';
import { fakeSqsClient, startFakeSqs } from '../helpers/fake-sqs.ts';

const TOKEN = 'test-token-value';
const HMAC_SECRET = 'test-hmac-secret';
// Standard Webhooks secrets are base64 keys of at least 16 bytes.
const HOOKS_SECRET = `whsec_${Buffer.from('test-standard-webhooks-key').toString('base64')}`;

/** A small adapter with the same contract as the vendor adapters: `{"ips": [...]}` to lookup results. */
const ipListSource: SourceAdapter<{ ips: string[] }> = {
  id: 'iplist',
  vendorName: 'IP List',
  payloadSchema: z.object({ ips: z.array(z.ipv4()) }),
  normalize(payload) {
    if (payload.ips.includes('192.0.2.255'))
      throw new NormalizationError('broadcast address', ['ips', 0]);
    return payload.ips.map((ip) => ({
      kind: 'threat_lookup_result' as const,
      observable: { type: 'ipv4' as const, value: ip },
      finding: 'Malicious' as const,
      source: 'IP List',
    }));
  },
};

const configInput = {
  sources: {
    iplist: { secretName: 'iplist-secret', auth: { type: 'token' } },
    signed: { secretName: 'signed-secret', auth: { type: 'hmac', prefix: 'sha256=' } },
    hooks: { secretName: 'hooks-secret', auth: { type: 'standard-webhooks' } },
    disabled: { enabled: false, secretName: 'iplist-secret' },
  },
  ingest: { maxBodyBytes: 2048 },
} as const;
const config = parseConfig(configInput);

class RecordingQueue implements DeliveryQueue {
  readonly messages: DeliveryMessage[] = [];
  failing = false;
  async enqueue(messages: DeliveryMessage[]) {
    if (this.failing) throw new Error('queue is down');
    this.messages.push(...messages);
  }
}

const secretValues: Record<string, Record<string, unknown>> = {
  'iplist-secret': { secret: TOKEN },
  'signed-secret': { secrets: [HMAC_SECRET, 'previous-secret'] },
  'hooks-secret': { secret: HOOKS_SECRET },
};
const secrets: SecretStore = {
  async getJson(name) {
    const value = secretValues[name];
    if (value === undefined)
      throw new SecretError('secret_not_found', name, `Secret "${name}" was not found.`);
    return value;
  },
};

let queue: RecordingQueue;
let logs: ReturnType<typeof captureLogger>;
let deps: IngestDependencies;

beforeEach(() => {
  queue = new RecordingQueue();
  logs = captureLogger();
  deps = {
    config,
    secrets,
    queue,
    getSource: (id) =>
      ['iplist', 'signed', 'hooks', 'disabled'].includes(id) ? { ...ipListSource, id } : undefined,
    logger: logs.logger,
    metrics: new InMemoryMetrics(),
    now: () => new Date('2026-03-01T12:00:00Z'),
    newDeliveryId: () => 'delivery-1',
  };
});

afterEach(() => {
  expect(logs.text()).not.toContain(TOKEN);
  expect(logs.text()).not.toContain(HMAC_SECRET);
  expect(logs.text()).not.toContain(HOOKS_SECRET);
});

/** Returns the dependencies with a delivery queue on `client` and a fresh dedupe store. */
function withSqsAndDedupe(client: SQSClient): IngestDependencies {
  return {
    ...deps,
    queue: new SqsDeliveryQueue(
      client,
      'https://sqs.eu-west-1.amazonaws.com/123456789012/delivery',
    ),
    dedupe: { store: new InMemoryDedupeStore(), ttlSeconds: 3600 },
  };
}

/** Twelve observables, whose records take two SendMessageBatch calls: ten, then two. */
const TWELVE_IPS = Array.from({ length: 12 }, (_, index) => `198.51.100.${index + 1}`);

/** Runs `test` against a fake SQS server on loopback with a client for it, then closes both. */
async function withFakeSqs(
  test: (sqs: Awaited<ReturnType<typeof startFakeSqs>>, client: SQSClient) => Promise<void>,
): Promise<void> {
  const sqs = await startFakeSqs();
  const client = fakeSqsClient(sqs.endpoint);
  try {
    await test(sqs, client);
  } finally {
    client.destroy();
    await sqs.close();
  }
}

/** Returns the observable value of each queued message, in queue order. */
function queuedIps(messages: readonly { body: string }[]): string[] {
  return messages.map(
    (message) =>
      (JSON.parse(message.body) as { record: { observable: { value: string } } }).record.observable
        .value,
  );
}

function webhook(overrides: Partial<WebhookRequest> & { json?: unknown } = {}): WebhookRequest {
  const body =
    overrides.body ??
    Buffer.from(JSON.stringify(overrides.json ?? { ips: ['198.51.100.7', '203.0.113.9'] }));
  return {
    method: 'POST',
    sourceId: 'iplist',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${TOKEN}`,
      ...overrides.headers,
    },
    body,
    ...(overrides.method && { method: overrides.method }),
    ...(overrides.sourceId && { sourceId: overrides.sourceId }),
  };
}

describe('ingestWebhook', () => {
  it('queues one message per record and answers 202', async () => {
    const result = await ingestWebhook(webhook(), deps);

    expect(result.status).toBe(202);
    expect(result.body).toEqual({ status: 'accepted', deliveryId: 'delivery-1', records: 2 });
    expect(
      queue.messages.map((message) => [message.deliveryId, message.recordIndex, message.source]),
    ).toEqual([
      ['delivery-1', 0, 'iplist'],
      ['delivery-1', 1, 'iplist'],
    ]);
    expect(queue.messages[1]?.record).toMatchObject({ observable: { value: '203.0.113.9' } });
    expect(queue.messages[0]?.receivedAt).toBe('2026-03-01T12:00:00.000Z');
    expect((deps.metrics as InMemoryMetrics).get('RecordsAccepted', 'iplist')).toBe(2);
  });

  it('answers 202 with zero records for an empty payload', async () => {
    const result = await ingestWebhook(webhook({ json: { ips: [] } }), deps);
    expect(result.status).toBe(202);
    expect(result.body.records).toBe(0);
    expect(result.body.message).toContain('no records');
  });

  it('accepts a signed request and a previous secret during rotation', async () => {
    const body = Buffer.from(JSON.stringify({ ips: ['198.51.100.7'] }));
    for (const secret of [HMAC_SECRET, 'previous-secret']) {
      const signature = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
      const result = await ingestWebhook(
        webhook({
          sourceId: 'signed',
          body,
          headers: { 'x-signature': signature, 'content-type': 'application/json' },
        }),
        deps,
      );
      expect(result.status).toBe(202);
    }
  });

  it.each([
    ['an unknown source', webhook({ sourceId: 'nope' }), 404, 'unknown_source'],
    ['a disabled source', webhook({ sourceId: 'disabled' }), 404, 'unknown_source'],
    ['a GET', webhook({ method: 'GET' }), 405, 'method_not_allowed'],
    [
      'a body over the limit',
      webhook({ json: { ips: Array(300).fill('198.51.100.7') } }),
      413,
      'payload_too_large',
    ],
    ['a missing token', webhook({ headers: { authorization: '' } }), 401, 'missing_credentials'],
    [
      'a wrong token',
      webhook({ headers: { authorization: 'Bearer wrong' } }),
      401,
      'invalid_token',
    ],
    [
      'text/plain',
      webhook({ headers: { 'content-type': 'text/plain' } }),
      415,
      'unsupported_media_type',
    ],
    [
      'form data',
      webhook({ headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
      415,
      'unsupported_media_type',
    ],
    [
      'a Latin-1 charset',
      webhook({ headers: { 'content-type': 'application/json; charset=iso-8859-1' } }),
      415,
      'unsupported_media_type',
    ],
    ['an empty body', webhook({ body: Buffer.alloc(0) }), 400, 'malformed_json'],
    ['broken JSON', webhook({ body: Buffer.from('{"ips": [') }), 400, 'malformed_json'],
    [
      'bytes that are not UTF-8',
      webhook({ body: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]) }),
      400,
      'malformed_json',
    ],
    [
      'a payload that fails the schema',
      webhook({ json: { ips: ['not-an-ip'] } }),
      422,
      'schema_validation_failed',
    ],
    [
      'a payload the source cannot use',
      webhook({ json: { ips: ['192.0.2.255'] } }),
      422,
      'unsupported_payload',
    ],
  ])('rejects %s and queues nothing', async (_case, request, status, code) => {
    const result = await ingestWebhook(request, deps);
    expect(result.status).toBe(status);
    expect(result.body.code).toBe(code);
    expect(result.body.deliveryId).toBe('delivery-1');
    expect(typeof result.body.message).toBe('string');
    expect(queue.messages).toHaveLength(0);
  });

  it('authenticates before it parses, so a forged request learns nothing about the body', async () => {
    const result = await ingestWebhook(
      webhook({ body: Buffer.from('{broken'), headers: { authorization: 'Bearer x' } }),
      deps,
    );
    expect(result.status).toBe(401);
  });

  it.each([
    'application/json; charset=UTF-8',
    'application/vnd.vendor.event+json',
    'Application/JSON',
  ])('accepts the content type %s', async (contentType) => {
    const result = await ingestWebhook(webhook({ headers: { 'content-type': contentType } }), deps);
    expect(result.status).toBe(202);
  });

  it('names the failing field and the problem in a schema error', async () => {
    const result = await ingestWebhook(webhook({ json: { ips: ['198.51.100.7', 'x'] } }), deps);
    expect(result.body.issues).toEqual([
      { path: 'ips[1]', message: expect.stringMatching(/IPv4/i) },
    ]);
    expect(result.body.message).toContain('ips[1]');
  });

  it('names the field a normalizer rejects', async () => {
    const result = await ingestWebhook(webhook({ json: { ips: ['192.0.2.255'] } }), deps);
    expect(result.body.message).toBe('broadcast address (at ips[0])');
  });

  it('answers 503 and keeps nothing when the queue fails', async () => {
    queue.failing = true;
    const result = await ingestWebhook(webhook(), deps);
    expect(result.status).toBe(503);
    expect(result.body.code).toBe('queue_unavailable');
    expect(logs.text()).toContain('queue is down');
  });

  it('answers 503 without claiming nothing was queued', async () => {
    await withFakeSqs(async (sqs, client) => {
      // Twelve records take two SendMessageBatch calls, and the second one keeps failing.
      sqs.rejectIds.add('r11');
      const result = await ingestWebhook(
        webhook({ json: { ips: TWELVE_IPS } }),
        withSqsAndDedupe(client),
      );

      expect(result.status).toBe(503);
      expect(result.body.code).toBe('queue_unavailable');
      expect(sqs.messages).toHaveLength(11);
      expect(result.body.message).not.toContain('kept none');
      expect(result.body.message).toContain('Records the queue confirmed are remembered');
      expect(result.body.message).toContain('Send the delivery again');
      expect(logs.text()).toContain('SQS accepted 11 of 12 messages');
    });
  });

  it('answers 503 saying confirmed records come again when dedupe is off', async () => {
    await withFakeSqs(async (sqs, client) => {
      sqs.rejectIds.add('r11');
      const result = await ingestWebhook(webhook({ json: { ips: TWELVE_IPS } }), {
        ...withSqsAndDedupe(client),
        config: parseConfig({ ...configInput, dedupe: { enabled: false } }),
      });

      expect(result.status).toBe(503);
      expect(result.body.message).toContain('dedupe.enabled is false');
      expect(result.body.message).not.toContain('remembered');
    });
  });

  it('queues only the rest when a partly queued delivery is sent again', async () => {
    await withFakeSqs(async (sqs, client) => {
      sqs.rejectIds.add('r11');
      const withQueue = withSqsAndDedupe(client);
      const first = await ingestWebhook(webhook({ json: { ips: TWELVE_IPS } }), withQueue);
      sqs.rejectIds.clear();
      const again = await ingestWebhook(webhook({ json: { ips: TWELVE_IPS } }), withQueue);

      expect(first.status).toBe(503);
      expect(again.status).toBe(202);
      expect(again.body).toMatchObject({ records: 1, duplicates: 11 });
      expect(queuedIps(sqs.messages).sort()).toEqual([...TWELVE_IPS].sort());
    });
  });

  it('queues only the rest under the same webhook-id', async () => {
    await withFakeSqs(async (sqs, client) => {
      const body = Buffer.from(JSON.stringify({ ips: TWELVE_IPS }));
      const withQueue = withSqsAndDedupe(client);
      const send = () =>
        ingestWebhook(
          {
            method: 'POST',
            sourceId: 'hooks',
            headers: {
              'content-type': 'application/json',
              ...authHeaders(
                config.sources.hooks!.auth,
                HOOKS_SECRET,
                body,
                new Date('2026-03-01T12:00:00Z'),
                'msg_partial',
              ),
            },
            body,
          },
          withQueue,
        );

      // The first batch stops at record 5, so records 0-4 and 6-9 are queued.
      sqs.rejectIds.add('r5');
      const first = await send();
      // The resend sends records 5, 10 and 11 as r0, r1 and r2, and r1 fails.
      sqs.rejectIds.clear();
      sqs.rejectIds.add('r1');
      const second = await send();
      sqs.rejectIds.clear();
      const third = await send();
      const fourth = await send();

      expect(first.status).toBe(503);
      expect(second.status).toBe(503);
      expect(third.status).toBe(202);
      expect(third.body).toMatchObject({ records: 1, duplicates: 11 });
      expect(third.body.duplicate).toBeUndefined();
      expect(logs.lines().find((line) => line.message === 'Delivery accepted')).toMatchObject({
        senderDeliveryId: 'msg_partial',
        records: 1,
        duplicates: 11,
      });
      expect(fourth.status).toBe(202);
      expect(fourth.body).toMatchObject({ records: 0, duplicates: 12, duplicate: true });
      expect(queuedIps(sqs.messages).sort()).toEqual([...TWELVE_IPS].sort());
    });
  });

  it('answers 503 when the source secret is missing, naming no secret value', async () => {
    const missing: SecretStore = {
      async getJson(name) {
        throw new SecretError('secret_not_found', name, `Secret "${name}" was not found.`);
      },
    };
    const result = await ingestWebhook(webhook(), { ...deps, secrets: missing });
    expect(result.status).toBe(503);
    expect(result.body.code).toBe('source_unavailable');
  });

  it('logs the delivery id and source on acceptance and rejection', async () => {
    await ingestWebhook(webhook(), deps);
    await ingestWebhook(webhook({ headers: { authorization: 'Bearer wrong' } }), deps);
    expect(
      logs.lines().map((line) => [line.message, line.deliveryId, line.source, line.code]),
    ).toEqual([
      ['Delivery accepted', 'delivery-1', 'iplist', undefined],
      ['Delivery rejected', 'delivery-1', 'iplist', 'invalid_token'],
    ]);
  });
});

describe('ingestWebhook with a base64 body', () => {
  function signedEvent(body: string, signedBytes: Buffer | undefined) {
    return fromHttpApiEvent({
      rawPath: '/webhooks/signed',
      headers: {
        'content-type': 'application/json',
        ...(signedBytes !== undefined && {
          'x-signature': `sha256=${createHmac('sha256', HMAC_SECRET).update(signedBytes).digest('hex')}`,
        }),
      },
      pathParameters: { source: 'signed' },
      isBase64Encoded: true,
      body,
      requestContext: { http: { method: 'POST' } },
    } as never);
  }

  it.each([
    ['signed over the text', Buffer.from('not base64!')],
    ['signed over nothing', Buffer.alloc(0)],
    ['without a signature', undefined],
  ])('answers 400 for invalid base64 %s', async (_case, signedBytes) => {
    const result = await ingestWebhook(signedEvent('not base64!', signedBytes), deps);

    expect(result.status).toBe(400);
    expect(result.body.code).toBe('malformed_request');
    expect(result.body.message).toContain('marked as base64-encoded but is not valid base64');
  });

  it('accepts a valid signature over decoded bytes', async () => {
    const bytes = Buffer.from(JSON.stringify({ ips: ['198.51.100.7'] }));
    const result = await ingestWebhook(signedEvent(bytes.toString('base64'), bytes), deps);

    expect(result.status).toBe(202);
    expect(queue.messages).toHaveLength(1);
  });

  it('answers 401 for a wrong signature over valid base64', async () => {
    const bytes = Buffer.from(JSON.stringify({ ips: ['198.51.100.7'] }));
    const result = await ingestWebhook(
      signedEvent(bytes.toString('base64'), Buffer.from('other bytes')),
      deps,
    );

    expect(result.status).toBe(401);
    expect(result.body.code).toBe('invalid_signature');
  });
});

describe('fromHttpApiEvent', () => {
  it('decodes a base64 body to the exact bytes sent', () => {
    const bytes = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x31, 0x7d, 0x0a]);
    const request = fromHttpApiEvent({
      version: '2.0',
      routeKey: 'POST /webhooks/{source}',
      rawPath: '/webhooks/iplist',
      rawQueryString: '',
      headers: { 'Content-Type': 'application/json' },
      pathParameters: { source: 'iplist' },
      isBase64Encoded: true,
      body: bytes.toString('base64'),
      requestContext: { http: { method: 'POST' }, requestId: 'r-1' },
    } as never);
    expect(request.body).toEqual(bytes);
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.sourceId).toBe('iplist');
  });

  it('reads the source from the path when there is no path parameter', () => {
    const request = fromHttpApiEvent({
      rawPath: '/webhooks/virustotal',
      headers: {},
      requestContext: { http: { method: 'POST' } },
    } as never);
    expect(request.sourceId).toBe('virustotal');
    expect(request.body.length).toBe(0);
  });
});
