import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/config/load.ts';
import type { SecretStore } from '../../functions/credentials/secret-store.ts';
import { DynamoDbDedupeStore } from '../../functions/dedupe/dynamodb.ts';
import { contentHash } from '../../functions/dedupe/keys.ts';
import { InMemoryDedupeStore, type DedupeStore } from '../../functions/dedupe/store.ts';
import { ingestEvent, type EventBridgeEvent } from '../../functions/ingest/event.ts';
import type { IngestDependencies } from '../../functions/ingest/pipeline.ts';
import type { DeliveryMessage } from '../../functions/queue/message.ts';
import { EnqueueError } from '../../functions/queue/queue.ts';
import { InMemoryMetrics } from '../../functions/shared/metrics.ts';
import { getSource } from '../../functions/sources/index.ts';
import { captureLogger } from '../helpers/capture-logger.ts';
import { startDedupeTable } from './dynamodb-table.ts';

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

function verdict(value: string, finding: string, vendor = 'Example Feed') {
  return { kind: 'threat_lookup_result', observable: value, finding, source: vendor };
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

let table: Awaited<ReturnType<typeof startDedupeTable>>;
beforeAll(async () => {
  table = await startDedupeTable('relay-dedupe-subjects');
});
afterAll(async () => {
  await table?.close();
});

const stores: [string, () => DedupeStore][] = [
  ['in memory', () => new InMemoryDedupeStore()],
  ['DynamoDB', () => new DynamoDbDedupeStore({ client: table.client, tableName: table.tableName })],
];

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

describe('ingest dedupe per subject', () => {
  it.each(stores)('queues a verdict that flips back (%s)', async (_name, createStore) => {
    deps.dedupe = { store: createStore(), ttlSeconds: 3600 };
    const ip = _name === 'DynamoDB' ? '198.51.100.41' : '198.51.100.40';

    const answers = [];
    for (const finding of ['Malicious', 'Clean', 'Malicious']) {
      answers.push(await ingestEvent(event(undefined, [verdict(ip, finding)]), deps));
    }

    for (const answer of answers) {
      expect(answer.body).toMatchObject({ records: 1 });
      expect(answer.body.duplicate).toBeUndefined();
    }
    expect(queued.map((message) => (message.record as { finding: string }).finding)).toEqual([
      'Malicious',
      'Clean',
      'Malicious',
    ]);
  });

  it('answers a repeat of the last verdict as a duplicate', async () => {
    await ingestEvent(event(undefined, [verdict('198.51.100.42', 'Malicious')]), deps);
    const again = await ingestEvent(
      event(undefined, [verdict('198.51.100.42', 'Malicious')]),
      deps,
    );

    expect(again.body).toMatchObject({ records: 0, duplicates: 1, duplicate: true });
    expect(queued).toHaveLength(1);
  });

  it('queues two verdicts on one subject in one payload', async () => {
    const answer = await ingestEvent(
      event(undefined, [verdict('198.51.100.43', 'Malicious'), verdict('198.51.100.43', 'Clean')]),
      deps,
    );
    expect(answer.body).toMatchObject({ records: 2 });
    expect(queued).toHaveLength(2);
  });

  it('queues a verdict that flips back within one payload', async () => {
    const answer = await ingestEvent(
      event(undefined, [
        verdict('198.51.100.44', 'Malicious'),
        verdict('198.51.100.44', 'Clean'),
        verdict('198.51.100.44', 'Malicious'),
      ]),
      deps,
    );
    expect(answer.body).toMatchObject({ records: 3 });
    expect(answer.body.duplicates).toBeUndefined();

    // The last record of the payload is what the next delivery is compared with.
    const again = await ingestEvent(
      event(undefined, [verdict('198.51.100.44', 'Malicious')]),
      deps,
    );
    expect(again.body).toMatchObject({ records: 0, duplicates: 1 });
  });

  it('queues the same verdict from two sources', async () => {
    const record = verdict('198.51.100.45', 'Malicious');
    await ingestEvent(event(undefined, [record]), deps);
    const fromOtherSource = {
      ...deps,
      config: parseConfig({
        ...config,
        sources: { ...config.sources, other: config.sources.generic },
        deployment: {
          partnerEventBus: { ...config.deployment.partnerEventBus!, sourceId: 'other' },
        },
      }),
      getSource: (id: string) => getSource(id === 'other' ? 'generic' : id),
    };
    const other = await ingestEvent(event(undefined, [record]), fromOtherSource);

    expect(other.body).toMatchObject({ records: 1 });
    expect(queued.map((message) => message.source)).toEqual(['generic', 'other']);
  });

  it('keeps the last verdict of each subject apart', async () => {
    await ingestEvent(event(undefined, [verdict('198.51.100.46', 'Malicious')]), deps);
    await ingestEvent(event(undefined, [verdict('198.51.100.47', 'Clean')]), deps);
    const otherVendor = await ingestEvent(
      event(undefined, [verdict('198.51.100.46', 'Clean', 'Other Feed')]),
      deps,
    );
    const again = await ingestEvent(
      event(undefined, [verdict('198.51.100.46', 'Malicious')]),
      deps,
    );

    expect(otherVendor.body).toMatchObject({ records: 1 });
    expect(again.body).toMatchObject({ records: 0, duplicates: 1 });
    expect(queued).toHaveLength(3);
  });

  it('drops a repeated enrichment mapping with others in between', async () => {
    const mapping = (observable: string) => ({
      kind: 'enrichment_mapping',
      enrichmentMappingId: 'a'.repeat(32),
      rawData: JSON.stringify({ observable }),
    });
    await ingestEvent(event(undefined, [mapping('198.51.100.48')]), deps);
    await ingestEvent(event(undefined, [mapping('198.51.100.49')]), deps);
    const again = await ingestEvent(event(undefined, [mapping('198.51.100.48')]), deps);

    expect(again.body).toMatchObject({ records: 0, duplicates: 1 });
    expect(queued).toHaveLength(2);
  });

  it('ignores record keys stored before subject keys', async () => {
    await ingestEvent(event(undefined, [verdict('198.51.100.50', 'Malicious')]), deps);
    const [first] = queued;
    const upgraded = new InMemoryDedupeStore();
    const oldKey = `record#generic#${contentHash(first!.record, new Date(first!.receivedAt))}`;
    await upgraded.remember([oldKey], { deliveryId: first!.deliveryId }, 3600);
    deps.dedupe = { store: upgraded, ttlSeconds: 3600 };

    const redelivered = await ingestEvent(
      event(undefined, [verdict('198.51.100.50', 'Malicious')]),
      deps,
    );
    expect(redelivered.body).toMatchObject({ records: 1 });
  });
});

describe('ingest dedupe of a partly queued event', () => {
  it.each(stores)('queues each record once (%s)', async (_name, createStore) => {
    deps.dedupe = { store: createStore(), ttlSeconds: 3600 };
    const zone = _name === 'DynamoDB' ? 'dynamodb' : 'memory';
    const records = ['a', 'b', 'c', 'd'].map((label) => lookup(`${label}.${zone}.example.net`));
    // The queue confirms the first two records of the attempt and then fails.
    deps.queue = {
      enqueue: async (messages) => {
        queued.push(...messages.slice(0, 2));
        throw new EnqueueError('SQS accepted 2 messages before it failed', messages.slice(0, 2));
      },
    };
    const failed = await ingestEvent(event(`event-partial-${zone}`, records), deps);
    deps.queue = { enqueue: async (messages) => void queued.push(...messages) };
    const retried = await ingestEvent(event(`event-partial-${zone}`, records), deps);

    expect(failed.status).toBe(503);
    expect(retried.body).toMatchObject({ records: 2, duplicates: 2 });
    expect(queued.map((message) => message.recordIndex)).toEqual([0, 1, 2, 3]);
    expect(metrics.get('DuplicatesDropped', 'generic')).toBe(2);
  });
});
