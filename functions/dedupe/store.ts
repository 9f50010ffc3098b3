/** Entry the store keeps for a key it has seen. */
export interface SeenEntry {
  /** The relay delivery id that first used the key. */
  deliveryId: string;
}

/**
 * Remembers keys for a while: delivery ids and record hashes at ingest, and the records a
 * timed-out POST may have stored at the forwarder. DynamoDB in AWS, in memory locally.
 */
export interface DedupeStore {
  /** Returns the keys among `keys` that were remembered and have not expired. */
  findSeen(keys: readonly string[]): Promise<Map<string, SeenEntry>>;
  /** Remembers each key for `ttlSeconds`, replacing an entry that is already there. */
  remember(keys: readonly string[], entry: SeenEntry, ttlSeconds: number): Promise<void>;
}

/** The dedupe store of the local stack and tests; its contents are lost when the process ends. */
export class InMemoryDedupeStore implements DedupeStore {
  readonly #entries = new Map<string, SeenEntry & { expiresAt: number }>();
  readonly #now: () => number;

  /** @param now clock in epoch milliseconds */
  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  async findSeen(keys: readonly string[]): Promise<Map<string, SeenEntry>> {
    const now = this.#now();
    const seen = new Map<string, SeenEntry>();
    for (const key of keys) {
      const entry = this.#entries.get(key);
      if (entry === undefined) continue;
      if (entry.expiresAt <= now) {
        this.#entries.delete(key);
        continue;
      }
      seen.set(key, { deliveryId: entry.deliveryId });
    }
    return seen;
  }

  async remember(keys: readonly string[], entry: SeenEntry, ttlSeconds: number): Promise<void> {
    const expiresAt = this.#now() + ttlSeconds * 1000;
    for (const key of keys) this.#entries.set(key, { deliveryId: entry.deliveryId, expiresAt });
  }

  /** Number of keys held, expired ones included until they are next looked up. */
  get size(): number {
    return this.#entries.size;
  }
}
