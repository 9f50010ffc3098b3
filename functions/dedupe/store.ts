/** Entry the store keeps for a key it has seen. */
export interface SeenEntry {
  /** The relay delivery id that last stored the key. */
  deliveryId: string;
  /** Content hash of the last record accepted under a subject key; absent on other keys. */
  contentHash?: string;
  /**
   * The `recordIndex` of each record the queue confirmed, on a delivery key whose delivery
   * was queued only in part. Absent once the delivery is queued whole.
   */
  queuedRecords?: readonly number[];
}

/**
 * Remembers keys for a while: delivery ids and the last record per subject at ingest, and the
 * records a timed-out POST may have stored at the forwarder. DynamoDB in AWS, in memory locally.
 */
export interface DedupeStore {
  /** Returns the keys among `keys` that were remembered and have not expired. */
  findSeen(keys: readonly string[]): Promise<Map<string, SeenEntry>>;
  /**
   * Remembers each key for `ttlSeconds`, replacing an entry that is already there. `entry` is
   * stored under every key, or, given as a function, called once per key for that key's entry.
   */
  remember(
    keys: readonly string[],
    entry: SeenEntry | ((key: string) => SeenEntry),
    ttlSeconds: number,
  ): Promise<void>;
}

/** Returns the entry to store under `key`, from the `entry` argument of `DedupeStore.remember`. */
export function entryFor(entry: SeenEntry | ((key: string) => SeenEntry), key: string): SeenEntry {
  return typeof entry === 'function' ? entry(key) : entry;
}

/** The dedupe store of the local stack and tests; its contents are lost when the process ends. */
export class InMemoryDedupeStore implements DedupeStore {
  readonly #entries = new Map<string, { seen: SeenEntry; expiresAt: number }>();
  readonly #now: () => number;

  /** @param now clock in epoch milliseconds */
  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  async findSeen(keys: readonly string[]): Promise<Map<string, SeenEntry>> {
    const now = this.#now();
    const seen = new Map<string, SeenEntry>();
    for (const key of keys) {
      const stored = this.#entries.get(key);
      if (stored === undefined) continue;
      if (stored.expiresAt <= now) {
        this.#entries.delete(key);
        continue;
      }
      seen.set(key, copyOf(stored.seen));
    }
    return seen;
  }

  async remember(
    keys: readonly string[],
    entry: SeenEntry | ((key: string) => SeenEntry),
    ttlSeconds: number,
  ): Promise<void> {
    const expiresAt = this.#now() + ttlSeconds * 1000;
    for (const key of keys) {
      this.#entries.set(key, { seen: copyOf(entryFor(entry, key)), expiresAt });
    }
  }

  /** Number of keys held, expired ones included until they are next looked up. */
  get size(): number {
    return this.#entries.size;
  }
}

/** Copies an entry without its absent fields, so no caller shares a list with the store. */
function copyOf({ deliveryId, contentHash, queuedRecords }: SeenEntry): SeenEntry {
  return {
    deliveryId,
    ...(contentHash !== undefined && { contentHash }),
    ...(queuedRecords !== undefined && { queuedRecords: [...queuedRecords] }),
  };
}
