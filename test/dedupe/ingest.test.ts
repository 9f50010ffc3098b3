import { beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/config/load.ts';
import type { SecretStore } from '../../functions/credentials/secret-store.ts';
import { InMemoryDedupeStore, type DedupeStore } from '../../functions/dedupe/store.ts';
import { ingestEvent, type EventBridgeEvent } from '../../functions/ingest/event.ts';
import type { IngestDependencies } from '../../functions/ingest/pipeline.ts';
import type { DeliveryMessage } from '../../functions/queue/message.ts';
import { InMemoryMetrics } from '../../functions/shared/metrics.ts';
import { getSource } from '../../functions/sources/index.ts';
import { captureLogger } from '../helpers/capture-logger.ts';

const config = parseConfig({
  sources: { generic: { secretName: 'unused', auth: { type: 'hmac' } } },
  deployment: {
    partnerEventBus: {
      name: 'aws.partner/example.com/1/relay',
      sourceId: 'generic',
      eventPattern: { source: ['aws.partner/example.com'] },
    },
  },
});
const noSecrets: SecretStore = {
  getJson: async () => {
    throw new Error('EventBridge deliveries read no secret');
  },
};

function lookup(value: string, summary = 'seen in a phishing kit') {
  return {
    kind: 'threat_lookup_result',
    observable: value,
    finding: 'Suspicious',
    source: 'Example Feed',
    summary,
  };
}

function event(id: string | undefined, records: unknown[]): EventBridgeEvent {
  return {
    version: '0',
    id,
    source: 'aws.partner/example.com',
    'detail-type': 'Detection',
    time: '2026-03-01T12:00:00Z',
    detail: { records },
  };
}

let queued: DeliveryMessage[];
let store: DedupeStore;
let metrics: InMemoryMetrics;
let logs: ReturnType<typeof captureLogger>;
let deps: IngestDependencies;
let deliveryNumber = 0;

beforeEach(() => {
  queued = [];
  store = new InMemoryDedupeStore();
  metrics = new InMemoryMetrics();
  logs = captureLogger();
  deps = {
    config,
    secrets: noSecrets,
    queue: { enqueue: async (messages) => void queued.push(...messages) },
    getSource,
    logger: logs.logger,
    metrics,
    newDeliveryId: () => `delivery-${++deliveryNumber}`,
    dedupe: { store, ttlSeconds: 3600 },
  };
});

describe('ingest dedupe', () => {
  it('answers a redelivered event as a duplicate', async () => {
    const first = await ingestEvent(event('event-7', [lookup('login-example.net')]), deps);
    const again = await ingestEvent(event('event-7', [lookup('login-example.net')]), deps);

    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({
      records: 0,
      duplicate: true,
      duplicates: 1,
      duplicateOf: first.body.deliveryId,
    });
    expect(queued).toHaveLength(1);
    expect(metrics.get('DuplicatesDropped', 'generic')).toBe(1);
  });

  it('queues a new event id with the same records', async () => {
    await ingestEvent(event('event-8', [lookup('login-example.net')]), deps);
    const other = await ingestEvent(event('event-9', [lookup('login-example.net')]), deps);
    expect(other.body).toMatchObject({ records: 1 });
    expect(other.body.duplicate).toBeUndefined();
    expect(queued).toHaveLength(2);
  });

  it('drops only the records seen before without an id', async () => {
    await ingestEvent(event(undefined, [lookup('a.example.net'), lookup('b.example.net')]), deps);
    const mixed = await ingestEvent(
      event(undefined, [
        lookup('a.example.net'),
        lookup('b.example.net', 'seen again with a new verdict'),
        lookup('c.example.net'),
      ]),
      deps,
    );

    expect(mixed.body).toMatchObject({ records: 2, duplicates: 1 });
    expect(mixed.body.duplicate).toBeUndefined();
    expect(queued.slice(2).map((message) => message.recordIndex)).toEqual([1, 2]);
  });

  it('drops a record repeated within one delivery', async () => {
    const answer = await ingestEvent(
      event(undefined, [lookup('d.example.net'), lookup('d.example.net')]),
      deps,
    );
    expect(answer.body).toMatchObject({ records: 1, duplicates: 1 });
    expect(queued).toHaveLength(1);
  });

  it('remembers nothing when the queue fails', async () => {
    deps.queue = { enqueue: async () => Promise.reject(new Error('queue down')) };
    const failed = await ingestEvent(event('event-10', [lookup('e.example.net')]), deps);
    expect(failed.status).toBe(503);

    deps.queue = { enqueue: async (messages) => void queued.push(...messages) };
    const retried = await ingestEvent(event('event-10', [lookup('e.example.net')]), deps);
    expect(retried.body).toMatchObject({ records: 1 });
    expect(queued).toHaveLength(1);
  });

  it('accepts everything when the store fails', async () => {
    deps.dedupe = {
      store: {
        findSeen: () => Promise.reject(new Error('throttled')),
        remember: () => Promise.reject(new Error('throttled')),
      },
      ttlSeconds: 3600,
    };
    const first = await ingestEvent(event('event-11', [lookup('f.example.net')]), deps);
    const again = await ingestEvent(event('event-11', [lookup('f.example.net')]), deps);

    expect(first.body).toMatchObject({ records: 1 });
    expect(again.body).toMatchObject({ records: 1 });
    expect(
      logs.lines().filter((line) => String(line.message).startsWith('Dedupe store failed')),
    ).toHaveLength(4);
  });

  it('queues every delivery when dedupe is disabled', async () => {
    deps.config = parseConfig({ ...config, dedupe: { enabled: false } });
    await ingestEvent(event('event-12', [lookup('g.example.net')]), deps);
    const again = await ingestEvent(event('event-12', [lookup('g.example.net')]), deps);
    expect(again.body).toMatchObject({ records: 1 });
    expect(queued).toHaveLength(2);
  });
});
