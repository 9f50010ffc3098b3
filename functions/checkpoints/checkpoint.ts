/**
 * The state of one pull job between runs, kept as one item per job. Timestamps are ISO 8601
 * in UTC.
 */
export interface Checkpoint {
  jobId: string;
  /** Incremented by every save; a save names the version it read, so a stale run cannot overwrite. */
  version: number;
  /**
   * Timestamp of the newest item that was enqueued. The next traversal reads items from this
   * time on, inclusive, so items published in the same second are not missed.
   */
  watermark?: string;
  /**
   * Keys of the items whose timestamp equals the watermark. The next traversal reads them again
   * because the window is inclusive, and skips them by these keys even after their dedupe keys expired.
   */
  boundaryKeys: string[];
  /** A traversal that a run stopped before its end (deadline, item limit, rate limit). */
  traversal?: Traversal;
  /** When the checkpoint was last saved. */
  updatedAt?: string;
}

/**
 * A pass over a vendor's pages for one window, which may take several runs. The watermark
 * moves only when a traversal ends, because the vendor may list newer items before older ones.
 */
export interface Traversal {
  /** Start of the window: items older than this are left out. */
  since: string;
  /** The vendor page to read next; absent for the first page. */
  cursor?: string;
  /** Newest item timestamp enqueued so far in this traversal. */
  highest?: string;
  /** Keys of the items at `highest`, which become the boundary keys when the traversal ends. */
  highestKeys: string[];
  startedAt: string;
}

/** The state a save writes: all of it except the bookkeeping the store keeps itself. */
export type CheckpointState = Pick<Checkpoint, 'watermark' | 'boundaryKeys' | 'traversal'>;

/**
 * Keeps one checkpoint per pull job and a lease that lets only one run of a job work at a
 * time. Every write is conditional, so two overlapping runs cannot both move a checkpoint.
 */
export interface CheckpointStore {
  /**
   * Takes the job's lease until `leaseUntil` and returns the checkpoint (version 0 when the
   * job never ran).
   * @throws CheckpointError `run_in_progress` while another run holds an unexpired lease.
   */
  acquire(jobId: string, runId: string, leaseUntil: Date, now: Date): Promise<Checkpoint>;
  /**
   * Writes the new state and releases the lease, only if this run still holds the lease and
   * the checkpoint is still at `expectedVersion`.
   * @throws CheckpointError `checkpoint_conflict` otherwise; nothing is written.
   */
  save(
    jobId: string,
    runId: string,
    expectedVersion: number,
    state: CheckpointState,
    now: Date,
  ): Promise<void>;
  /** Releases the lease without changing the checkpoint, if this run still holds it. */
  release(jobId: string, runId: string): Promise<void>;
  /** Reads a checkpoint without taking the lease, for operators and tests. */
  read(jobId: string): Promise<Checkpoint | undefined>;
}

/** Remembers which items of a job were already enqueued, until each key expires. */
export interface DedupeStore {
  /** Returns the keys among `keys` that were marked and have not expired at `now`. */
  findSeen(jobId: string, keys: readonly string[], now: Date): Promise<Set<string>>;
  /** Marks an item as handled until `expiresAt`; `outcome` records whether it was queued or rejected. */
  markSeen(
    jobId: string,
    key: string,
    outcome: 'queued' | 'rejected',
    expiresAt: Date,
  ): Promise<void>;
}

/** Both stores, which the DynamoDB and in-memory implementations provide in one object. */
export type PullStateStore = CheckpointStore & DedupeStore;

/** A checkpoint write that the store rejected; `code` is the reason. */
export class CheckpointError extends Error {
  readonly code: 'run_in_progress' | 'checkpoint_conflict';
  readonly jobId: string;

  constructor(
    code: CheckpointError['code'],
    jobId: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'CheckpointError';
    this.code = code;
    this.jobId = jobId;
  }
}

/** Creates the error for a lease that another run holds. */
export function runInProgress(jobId: string, options?: ErrorOptions): CheckpointError {
  return new CheckpointError(
    'run_in_progress',
    jobId,
    `Another run of pull job "${jobId}" holds its lease; this run did nothing. The lease ends ` +
      'when that run finishes or its time limit passes.',
    options,
  );
}

/** Creates the error for a save whose lease or version no longer matches. */
export function checkpointConflict(jobId: string, options?: ErrorOptions): CheckpointError {
  return new CheckpointError(
    'checkpoint_conflict',
    jobId,
    `The checkpoint of pull job "${jobId}" changed or its lease passed to another run, so this ` +
      'run did not save its progress. The items it enqueued are marked as sent, so the next ' +
      'run does not send them again.',
    options,
  );
}
