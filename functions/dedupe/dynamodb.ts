import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DynamoDBDocumentClient,
  type BatchWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { formatCount } from '../shared/format-count.ts';
import { entryFor, type DedupeStore, type SeenEntry } from './store.ts';

/** DynamoDB takes at most 100 keys in one BatchGetItem and 25 items in one BatchWriteItem. */
const MAX_GET_KEYS = 100;
const MAX_WRITE_ITEMS = 25;

/** Rounds of resending what DynamoDB left unprocessed (throttling) before giving up. */
const MAX_UNPROCESSED_ROUNDS = 4;

type WriteRequest = NonNullable<BatchWriteCommandInput['RequestItems']>[string][number];

/** Name of the partition key attribute. */
export const DEDUPE_KEY_ATTRIBUTE = 'pk';

/** Name of the attribute DynamoDB's time to live reads: epoch seconds. */
export const DEDUPE_TTL_ATTRIBUTE = 'expiresAt';

/** Name of the attribute that stores `SeenEntry.contentHash`, present only on subject keys. */
export const DEDUPE_CONTENT_HASH_ATTRIBUTE = 'contentHash';

/**
 * Name of the attribute that stores `SeenEntry.queuedRecords`, a list of numbers, present
 * only on the delivery key of a delivery that was queued in part.
 */
export const DEDUPE_QUEUED_RECORDS_ATTRIBUTE = 'queuedRecords';

/** Environment variable that names the dedupe table; the CDK app sets it on both functions. */
export const DEDUPE_TABLE_ENV = 'DEDUPE_TABLE_NAME';

export interface DynamoDbDedupeStoreOptions {
  client: DynamoDBClient;
  tableName: string;
  /** Clock in epoch milliseconds. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * The dedupe store in AWS: one item per key, `pk` the key, with `deliveryId`, the
 * `expiresAt` TTL attribute, plus `contentHash` on subject keys and `queuedRecords` on the
 * delivery key of a delivery queued in part. DynamoDB deletes expired items only within a
 * few days of their expiry, so reads treat an item whose `expiresAt` has passed as absent.
 */
export class DynamoDbDedupeStore implements DedupeStore {
  readonly #documents: DynamoDBDocumentClient;
  readonly #tableName: string;
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(options: DynamoDbDedupeStoreOptions) {
    this.#documents = DynamoDBDocumentClient.from(options.client);
    this.#tableName = options.tableName;
    this.#now = options.now ?? Date.now;
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async findSeen(keys: readonly string[]): Promise<Map<string, SeenEntry>> {
    const seen = new Map<string, SeenEntry>();
    const nowSeconds = Math.floor(this.#now() / 1000);
    for (const chunk of chunks([...new Set(keys)], MAX_GET_KEYS)) {
      const keyItems: Record<string, unknown>[] = chunk.map((key) => ({
        [DEDUPE_KEY_ATTRIBUTE]: key,
      }));
      await this.#untilProcessed('unread', keyItems, async (pending) => {
        const output = await this.#documents.send(
          new BatchGetCommand({ RequestItems: { [this.#tableName]: { Keys: pending } } }),
        );
        for (const item of output.Responses?.[this.#tableName] ?? []) {
          const expiresAt = Number(item[DEDUPE_TTL_ATTRIBUTE]);
          if (!(expiresAt > nowSeconds)) continue;
          seen.set(String(item[DEDUPE_KEY_ATTRIBUTE]), seenEntryOf(item));
        }
        return output.UnprocessedKeys?.[this.#tableName]?.Keys ?? [];
      });
    }
    return seen;
  }

  async remember(
    keys: readonly string[],
    entry: SeenEntry | ((key: string) => SeenEntry),
    ttlSeconds: number,
  ): Promise<void> {
    const expiresAt = Math.floor(this.#now() / 1000) + ttlSeconds;
    for (const chunk of chunks([...new Set(keys)], MAX_WRITE_ITEMS)) {
      const requests: WriteRequest[] = chunk.map((key) => {
        const { deliveryId, contentHash, queuedRecords } = entryFor(entry, key);
        return {
          PutRequest: {
            Item: {
              [DEDUPE_KEY_ATTRIBUTE]: key,
              deliveryId,
              [DEDUPE_TTL_ATTRIBUTE]: expiresAt,
              ...(contentHash !== undefined && { [DEDUPE_CONTENT_HASH_ATTRIBUTE]: contentHash }),
              ...(queuedRecords !== undefined && {
                [DEDUPE_QUEUED_RECORDS_ATTRIBUTE]: [...queuedRecords],
              }),
            },
          },
        };
      });
      await this.#untilProcessed('unwritten', requests, async (pending) => {
        const output = await this.#documents.send(
          new BatchWriteCommand({ RequestItems: { [this.#tableName]: pending } }),
        );
        return output.UnprocessedItems?.[this.#tableName] ?? [];
      });
    }
  }

  /**
   * Sends a batch, then again what DynamoDB left unprocessed (it does under throttling),
   * with a growing pause, and throws when some is still left after MAX_UNPROCESSED_ROUNDS.
   */
  async #untilProcessed<T>(
    what: 'unread' | 'unwritten',
    items: T[],
    send: (pending: T[]) => Promise<T[]>,
  ): Promise<void> {
    let pending = items;
    for (let round = 0; pending.length > 0; round++) {
      if (round > MAX_UNPROCESSED_ROUNDS) {
        throw new Error(
          `DynamoDB left ${formatCount(pending.length, 'item')} of table ${this.#tableName} ${what} after ${formatCount(round, 'round')}`,
        );
      }
      if (round > 0) await this.#sleep(50 * 2 ** round);
      pending = await send(pending);
    }
  }
}

function seenEntryOf(item: Record<string, unknown>): SeenEntry {
  const deliveryId = String(item.deliveryId);
  const contentHash = item[DEDUPE_CONTENT_HASH_ATTRIBUTE];
  const queuedRecords = item[DEDUPE_QUEUED_RECORDS_ATTRIBUTE];
  return {
    deliveryId,
    ...(typeof contentHash === 'string' && { contentHash }),
    ...(queuedRecords !== undefined && { queuedRecords: integersOf(queuedRecords) }),
  };
}

/**
 * Returns a stored list of record indexes, or an empty list for any other value. A resend
 * then queues every record again, so an unreadable list costs duplicates, not records.
 */
function integersOf(value: unknown): number[] {
  if (!Array.isArray(value) || !value.every((entry) => Number.isInteger(entry))) return [];
  return value as number[];
}

function chunks<T>(items: T[], size: number): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += size) {
    result.push(items.slice(start, start + size));
  }
  return result;
}
