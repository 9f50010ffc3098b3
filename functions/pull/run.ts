import { randomUUID } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import {
  CheckpointError,
  type Checkpoint,
  type CheckpointState,
  type PullStateStore,
  type Traversal,
} from '../checkpoints/checkpoint.ts';
import type { PullJob, RelayConfig } from '../config/schema.ts';
import type { SecretStore } from '../credentials/secret-store.ts';
import type { DeliveryQueue } from '../queue/queue.ts';
import type { RelayMetrics } from '../shared/metrics.ts';
import type { SourceAdapter } from '../sources/source.ts';
import { enqueueItems, type ItemCounts } from './enqueue-items.ts';
import { PullError, RunInterruption } from './errors.ts';
import type { PulledItem } from './job-type.ts';
import { preparePullJob, type PreparedJob } from './prepare.ts';
import { VendorClient, type Fetch } from './vendor-http.ts';

/** How far a checkpoint may lie ahead of the clock before it counts as corrupt: clock skew. */
export const CHECKPOINT_CLOCK_SKEW_MS = 5 * 60_000;

/** Time the lease outlasts the run's deadline, so that a crashed run blocks the job only briefly. */
const LEASE_GRACE_MS = 60_000;

/** Boundary keys kept in a checkpoint at most; past this, items at the watermark rely on dedupe keys alone. */
const MAX_BOUNDARY_KEYS = 1000;

export interface PullDependencies {
  config: RelayConfig;
  secrets: SecretStore;
  queue: DeliveryQueue;
  state: PullStateStore;
  getSource: (id: string) => SourceAdapter | undefined;
  logger: Logger;
  metrics: RelayMetrics;
  /** True when the relay runs locally: vendor base URLs may then name a loopback test server. */
  localMode: boolean;
  fetch?: Fetch;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  newRunId?: () => string;
  newDeliveryId?: () => string;
}

export interface PullRunResult extends ItemCounts {
  jobId: string;
  runId: string;
  /** `completed`: the traversal ended; `stopped`: it goes on at the next run; `skipped`: another run holds the lease. */
  outcome: 'completed' | 'stopped' | 'skipped';
  stopReason?: 'deadline' | 'rate_limited' | 'max_items' | 'run_in_progress';
  pages: number;
  /** The checkpoint's watermark after the run. */
  watermark?: string;
}

/**
 * Runs one pull job once: takes the job's lease, reads the vendor's pages from the
 * checkpoint on, enqueues every item not sent before, and saves the checkpoint.
 *
 * - The watermark moves to the newest item only when a traversal ends, and only by a
 *   conditional write that requires this run's lease and the version it read.
 * - A run that reaches its deadline, its item limit or a long rate limit stops cleanly and
 *   saves where it was; the next run goes on from there.
 * - A run that fails leaves the checkpoint as it was, releases the lease and throws. Items
 *   it enqueued are marked as sent, so the next run, which reads the same window, sends only
 *   the rest.
 *
 * @param deadline no request or item starts after it; the Lambda handler sets it some
 *   seconds before the function's timeout.
 * @throws PullError (see its codes) or CheckpointError `checkpoint_conflict`, after logging it.
 */
export async function runPullJob(
  jobId: string,
  deps: PullDependencies,
  deadline: Date,
): Promise<PullRunResult> {
  const now = () => deps.now?.() ?? new Date();
  const runId = deps.newRunId?.() ?? randomUUID();
  const logContext = { job: jobId, runId };
  const counts: ItemCounts = { fetched: 0, queued: 0, duplicates: 0, rejected: 0 };

  let prepared: PreparedJob;
  try {
    prepared = await preparePullJob(jobId, deps);
  } catch (error) {
    logFailure(deps.logger, logContext, error);
    throw error;
  }

  let checkpoint: Checkpoint;
  try {
    checkpoint = await deps.state.acquire(
      jobId,
      runId,
      new Date(deadline.getTime() + LEASE_GRACE_MS),
      now(),
    );
  } catch (error) {
    if (!(error instanceof CheckpointError && error.code === 'run_in_progress')) throw error;
    deps.logger.warn('Pull run skipped', {
      ...logContext,
      code: error.code,
      reason: error.message,
    });
    return { jobId, runId, outcome: 'skipped', stopReason: 'run_in_progress', pages: 0, ...counts };
  }

  try {
    checkCheckpointTime(checkpoint, now());
    const traversal = checkpoint.traversal ?? startTraversal(checkpoint, prepared.job, now());
    deps.logger.info('Pull run started', {
      ...logContext,
      source: prepared.job.source,
      since: traversal.since,
      resumed: checkpoint.traversal !== undefined,
    });
    warnAboutWindow(prepared, traversal, now(), deps.logger, logContext);

    const progress = await traverse(prepared, checkpoint, traversal, deps, {
      runId,
      deadline: deadline.getTime(),
      counts,
      now,
    });
    const state =
      progress.stopReason === undefined
        ? finishTraversal(checkpoint, progress.traversal)
        : {
            watermark: checkpoint.watermark,
            boundaryKeys: checkpoint.boundaryKeys,
            traversal: progress.traversal,
          };
    await deps.state.save(jobId, runId, checkpoint.version, state, now());

    const result: PullRunResult = {
      jobId,
      runId,
      outcome: progress.stopReason === undefined ? 'completed' : 'stopped',
      ...(progress.stopReason !== undefined && { stopReason: progress.stopReason }),
      pages: progress.pages,
      ...(state.watermark !== undefined && { watermark: state.watermark }),
      ...counts,
    };
    deps.logger.info(
      result.outcome === 'completed'
        ? 'Pull run completed'
        : 'Pull run stopped; the next run goes on',
      { ...logContext, ...result },
    );
    return result;
  } catch (error) {
    await deps.state.release(jobId, runId).catch((releaseError: unknown) => {
      deps.logger.error('Releasing the pull lease failed', {
        ...logContext,
        error: releaseError as Error,
      });
    });
    logFailure(deps.logger, { ...logContext, ...counts }, error);
    throw error;
  }
}

