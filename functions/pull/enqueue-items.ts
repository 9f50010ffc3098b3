import { randomUUID } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { DedupeStore } from '../checkpoints/checkpoint.ts';
import { IngestError } from '../ingest/errors.ts';
import { acceptPayload, type DeliveryLog, type IngestDependencies } from '../ingest/pipeline.ts';
import type { SourceAdapter } from '../sources/source.ts';
import { redactError, redactSecrets } from '../shared/redact.ts';
import { PullError } from './errors.ts';
import type { PulledItem } from './job-type.ts';

/** Counts of one run, reported in its log line and result. */
export interface ItemCounts {
  /** Items the vendor returned within the window. */
  fetched: number;
  /** Items enqueued by this run. */
  queued: number;
  /** Items left out because an earlier run had enqueued them. */
  duplicates: number;
  /** Items the source adapter rejected; logged with the reason and not tried again. */
  rejected: number;
}

export interface ItemBatchContext {
  jobId: string;
  runId: string;
  adapter: SourceAdapter;
  ingest: IngestDependencies;
  dedupe: DedupeStore;
  logger: Logger;
  now: () => Date;
  /** Epoch milliseconds after which no further item starts. */
  deadline: number;
  maxItemsPerRun: number;
  /** How long a dedupe key is kept, in milliseconds. */
  dedupeTtlMs: number;
  counts: ItemCounts;
  /** The job's secret values, redacted from the vendor text that the item's log lines quote. */
  secrets: readonly string[];
  /** Called for every item that is handled now or was handled by an earlier run. */
  onHandled(item: PulledItem): void;
  newDeliveryId?: () => string;
}

/**
 * Enqueues a page's items in order, each on the same path as a webhook (`acceptPayload`:
 * validate, normalize, enqueue), and marks each as sent right after it is on the queue.
 * Items marked by an earlier run are skipped. A crash between enqueueing and marking sends
 * that one item twice on the next run, which at-least-once delivery allows.
 *
 * Returns the reason when it stopped before the last item: the run's deadline or its item limit.
 */
export async function enqueueItems(
  items: readonly PulledItem[],
  context: ItemBatchContext,
): Promise<'deadline' | 'max_items' | undefined> {
  const { counts, dedupe, jobId } = context;
  const seen = await dedupe.findSeen(
    jobId,
    items.map((item) => item.key),
    context.now(),
  );

  for (const item of items) {
    if (seen.has(item.key)) {
      counts.duplicates += 1;
      context.onHandled(item);
      continue;
    }
    if (counts.queued + counts.rejected >= context.maxItemsPerRun) return 'max_items';
    if (context.now().getTime() >= context.deadline) return 'deadline';

    const outcome = await enqueueItem(item, context);
    const expiresAt = new Date(context.now().getTime() + context.dedupeTtlMs);
    await dedupe.markSeen(jobId, item.key, outcome, expiresAt);
    seen.add(item.key);
    if (outcome === 'queued') counts.queued += 1;
    else counts.rejected += 1;
    context.onHandled(item);
  }
  return undefined;
}

async function enqueueItem(
  item: PulledItem,
  context: ItemBatchContext,
): Promise<'queued' | 'rejected'> {
  const log = {
    deliveryId: context.newDeliveryId?.() ?? randomUUID(),
    source: context.adapter.id,
    job: context.jobId,
    runId: context.runId,
    item: redactSecrets(item.key, context.secrets),
  } satisfies DeliveryLog & Record<string, string>;

  try {
    await acceptPayload(context.adapter, item.payload, log, context.now(), context.ingest);
    return 'queued';
  } catch (error) {
    if (error instanceof IngestError && error.code === 'queue_unavailable') {
      throw new PullError(
        'queue_unavailable',
        `The delivery queue did not accept item ${log.item}; the run stops and the next run sends it again.`,
        { cause: error },
      );
    }
    // The vendor's item does not fit the adapter, or the adapter failed on it. Trying again
    // would fail the same way and hold back every later item, so it is logged and passed.
    const rejection =
      error instanceof IngestError
        ? { code: error.code, reason: redactSecrets(error.message, context.secrets) }
        : {
            code: 'adapter_failed',
            error: error instanceof Error ? redactError(error, context.secrets) : error,
          };
    context.logger.warn('Pulled item rejected', { ...log, ...rejection });
    return 'rejected';
  }
}
