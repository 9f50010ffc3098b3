import type { Logger } from '@aws-lambda-powertools/logger';
import type { DeliveryMessage } from '../queue/message.ts';
import { contentHash, deliveryKey, subjectKey, type DeliveryIdentity } from './keys.ts';
import type { DedupeStore } from './store.ts';

export interface DedupeSettings {
  store: DedupeStore;
  /** How long a key is remembered, in seconds (`dedupe.ttlSeconds`). */
  ttlSeconds: number;
}

/** A key to remember once the records are queued. */
export interface DedupeKey {
  key: string;
  /** Content hash of the last record queued under a subject key; absent on a delivery key. */
  contentHash?: string;
  /** The `recordIndex` of each record queued so far, on the key of a delivery queued in part. */
  queuedRecords?: readonly number[];
}

/** The messages of a delivery that were not seen before, and what was left out. */
export interface DedupeResult {
  fresh: DeliveryMessage[];
  /**
   * Records left out: repeats of their subject's last record, the records an earlier
   * attempt under the same delivery id queued, or all when the delivery was queued whole.
   */
  duplicates: number;
  /** The relay delivery id that first accepted this delivery, when the whole delivery was seen. */
  duplicateOf?: string;
  /** Keys to remember once `fresh` is on the queue. */
  keys: DedupeKey[];
  /**
   * The subject key of each fresh message, for remembering only the messages a failed
   * enqueue did queue. Absent for a delivery with an id, which `delivery` covers instead.
   */
  keyOfMessage?: Map<DeliveryMessage, DedupeKey>;
  /**
   * The key of a delivery with an id and the `recordIndex` of each record that earlier
   * attempts under the id queued, for remembering what a failed enqueue adds to them.
   */
  delivery?: { key: string; source: string; queuedRecords: readonly number[] };
}

/**
 * Leaves out what an earlier delivery already queued. For a delivery with a sender id or
 * event id, that is the whole delivery once it was queued whole, or else the records that
 * earlier attempts under the id queued before the queue failed. For any other delivery, it
 * is each record that is identical to the last record queued for its subject (see
 * `subjectKey`), earlier in this delivery or in an earlier one. The records of a delivery
 * with an id are not compared with earlier records, and the next record without an id for
 * each of their subjects is queued too. So a verdict that flips back (Malicious, Clean,
 * Malicious) is queued all three times. A store that fails lets everything through, so an
 * outage of the store costs possible duplicates, never accepted data.
 */
export async function dropDuplicates(
  messages: DeliveryMessage[],
  identity: DeliveryIdentity,
  receivedAt: Date,
  settings: DedupeSettings,
  logger: Logger,
): Promise<DedupeResult> {
  const whole = deliveryKey(identity);
  if (whole !== undefined) {
    const seen = await findSeen([whole], settings, logger);
    const earlier = seen.get(whole);
    if (earlier !== undefined && earlier.queuedRecords === undefined) {
      return { fresh: [], duplicates: messages.length, duplicateOf: earlier.deliveryId, keys: [] };
    }
    // Records are matched by `recordIndex`, which assumes that the sender resends the same
    // body under the same id, as Standard Webhooks senders and EventBridge do.
    const queuedRecords = earlier?.queuedRecords ?? [];
    const queuedBefore = new Set(queuedRecords);
    const fresh =
      earlier === undefined
        ? messages
        : messages.filter(({ recordIndex }) => !queuedBefore.has(recordIndex));
    // The subjects are remembered without a content hash, so the next record without an id
    // for each of them is queued, whatever it holds, and is never compared with an older one.
    // Hashing every record here made a 500-record delivery take about 45 % longer to ingest
    // in the benchmark, and skipping it costs at most one extra copy per subject.
    return {
      fresh,
      duplicates: messages.length - fresh.length,
      keys: [{ key: whole }, ...subjectKeysOf(identity.source, fresh)],
      delivery: { key: whole, source: identity.source, queuedRecords },
    };
  }

  const keyed = messages.map((message) => {
    const hash = contentHash(message.record, receivedAt);
    return { message, hash, key: subjectKey(identity.source, message.record, hash) };
  });
  const seen = await findSeen([...new Set(keyed.map(({ key }) => key))], settings, logger);
  // The content hash of the last record per subject, updated as this delivery's records
  // are taken in order, so A, B, A within one payload keeps all three. An entry without a
  // hash never matches, so it costs a possible duplicate rather than a dropped record.
  const lastHash = new Map<string, string | undefined>();
  for (const [key, entry] of seen) lastHash.set(key, entry.contentHash);
  const queuedHashes = new Map<string, string>();
  const keyOfMessage = new Map<DeliveryMessage, DedupeKey>();
  const fresh: DeliveryMessage[] = [];
  for (const { message, key, hash } of keyed) {
    if (lastHash.get(key) === hash) continue;
    lastHash.set(key, hash);
    queuedHashes.set(key, hash);
    keyOfMessage.set(message, { key, contentHash: hash });
    fresh.push(message);
  }
  const keys = [...queuedHashes].map(([key, hash]) => ({ key, contentHash: hash }));
  return { fresh, duplicates: messages.length - fresh.length, keys, keyOfMessage };
}

