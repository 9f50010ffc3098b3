import type { Logger } from '@aws-lambda-powertools/logger';
import type { DeliveryMessage } from '../queue/message.ts';
import { deliveryKey, recordKey, type DeliveryIdentity } from './keys.ts';
import type { DedupeStore } from './store.ts';

export interface DedupeSettings {
  store: DedupeStore;
  /** How long a key is remembered, in seconds (`dedupe.ttlSeconds`). */
  ttlSeconds: number;
}

/** The messages of a delivery that were not seen before, and what was left out. */
export interface DedupeResult {
  fresh: DeliveryMessage[];
  /** Records left out because they, or the whole delivery, were seen before. */
  duplicates: number;
  /** The relay delivery id that first accepted this delivery, when the whole delivery was seen. */
  duplicateOf?: string;
  /** Keys to remember once `fresh` is on the queue. */
  keys: string[];
}

/**
 * Leaves out what an earlier delivery already queued: the whole delivery when its sender
 * id or event id was seen, otherwise each record whose content hash was seen, or that
 * appears twice in this delivery. A store that fails lets everything through, so an
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
    if (earlier !== undefined) {
      return { fresh: [], duplicates: messages.length, duplicateOf: earlier.deliveryId, keys: [] };
    }
    return { fresh: messages, duplicates: 0, keys: [whole] };
  }

  const keyed = messages.map((message) => ({
    message,
    key: recordKey(identity.source, message.record, receivedAt),
  }));
  const seen = await findSeen(
    keyed.map(({ key }) => key),
    settings,
    logger,
  );
  const taken = new Set<string>();
  const fresh: DeliveryMessage[] = [];
  for (const { message, key } of keyed) {
    if (seen.has(key) || taken.has(key)) continue;
    taken.add(key);
    fresh.push(message);
  }
  return { fresh, duplicates: messages.length - fresh.length, keys: [...taken] };
}

/**
 * Remembers the keys of a delivery whose records are on the queue. A failure is logged and
 * swallowed: the records are queued already, and a redelivery would only be queued again.
 */
export async function rememberDelivery(
  keys: string[],
  deliveryId: string,
  settings: DedupeSettings,
  logger: Logger,
): Promise<void> {
  if (keys.length === 0) return;
  try {
    await settings.store.remember(keys, { deliveryId }, settings.ttlSeconds);
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
