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
}

/** The messages of a delivery that were not seen before, and what was left out. */
export interface DedupeResult {
  fresh: DeliveryMessage[];
  /** Records left out as repeats of their subject's last record, or all when the delivery was seen. */
  duplicates: number;
  /** The relay delivery id that first accepted this delivery, when the whole delivery was seen. */
  duplicateOf?: string;
  /** Keys to remember once `fresh` is on the queue. */
  keys: DedupeKey[];
  /**
   * The subject key of each fresh message, for remembering only the messages a failed
   * enqueue did queue. Absent for a delivery with an id, whose retry queues it whole again.
   */
  keyOfMessage?: Map<DeliveryMessage, DedupeKey>;
}

/**
 * Leaves out what an earlier delivery already queued: the whole delivery when its sender
 * id or event id was seen, otherwise each record that is identical to the last record queued
 * for its subject (see `subjectKey`), earlier in this delivery or in an earlier one. A fresh
 * delivery with an id is queued whole, and the next record without an id for each of its
 * subjects is queued too. So a
 * verdict that flips back (Malicious, Clean, Malicious) is queued all three times. A store
 * that fails lets everything through, so an outage of the store costs possible duplicates,
 * never accepted data.
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
    if (earlier !== undefined) {
      return { fresh: [], duplicates: messages.length, duplicateOf: earlier.deliveryId, keys: [] };
    }
    // The subjects are remembered without a content hash, so the next record without an id
    // for each of them is queued, whatever it holds, and is never compared with an older one.
    // Hashing every record here made a 500-record delivery take about 45 % longer to ingest
    // in the benchmark, and skipping it costs at most one extra copy per subject.
    const subjectKeys = new Set(
      messages
        .filter(({ record }) => record.kind !== 'enrichment_mapping')
        .map(({ record }) => subjectKey(identity.source, record, '')),
    );
    return {
      fresh: messages,
      duplicates: 0,
      keys: [{ key: whole }, ...[...subjectKeys].map((key) => ({ key }))],
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
 * the queue: the key of each subject's last enqueued message, so that a resend of the
 * delivery queues only the rest. A delivery keyed by an id gets none, because its resend
 * carries the same id and must be accepted to queue what is missing.
 */
export function keysOfEnqueued(
  result: DedupeResult,
  enqueued: readonly DeliveryMessage[],
): DedupeKey[] {
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
  const hashes = new Map(keys.map(({ key, contentHash }) => [key, contentHash]));
  try {
    await settings.store.remember(
      [...hashes.keys()],
      (key) => {
        const contentHash = hashes.get(key);
        return contentHash === undefined ? { deliveryId } : { deliveryId, contentHash };
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