/**
 * Returns the keys to remember when only `enqueued` of a delivery's fresh messages reached
 * the queue, so that a resend of the delivery queues only the rest. A delivery with an id
 * gets its delivery key with the index of every record queued so far, which marks it as
 * queued in part, and the subject keys of the enqueued records. Any other delivery gets the
 * key of each subject's last enqueued message.
 */
export function keysOfEnqueued(
  result: DedupeResult,
  enqueued: readonly DeliveryMessage[],
): DedupeKey[] {
  if (result.delivery !== undefined) {
    const { key, source, queuedRecords } = result.delivery;
    const queued = new Set(queuedRecords);
    for (const { recordIndex } of enqueued) queued.add(recordIndex);
    return [
      { key, queuedRecords: [...queued].sort((a, b) => a - b) },
      ...subjectKeysOf(source, enqueued),
    ];
  }
  if (result.keyOfMessage === undefined) return [];
  const bySubject = new Map<string, DedupeKey>();
  for (const message of enqueued) {
    const key = result.keyOfMessage.get(message);
    if (key !== undefined) bySubject.set(key.key, key);
  }
  return [...bySubject.values()];
}

/**
 * Remembers the keys of a delivery whose records are on the queue, each subject key with the
 * content hash of its last record. A failure is logged and swallowed, because the records are
 * queued already and a redelivery would only be queued again.
 */
export async function rememberDelivery(
  keys: readonly DedupeKey[],
  deliveryId: string,
  settings: DedupeSettings,
  logger: Logger,
): Promise<void> {
  if (keys.length === 0) return;
  const byKey = new Map(keys.map((dedupeKey) => [dedupeKey.key, dedupeKey]));
  try {
    await settings.store.remember(
      [...byKey.keys()],
      (key) => {
        const { contentHash, queuedRecords } = byKey.get(key) ?? {};
        return {
          deliveryId,
          ...(contentHash !== undefined && { contentHash }),
          ...(queuedRecords !== undefined && { queuedRecords }),
        };
      },
      settings.ttlSeconds,
    );
  } catch (error) {
    logger.warn('Dedupe store failed; a redelivery of this delivery will be queued again', {
      deliveryId,
      keys: keys.length,
      error: error as Error,
    });
  }
}

/** Returns the subject key of each record that has a subject, once per subject. */
function subjectKeysOf(source: string, messages: readonly DeliveryMessage[]): DedupeKey[] {
  const keys = new Set(
    messages
      .filter(({ record }) => record.kind !== 'enrichment_mapping')
      .map(({ record }) => subjectKey(source, record, '')),
  );
  return [...keys].map((key) => ({ key }));
}

async function findSeen(keys: string[], settings: DedupeSettings, logger: Logger) {
  try {
    return await settings.store.findSeen(keys);
  } catch (error) {
    logger.warn('Dedupe store failed; accepting the delivery without the duplicate check', {
      keys: keys.length,
      error: error as Error,
    });
    return new Map();
  }
}
