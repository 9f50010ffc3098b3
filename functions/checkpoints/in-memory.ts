import {
  checkpointConflict,
  runInProgress,
  type Checkpoint,
  type CheckpointState,
  type PullStateStore,
} from './checkpoint.ts';

interface StoredCheckpoint extends Checkpoint {
  lease?: { runId: string; expiresAt: number };
}

interface SeenItem {
  outcome: 'queued' | 'rejected';
  /** Epoch milliseconds. */
  expiresAt: number;
}

/** The contents of an in-memory store as plain JSON, for saving between CLI runs. */
export interface PullStateSnapshot {
  checkpoints: StoredCheckpoint[];
  seen: Record<string, Record<string, SeenItem>>;
}

/**
 * Checkpoints and dedupe keys in memory, with the same conditional semantics as the DynamoDB
 * store, for the local CLI and tests. `toSnapshot` and `fromSnapshot` let the CLI keep the
 * state in a file between runs.
 */
export class InMemoryPullState implements PullStateStore {
  private readonly checkpoints = new Map<string, StoredCheckpoint>();
  private readonly seen = new Map<string, Map<string, SeenItem>>();

  static fromSnapshot(snapshot: PullStateSnapshot): InMemoryPullState {
    const store = new InMemoryPullState();
    for (const checkpoint of snapshot.checkpoints) {
      store.checkpoints.set(checkpoint.jobId, structuredClone(checkpoint));
    }
    for (const [jobId, items] of Object.entries(snapshot.seen)) {
      store.seen.set(jobId, new Map(Object.entries(items)));
    }
    return store;
  }

  toSnapshot(): PullStateSnapshot {
    return {
      checkpoints: [...this.checkpoints.values()].map((checkpoint) => structuredClone(checkpoint)),
      seen: Object.fromEntries(
        [...this.seen].map(([jobId, items]) => [jobId, Object.fromEntries(items)]),
      ),
    };
  }

  async acquire(jobId: string, runId: string, leaseUntil: Date, now: Date): Promise<Checkpoint> {
    const stored = this.checkpoints.get(jobId) ?? { jobId, version: 0, boundaryKeys: [] };
    if (stored.lease !== undefined && stored.lease.expiresAt >= now.getTime()) {
      throw runInProgress(jobId);
    }
    stored.lease = { runId, expiresAt: leaseUntil.getTime() };
    this.checkpoints.set(jobId, stored);
    return publicView(stored);
  }

  async save(
    jobId: string,
    runId: string,
    expectedVersion: number,
    state: CheckpointState,
    now: Date,
  ): Promise<void> {
    const stored = this.checkpoints.get(jobId);
    if (stored?.lease?.runId !== runId || stored.version !== expectedVersion) {
      throw checkpointConflict(jobId);
    }
    this.checkpoints.set(jobId, {
      jobId,
      version: expectedVersion + 1,
      ...structuredClone(state),
      updatedAt: now.toISOString(),
    });
  }

  async release(jobId: string, runId: string): Promise<void> {
    const stored = this.checkpoints.get(jobId);
    if (stored?.lease?.runId === runId) delete stored.lease;
  }

  async read(jobId: string): Promise<Checkpoint | undefined> {
    const stored = this.checkpoints.get(jobId);
    return stored === undefined ? undefined : publicView(stored);
  }

  async findSeen(jobId: string, keys: readonly string[], now: Date): Promise<Set<string>> {
    const items = this.seen.get(jobId);
    const found = new Set<string>();
    for (const key of keys) {
      const item = items?.get(key);
      if (item !== undefined && item.expiresAt > now.getTime()) found.add(key);
    }
    return found;
  }

  async markSeen(
    jobId: string,
    key: string,
    outcome: 'queued' | 'rejected',
    expiresAt: Date,
  ): Promise<void> {
    const items = this.seen.get(jobId) ?? new Map<string, SeenItem>();
    items.set(key, { outcome, expiresAt: expiresAt.getTime() });
    this.seen.set(jobId, items);
  }
}

function publicView(stored: StoredCheckpoint): Checkpoint {
  const checkpoint: StoredCheckpoint = structuredClone(stored);
  delete checkpoint.lease;
  return checkpoint;
}
