import { beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../functions/config/load.ts';
import type { SecretStore } from '../../functions/credentials/secret-store.ts';
import { deliveryKey } from '../../functions/dedupe/keys.ts';
import { InMemoryDedupeStore } from '../../functions/dedupe/store.ts';
import { ingestWebhook, type IngestDependencies } from '../../functions/ingest/ingest.ts';
import type { WebhookRequest } from '../../functions/ingest/request.ts';
import type { DeliveryMessage } from '../../functions/queue/message.ts';
import { InMemoryMetrics } from '../../functions/shared/metrics.ts';
import { getSource } from '../../functions/sources/index.ts';
import { captureLogger } from '../helpers/capture-logger.ts';

const TOKEN = 'delivery-id-test-token';

const config = parseConfig({
  sources: {
    generic: {
      secretName: 'generic-secret',
      auth: { type: 'token' },
      deliveryIdHeader: 'X-Delivery-Id',
    },
  },
});
const secrets: SecretStore = { getJson: async () => ({ secret: TOKEN }) };

function verdict(finding: string) {
  return {
    kind: 'threat_lookup_result',
    observable: '198.51.100.23',
    finding,
    source: 'Example Feed',
  };
}

function request(record: unknown, deliveryId?: string): WebhookRequest {
  return {
    method: 'POST',
    sourceId: 'generic',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${TOKEN}`,
      ...(deliveryId !== undefined && { 'x-delivery-id': deliveryId }),
    },
    body: JSON.stringify(record),
  };
}

let queued: DeliveryMessage[];
let deps: IngestDependencies;
let logs: ReturnType<typeof captureLogger>;

beforeEach(() => {
  queued = [];
  logs = captureLogger();
  let deliveryNumber = 0;
  deps = {
    config,
    secrets,
    queue: { enqueue: async (messages) => void queued.push(...messages) },
    getSource,
    logger: logs.logger,
    metrics: new InMemoryMetrics(),
    newDeliveryId: () => `delivery-${++deliveryNumber}`,
    dedupe: { store: new InMemoryDedupeStore(), ttlSeconds: 3600 },
  };
});

describe('deliveryIdHeader', () => {
  it('drops a late retry by its delivery id', async () => {
    const first = await ingestWebhook(request(verdict('Clean'), 'feed-1'), deps);
    await ingestWebhook(request(verdict('Malicious'), 'feed-2'), deps);
    const retry = await ingestWebhook(request(verdict('Clean'), 'feed-1'), deps);

    expect(retry.status).toBe(202);
    expect(retry.body).toMatchObject({ records: 0, duplicate: true, duplicateOf: 'delivery-1' });
    expect(first.body.deliveryId).toBe('delivery-1');
    expect(queued.map((message) => message.record)).toMatchObject([
      { finding: 'Clean' },
      { finding: 'Malicious' },
    ]);
  });

  it('queues a repeated record under a new id', async () => {
    await ingestWebhook(request(verdict('Malicious'), 'feed-1'), deps);
    const repeat = await ingestWebhook(request(verdict('Malicious'), 'feed-2'), deps);

    expect(repeat.body).toMatchObject({ records: 1 });
    expect(repeat.body.duplicate).toBeUndefined();
    expect(queued).toHaveLength(2);
  });

  it('logs the sender id with the delivery', async () => {
    await ingestWebhook(request(verdict('Malicious'), 'feed-9'), deps);

    const accepted = logs.lines().find((line) => line.message === 'Delivery accepted');
    expect(accepted).toMatchObject({ senderDeliveryId: 'feed-9' });
  });

  it('falls back to record dedupe without the header', async () => {
    await ingestWebhook(request(verdict('Malicious')), deps);
    const repeat = await ingestWebhook(request(verdict('Malicious')), deps);

    expect(repeat.body).toMatchObject({ records: 0, duplicate: true, duplicates: 1 });
    expect(queued).toHaveLength(1);
  });

  it.each([
    ['no characters', ''],
    ['a space', 'feed 1'],
    ['a control character', 'feed\u00011'],
    ['a non-ASCII character', 'feed-\u00e9'],
    ['257 characters', 'x'.repeat(257)],
  ])('rejects an id with %s', async (_case, id) => {
    const result = await ingestWebhook(request(verdict('Malicious'), id), deps);

    expect(result.status).toBe(400);
    expect(result.body).toMatchObject({ code: 'invalid_delivery_id' });
    expect(String(result.body.message)).toContain('x-delivery-id header');
    expect(queued).toHaveLength(0);
  });

  it('accepts an id of 256 characters', async () => {
    const result = await ingestWebhook(request(verdict('Malicious'), 'x'.repeat(256)), deps);

    expect(result.status).toBe(202);
  });

  it.each(['standard-webhooks', 'none'])('is rejected with auth type %s', (type) => {
    const input = {
      sources: {
        generic: {
          secretName: 'generic-secret',
          auth: { type },
          deliveryIdHeader: 'X-Delivery-Id',
        },
      },
    };

    expect(() => parseConfig(input)).toThrow(ConfigError);
    expect(() => parseConfig(input)).toThrow(
      `sources.generic.deliveryIdHeader: is not used with auth type "${type}"`,
    );
  });
});

describe('deliveryKey', () => {
  it('keeps a short id as it is', () => {
    expect(deliveryKey({ source: 'generic', senderDeliveryId: 'feed-1' })).toBe(
      'delivery#generic#feed-1',
    );
  });

  it('hashes an id too long for a DynamoDB key', () => {
    const key = deliveryKey({ source: 'standard-webhooks', senderDeliveryId: 'm'.repeat(5000) });

    expect(key).toMatch(/^delivery#standard-webhooks#sha256:[0-9a-f]{64}$/);
  });

  it('hashes a long EventBridge event id', () => {
    const key = deliveryKey({ source: 'generic', eventId: 'e'.repeat(600) });

    expect(key).toMatch(/^event#generic#sha256:[0-9a-f]{64}$/);
  });
});

describe('deliveries with and without ids', () => {
  it('queues a flip sent without an id', async () => {
    await ingestWebhook(request(verdict('Malicious')), deps);
    await ingestWebhook(request(verdict('Clean'), 'feed-1'), deps);
    const flipped = await ingestWebhook(request(verdict('Malicious')), deps);

    expect(flipped.body).toMatchObject({ records: 1 });
    expect(flipped.body.duplicate).toBeUndefined();
    expect(queued.map((message) => message.record)).toMatchObject([
      { finding: 'Malicious' },
      { finding: 'Clean' },
      { finding: 'Malicious' },
    ]);
  });

  it('queues once a repeat without an id of a record sent with one', async () => {
    await ingestWebhook(request(verdict('Clean'), 'feed-1'), deps);
    const repeat = await ingestWebhook(request(verdict('Clean')), deps);
    const again = await ingestWebhook(request(verdict('Clean')), deps);

    expect(repeat.body).toMatchObject({ records: 1 });
    expect(again.body).toMatchObject({ records: 0, duplicate: true, duplicates: 1 });
  });
});
