import type { Logger } from '@aws-lambda-powertools/logger';
import type { Checkpoint, Traversal } from '../checkpoints/checkpoint.ts';
import type { PullDependencies } from './dependencies.ts';
import { enqueueItems, type ItemCounts } from './enqueue-items.ts';
import { redactError, redactSecrets, redactValues } from '../shared/redact.ts';
import { PullError, RunInterruption } from './errors.ts';
import type { PulledItem } from './job-type.ts';
import type { PreparedJob } from './prepare.ts';
import { noteHandled } from './traversal-state.ts';
import { VendorClient } from './vendor-http.ts';

export interface TraverseOptions {
  runId: string;
  deadline: number;
  counts: ItemCounts;
  now: () => Date;
}

export interface TraverseProgress {
  traversal: Traversal;
  pages: number;
  stopReason?: 'deadline' | 'rate_limited' | 'max_items';
}

/** Reads pages from the traversal's cursor on, enqueuing each page's new items, oldest first. */
export async function traverse(
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
    requestTimeoutMs: prepared.settings.requestTimeoutMs,
    maxAttempts: prepared.settings.maxAttempts,
    maxResponseBytes: prepared.settings.maxResponseBytes,
    secrets: prepared.secrets,
    minIntervalMs: job.requestIntervalMs,
    logger: deps.logger,
    fetch: deps.fetch,
    now: () => now().getTime(),
    sleep: deps.sleep,
    random: deps.random,
  });
  const onHandled = (item: PulledItem) =>
    noteHandled(traversal, item, now(), deps.logger, logContext, prepared.secrets);

  for (let pages = 0; ;) {
    const context = {
      job,
      apiKey: prepared.apiKey,
      secrets: prepared.secrets,
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
      // Job types quote vendor text through `quoteRedacted`. This also catches text that a
      // job type quotes without it, before the run logs the error and the CLI prints it.
      if (error instanceof PullError) throw redactError(error, prepared.secrets);
      if (!(error instanceof RunInterruption)) throw error;
      // Powertools Logger drops an extra key named `message`, so the text goes under `detail`.
      deps.logger.warn('Pull run interrupted', {
        ...logContext,
        reason: error.reason,
        detail: redactSecrets(error.message, prepared.secrets),
      });
      return { traversal, pages, stopReason: error.reason };
    }
    pages += 1;

    for (const skipped of page.skipped ?? []) {
      deps.logger.info('Pulled item skipped', {
        ...logContext,
        reason: skipped.reason,
        ...redactValues(skipped.detail, prepared.secrets),
      });
    }
    // An item's key goes into the pull state and log lines, so a key in which the vendor
    // echoed the API key is stored redacted, the same way on every run.
    const pulled = page.items.map((item) => ({
      ...item,
      key: redactSecrets(item.key, prepared.secrets),
    }));
    const items = selectItems(pulled, jobType.windowed ? since : undefined, boundary);
    counts.fetched += items.length;
    if (page.truncated === true && jobType.windowed)
      warnIfTruncated(items, since, deps.logger, logContext);

    const stopReason = await enqueueItems(items, {
      jobId: job.id,
      runId: options.runId,
      adapter,
      ingest: { ...deps, config: deps.config, logSecrets: prepared.secrets },
      dedupe: deps.state,
      logger: deps.logger,
      now,
      deadline: options.deadline,
      maxItemsPerRun: job.maxItemsPerRun,
      dedupeTtlMs: prepared.settings.dedupeTtlDays * 86_400_000,
      counts,
      secrets: prepared.secrets,
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

/** Orders ISO timestamps; items without a time sort first, so their position in the response decides their order. */
function compareTimes(a: string | undefined, b: string | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return -1;
  if (b === undefined) return 1;
  return a < b ? -1 : 1;
}

export function warnAboutWindow(
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
