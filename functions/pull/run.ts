import { randomUUID } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import { CheckpointError, type Checkpoint } from '../checkpoints/checkpoint.ts';
import type { PullDependencies } from './dependencies.ts';
import type { ItemCounts } from './enqueue-items.ts';
import { PullError } from './errors.ts';
import { preparePullJob, type PreparedJob } from './prepare.ts';
import { checkCheckpointTime, finishTraversal, startTraversal } from './traversal-state.ts';
import { traverse, warnAboutWindow } from './traverse.ts';

export type { PullDependencies } from './dependencies.ts';

/** Time the lease outlasts the run's deadline, so that a crashed run blocks the job only briefly. */
const LEASE_GRACE_MS = 60_000;

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
 *   saves where it was. The next run goes on from there.
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
        ? finishTraversal(checkpoint, progress.traversal, prepared.jobType.windowed)
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

function logFailure(logger: Logger, context: object, error: unknown): void {
  const code =
    error instanceof PullError || error instanceof CheckpointError ? error.code : 'internal_error';
  logger.error('Pull run failed', { ...context, code, error: error as Error });
}
