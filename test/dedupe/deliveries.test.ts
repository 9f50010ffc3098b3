import { beforeEach, describe, expect, it } from 'vitest';
import {
  dropDuplicates,
  keysOfEnqueued,
  rememberDelivery,
  type DedupeResult,
  type DedupeSettings,
} from '../../functions/dedupe/deliveries.ts';
import { deliveryKey, type DeliveryIdentity } from '../../functions/dedupe/keys.ts';
import { InMemoryDedupeStore } from '../../functions/dedupe/store.ts';
import type { DeliveryMessage } from '../../functions/queue/message.ts';
import type { RelayRecord } from '../../functions/records/record.ts';
import { captureLogger } from '../helpers/capture-logger.ts';

const receivedAt = new Date('2026-03-01T12:00:00.000Z');
const withId: DeliveryIdentity = { source: 'standard-webhooks', senderDeliveryId: 'msg_1' };
const withoutId: DeliveryIdentity = { source: 'standard-webhooks' };
const key = deliveryKey(withId)!;

function verdict(value: string, finding: 'Malicious' | 'Clean' = 'Malicious'): RelayRecord {
  return {
    kind: 'threat_lookup_result',
    observable: { type: 'ipv4', value },
    finding,
    source: 'Example Feed',
  };
}

/** Builds the messages of one delivery attempt, one per record. */
function messagesOf(deliveryId: string, records: readonly RelayRecord[]): DeliveryMessage[] {
  return records.map((record, recordIndex) => ({
    version: 1,
    deliveryId,
    recordIndex,
    source: 'standard-webhooks',
    receivedAt: receivedAt.toISOString(),
    record,
  }));
}

const fourRecords = ['198.51.100.1', '198.51.100.2', '198.51.100.3', '198.51.100.4'].map((ip) =>
  verdict(ip),
);

let settings: DedupeSettings;
let store: InMemoryDedupeStore;
const logger = captureLogger().logger;

beforeEach(() => {
  store = new InMemoryDedupeStore();
  settings = { store, ttlSeconds: 3600 };
});

/**
 * Runs the dedupe steps of one ingest attempt as `acceptPayload` does: checks the delivery,
 * then remembers all its keys when the queue confirmed every fresh record, or the keys of
 * the records in `confirmed` when the queue failed part way.
 */
async function attempt(
  deliveryId: string,
  confirmed: readonly number[] | 'all',
  identity = withId,
  records = fourRecords,
): Promise<DedupeResult> {
  const result = await dropDuplicates(
    messagesOf(deliveryId, records),
    identity,
    receivedAt,
    settings,
    logger,
  );
  const keys =
    confirmed === 'all'
      ? result.keys
      : keysOfEnqueued(
          result,
          result.fresh.filter(({ recordIndex }) => confirmed.includes(recordIndex)),
        );
  await rememberDelivery(keys, deliveryId, settings, logger);
  return result;
}

const indexesOf = (result: DedupeResult) => result.fresh.map(({ recordIndex }) => recordIndex);

describe('dropDuplicates after a partial enqueue', () => {
  it('returns only the records not yet queued', async () => {
    await attempt('delivery-1', [0, 1]);

    const resend = await attempt('delivery-2', 'all');

    expect(indexesOf(resend)).toEqual([2, 3]);
    expect(resend.duplicates).toBe(2);
    expect(resend.duplicateOf).toBeUndefined();
  });

  it('unions the records of two partial enqueues', async () => {
    await attempt('delivery-1', [0]);
    const second = await attempt('delivery-2', [2]);

    const third = await attempt('delivery-3', 'all');

    expect(indexesOf(second)).toEqual([1, 2, 3]);
    expect(indexesOf(third)).toEqual([1, 3]);
    expect(third.duplicates).toBe(2);
  });

  it('stores the union under the delivery key', async () => {
    await attempt('delivery-1', [3, 0]);
    await attempt('delivery-2', [1]);

    const entry = (await store.findSeen([key])).get(key);

    expect(entry).toStrictEqual({ deliveryId: 'delivery-2', queuedRecords: [0, 1, 3] });
  });

  it('marks the delivery whole once the rest is queued', async () => {
    await attempt('delivery-1', [0, 1]);
    const second = await attempt('delivery-2', 'all');

    const third = await attempt('delivery-3', 'all');

    expect(indexesOf(second)).toEqual([2, 3]);
    expect(third.fresh).toEqual([]);
    expect(third.duplicates).toBe(4);
    expect(third.duplicateOf).toBe('delivery-2');
    expect((await store.findSeen([key])).get(key)).toStrictEqual({ deliveryId: 'delivery-2' });
  });

  it('treats an entry without the list as whole', async () => {
    await store.remember([key], { deliveryId: 'delivery-0' }, 3600);

    const resend = await attempt('delivery-1', 'all');

    expect(resend.fresh).toEqual([]);
    expect(resend.duplicates).toBe(4);
    expect(resend.duplicateOf).toBe('delivery-0');
  });

  it('queues everything after an empty list', async () => {
    // The DynamoDB store reads a list it cannot use as empty.
    await store.remember([key], { deliveryId: 'delivery-0', queuedRecords: [] }, 3600);

    const resend = await attempt('delivery-1', 'all');

    expect(indexesOf(resend)).toEqual([0, 1, 2, 3]);
    expect(resend.duplicates).toBe(0);
  });

  it('clears the subjects of the records it queued', async () => {
    const address = '198.51.100.9';
    await attempt('delivery-1', 'all', withoutId, [verdict(address)]);
    await attempt('delivery-2', [0], withId, [verdict(address, 'Clean'), verdict('198.51.100.8')]);

    // The Clean verdict is on the queue, so a Malicious one after it is a change.
    const flipped = await attempt('delivery-3', 'all', withoutId, [verdict(address)]);

    expect(indexesOf(flipped)).toEqual([0]);
  });
});