interface TraverseOptions {
  runId: string;
  deadline: number;
  counts: ItemCounts;
  now: () => Date;
}

interface TraverseProgress {
  traversal: Traversal;
  pages: number;
  stopReason?: 'deadline' | 'rate_limited' | 'max_items';
}

/** Reads pages from the traversal's cursor on, enqueuing each page's new items, oldest first. */
async function traverse(
  prepared: PreparedJob,
  checkpoint: Checkpoint,
  start: Traversal,
  deps: PullDependencies,
  options: TraverseOptions,
): Promise<TraverseProgress> {
  const { job, jobType, adapter } = prepared;
  const { counts, now } = options;
  const traversal: Traversal = { ...start, highestKeys: [...start.highestKeys] };
  const since = new Date(traversal.since);
  const boundary = new Set(checkpoint.boundaryKeys);
  const logContext = { job: job.id, runId: options.runId };
  const client = new VendorClient({
    jobId: job.id,
    vendorName: jobType.vendorName,
    requestTimeoutMs: deps.config.pulls.requestTimeoutMs,
    maxAttempts: deps.config.pulls.maxAttempts,
    minIntervalMs: job.requestIntervalMs,
    logger: deps.logger,
    fetch: deps.fetch,
    now: () => now().getTime(),
    sleep: deps.sleep,
    random: deps.random,
  });
  const onHandled = (item: PulledItem) =>
    noteHandled(traversal, item, now(), deps.logger, logContext);

  for (let pages = 0; ;) {
    const context = {
      job,
      apiKey: prepared.apiKey,
      origin: prepared.origin,
      since,
      cursor: traversal.cursor,
      now: now(),
    };
    let page;
    try {
      const response = await client.send(jobType.buildRequest(context), options.deadline);
      page = jobType.readPage(response, context);
    } catch (error) {
      if (!(error instanceof RunInterruption)) throw error;
      deps.logger.warn('Pull run interrupted', {
        ...logContext,
        reason: error.reason,
        message: error.message,
      });
      return { traversal, pages, stopReason: error.reason };
    }
    pages += 1;

    for (const skipped of page.skipped ?? []) {
      deps.logger.info('Pulled item skipped', {
        ...logContext,
        reason: skipped.reason,
        ...skipped.detail,
      });
    }
    const items = selectItems(page.items, jobType.windowed ? since : undefined, boundary);
    counts.fetched += items.length;
    if (page.truncated === true && jobType.windowed)
      warnIfTruncated(items, since, deps.logger, logContext);

    const stopReason = await enqueueItems(items, {
      jobId: job.id,
      runId: options.runId,
      adapter,
      ingest: { ...deps, config: deps.config },
      dedupe: deps.state,
      logger: deps.logger,
      now,
      deadline: options.deadline,
      maxItemsPerRun: job.maxItemsPerRun,
      dedupeTtlMs: deps.config.pulls.dedupeTtlDays * 86_400_000,
      counts,
      onHandled,
      newDeliveryId: deps.newDeliveryId,
    });
    // The cursor stays at this page, whose remaining items the next run reads again.
    if (stopReason !== undefined) return { traversal, pages, stopReason };
    if (page.next === undefined) return { traversal, pages };
    traversal.cursor = page.next;
  }
}

/** Items of the window that are not boundary items of the last traversal, oldest first. */
function selectItems(
  items: readonly PulledItem[],
  since: Date | undefined,
  boundary: Set<string>,
): PulledItem[] {
  return items
    .filter((item) => !boundary.has(item.key))
    .filter(
      (item) =>
        since === undefined ||
        item.observedAt === undefined ||
        item.observedAt >= since.toISOString(),
    )
    .map((item, index) => ({ item, index }))
    .sort((a, b) => compareTimes(a.item.observedAt, b.item.observedAt) || a.index - b.index)
    .map(({ item }) => item);
}

