import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { forwardBatch, type ForwardDependencies } from './forward.ts';

/**
 * Time kept free at the end of an invocation, in milliseconds, so that the forwarder can
 * report its partial batch response before Lambda stops it.
 */
export const DEADLINE_MARGIN_MS = 3_000;

/**
 * Builds the forward Lambda handler: an SQS event in, a partial batch response out.
 * The deployed function and the local stack's forwarder both call this.
 */
export function createForwardHandler(logger: Logger, getDependencies: () => ForwardDependencies) {
  let dependencies: ForwardDependencies | undefined;

  return middy<SQSEvent, SQSBatchResponse, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (event, context) => {
      dependencies ??= getDependencies();
      const deadline = Date.now() + context.getRemainingTimeInMillis() - DEADLINE_MARGIN_MS;
      try {
        return await forwardBatch(
          event.Records.map((record) => ({
            messageId: record.messageId,
            body: record.body,
            receiveCount: Number(record.attributes.ApproximateReceiveCount) || 1,
          })),
          deadline,
          dependencies,
        );
      } finally {
        dependencies.metrics.flush();
      }
    });
}
