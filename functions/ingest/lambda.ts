import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type {
  APIGatewayProxyEvent,
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
} from 'aws-lambda';
import { IngestError } from './errors.ts';
import { ingestEvent, isEventBridgeEvent, type EventBridgeEvent } from './event.ts';
import { ingestWebhook, type IngestDependencies, type IngestResult } from './ingest.ts';
import { initOnce } from '../shared/init-once.ts';
import { fromHttpApiEvent } from './request.ts';

/**
 * An EventBridge event the relay did not accept. The handler throws it, so Lambda retries
 * the event and then hands it to the failed-event queue, where an operator sees it with
 * this message. Nothing accepted by EventBridge is dropped silently.
 */
export class EventRejectedError extends Error {
  readonly result: IngestResult;

  constructor(result: IngestResult) {
    super(`${String(result.body.code)}: ${String(result.body.message)}`);
    this.name = 'EventRejectedError';
    this.result = result;
  }
}

/** An ingest invocation: API Gateway (HTTP API payload 2.0, or REST API payload 1.0) or EventBridge. */
export type IngestEvent = APIGatewayProxyEventV2 | APIGatewayProxyEvent | EventBridgeEvent;
export type IngestHandlerResult = APIGatewayProxyStructuredResultV2 | IngestResult['body'];

/**
 * Builds the ingest Lambda handler around the given dependencies. It takes API Gateway
 * HTTP API requests (webhooks) and EventBridge events. The deployed function and the local
 * stack both call this, so what runs locally is the code that runs in AWS.
 * `getDependencies` runs once, on the first event.
 */
export function createIngestHandler(
  logger: Logger,
  getDependencies: () => IngestDependencies | Promise<IngestDependencies>,
) {
  const ready = initOnce(getDependencies);

  return middy<IngestEvent, IngestHandlerResult>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (event) => {
      const dependencies = await ready();
      try {
        if (isEventBridgeEvent(event)) {
          const result = await ingestEvent(event, dependencies);
          if (result.status !== 202) throw new EventRejectedError(result);
          return result.body;
        }
        const result = await ingestWebhook(fromHttpApiEvent(event), dependencies);
        return jsonResponse(result.status, result.body);
      } catch (error) {
        if (error instanceof EventRejectedError) throw error;
        if (error instanceof IngestError) {
          return jsonResponse(error.status, { code: error.code, message: error.message });
        }
        logger.error('Unexpected ingest failure', { error: error as Error });
        return jsonResponse(500, {
          code: 'internal_error',
          message: 'The relay failed to process the delivery.',
        });
      } finally {
        dependencies.metrics.flush();
      }
    });
}

function jsonResponse(statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    // A 405 names the one method webhooks take, as HTTP requires.
    headers: { 'content-type': 'application/json', ...(statusCode === 405 && { allow: 'POST' }) },
    body: JSON.stringify(body),
  };
}
