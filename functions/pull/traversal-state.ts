import type { Logger } from '@aws-lambda-powertools/logger';
import type { Checkpoint, CheckpointState, Traversal } from '../checkpoints/checkpoint.ts';
import type { PullJob } from '../config/schema.ts';
import { redactSecrets } from '../shared/redact.ts';
import { PullError } from './errors.ts';
import type { PulledItem } from './job-type.ts';

/** How far a checkpoint may lie ahead of the clock before it counts as corrupt: clock skew. */
export const CHECKPOINT_CLOCK_SKEW_MS = 5 * 60_000;

/** Boundary keys kept in a checkpoint at most; past this, items at the watermark rely on dedupe keys alone. */
const MAX_BOUNDARY_KEYS = 1000;

export function startTraversal(checkpoint: Checkpoint, job: PullJob, now: Date): Traversal {
  const lookbackHours = 'lookbackHours' in job ? job.lookbackHours : 24;
  const since =
    checkpoint.watermark ?? new Date(now.getTime() - lookbackHours * 3_600_000).toISOString();
  return { since, highestKeys: [], startedAt: now.toISOString() };
}

/**
 * Moves the traversal's newest time to a handled item. A vendor time ahead of the clock is
 * capped at the clock, so the saved checkpoint never lies in the future. The item itself is
 * already marked, so reading it again next time sends nothing.
 */
export function noteHandled(
  traversal: Traversal,
  item: PulledItem,
  now: Date,
  logger: Logger,
  logContext: object,
  secrets: readonly string[],
): void {
  if (item.observedAt === undefined) return;
  let time = item.observedAt;
  if (time > now.toISOString()) {
    logger.warn('Pulled item is dated in the future; the checkpoint stops at the current time', {
      ...logContext,
      item: redactSecrets(item.key, secrets),
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

/**
 * Computes the checkpoint after a complete traversal: the watermark moves to the newest item
 * handled, and the keys of the items at that time become the boundary keys. A feed without
 * new items keeps its watermark, or sets it to the window start on its first traversal. A
 * job that is not windowed (VirusTotal) sets none until it has an item with a time.
 */
export function finishTraversal(
  checkpoint: Checkpoint,
  traversal: Traversal,
  windowed: boolean,
): CheckpointState {
  const previous = checkpoint.watermark ?? (windowed ? traversal.since : undefined);
  const highest = traversal.highest;
  if (highest === undefined || (previous !== undefined && highest < previous)) {
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
 * and its error names the field and how to set it right.
 */
export function checkCheckpointTime(checkpoint: Checkpoint, now: Date): void {
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
