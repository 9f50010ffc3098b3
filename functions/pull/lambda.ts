import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import * as z from 'zod';
import { initOnce } from '../shared/init-once.ts';
import { runDeadline } from './deadline.ts';
import { runPullJob, type PullDependencies, type PullRunResult } from './run.ts';

/** The input each EventBridge Scheduler schedule sends: the id of its job. */
export const pullEventSchema = z.object({
  jobId: z.string().min(1, 'must name a job of pulls.jobs'),
});

export type PullEvent = z.infer<typeof pullEventSchema>;

/**
 * Builds the pull Lambda handler: one EventBridge Scheduler invocation runs one job once.
 * The run's deadline comes from the function's remaining time (`runDeadline`), so a run
 * stops cleanly and saves its progress before Lambda ends it. A failed run throws, so the
 * invocation counts as an error in the function's metrics. The next schedule runs the job
 * again from the unchanged checkpoint. `getDependencies` runs once, on the first event.
 */
export function createPullHandler(
  logger: Logger,
  getDependencies: () => PullDependencies | Promise<PullDependencies>,
) {
  const ready = initOnce(getDependencies);

  return middy<unknown, PullRunResult>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (event, context) => {
      const parsed = pullEventSchema.safeParse(event);
      if (!parsed.success) {
        throw new TypeError(
          `The pull function expects {"jobId": "<job id>"} as its input, the input each schedule ` +
            `sends; got ${JSON.stringify(event)?.slice(0, 200)}.`,
        );
      }
      const dependencies = await ready();
      const now = dependencies.now?.() ?? new Date();
      const deadline = runDeadline(now, context.getRemainingTimeInMillis());
      try {
        return await runPullJob(parsed.data.jobId, dependencies, deadline);
      } finally {
        dependencies.metrics.flush();
      }
    });
}