/** Orders ISO timestamps; items without a time sort first, so their place in the answer decides. */
function compareTimes(a: string | undefined, b: string | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return -1;
  if (b === undefined) return 1;
  return a < b ? -1 : 1;
}

/**
 * Moves the traversal's newest time to a handled item. A vendor time ahead of the clock is
 * capped at the clock, so the saved checkpoint never lies in the future; the item itself is
 * already marked, so reading it again next time sends nothing.
 */
function noteHandled(
  traversal: Traversal,
  item: PulledItem,
  now: Date,
  logger: Logger,
  logContext: object,
): void {
  if (item.observedAt === undefined) return;
  let time = item.observedAt;
  if (time > now.toISOString()) {
    logger.warn('Pulled item is dated in the future; the checkpoint stops at the current time', {
      ...logContext,
      item: item.key,
      observedAt: time,
    });
    time = now.toISOString();
  }
  if (traversal.highest === undefined || time > traversal.highest) {
    traversal.highest = time;
    traversal.highestKeys = [item.key];
  } else if (time === traversal.highest && traversal.highestKeys.length < MAX_BOUNDARY_KEYS) {
    traversal.highestKeys.push(item.key);
  }
}

function startTraversal(checkpoint: Checkpoint, job: PullJob, now: Date): Traversal {
  const lookbackHours = 'lookbackHours' in job ? job.lookbackHours : 24;
  const since =
    checkpoint.watermark ?? new Date(now.getTime() - lookbackHours * 3_600_000).toISOString();
  return { since, highestKeys: [], startedAt: now.toISOString() };
}

/**
 * The checkpoint after a complete traversal: the watermark at the newest item handled (or at
 * the window start when there was none), with the keys of the items at that time.
 */
function finishTraversal(checkpoint: Checkpoint, traversal: Traversal): CheckpointState {
  const previous = checkpoint.watermark ?? traversal.since;
  const highest = traversal.highest;
  if (highest === undefined || highest < previous) {
    return {
      watermark: previous,
      boundaryKeys: previous === checkpoint.watermark ? checkpoint.boundaryKeys : [],
    };
  }
  const boundaryKeys =
    highest === checkpoint.watermark
      ? [...new Set([...checkpoint.boundaryKeys, ...traversal.highestKeys])].slice(
          0,
          MAX_BOUNDARY_KEYS,
        )
      : traversal.highestKeys;
  return { watermark: highest, boundaryKeys };
}

/**
 * Rejects a checkpoint whose times lie ahead of the clock by more than clock skew. Such a
 * checkpoint would make every later run skip the items up to that time, so the run stops
 * and says how to set it right.
 */
function checkCheckpointTime(checkpoint: Checkpoint, now: Date): void {
  const limit = new Date(now.getTime() + CHECKPOINT_CLOCK_SKEW_MS).toISOString();
  const times: Array<[string, string | undefined]> = [
    ['watermark', checkpoint.watermark],
    ['traversal.since', checkpoint.traversal?.since],
    ['traversal.highest', checkpoint.traversal?.highest],
  ];
  for (const [field, value] of times) {
    if (value !== undefined && (Number.isNaN(Date.parse(value)) || value > limit)) {
      throw new PullError(
        'checkpoint_in_future',
        `The checkpoint of pull job "${checkpoint.jobId}" has ${field} ${value}, which is later than ` +
          `the current time ${now.toISOString()} (or not a time). Following it would skip every item up to ` +
          'then, so the run stopped. Set the field to the time of the last item that reached the ' +
          "instance, or delete the checkpoint item to start again from the job's lookback.",
      );
    }
  }
}

function warnAboutWindow(
  prepared: PreparedJob,
  traversal: Traversal,
  now: Date,
  logger: Logger,
  logContext: object,
): void {
  const maxHours = prepared.jobType.maxWindowHours;
  if (maxHours === undefined) return;
  const oldest = new Date(now.getTime() - maxHours * 3_600_000).toISOString();
  if (traversal.since < oldest) {
    logger.warn('Pull window reaches further back than the vendor serves; older items are missed', {
      ...logContext,
      since: traversal.since,
      vendorServesFrom: oldest,
    });
  }
}

function warnIfTruncated(
  items: readonly PulledItem[],
  since: Date,
  logger: Logger,
  logContext: object,
): void {
  const oldest = items.find((item) => item.observedAt !== undefined)?.observedAt;
  if (oldest !== undefined && oldest > since.toISOString()) {
    logger.warn(
      'Vendor returned its maximum number of items; items between the window start and the oldest one may be missed',
      {
        ...logContext,
        since: since.toISOString(),
        oldestReturned: oldest,
      },
    );
  }
}

function logFailure(logger: Logger, context: object, error: unknown): void {
  const code =
    error instanceof PullError || error instanceof CheckpointError ? error.code : 'internal_error';
  logger.error('Pull run failed', { ...context, code, error: error as Error });
}
