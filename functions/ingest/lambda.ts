import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { IngestError } from './errors.ts';
import { ingestWebhook, type IngestDependencies } from './ingest.ts';
import { fromHttpApiEvent } from './request.ts';

/**
 * Builds the ingest Lambda handler around the given dependencies. The deployed function and
 * the local stack both call this, so what runs locally is the code that runs in AWS.
 * `getDependencies` runs once, on the first event, so a configuration error fails that
 * event with a message rather than hiding in an init crash loop.
 */
export function createIngestHandler(
  logger: Logger,
  getDependencies: () => IngestDependencies,
) {
  let dependencies: IngestDependencies | undefined;

  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (event) => {
      dependencies ??= getDependencies();
      try {
        const result = await ingestWebhook(fromHttpApiEvent(event), dependencies);
        return jsonResponse(result.status, result.body);
      } catch (error) {
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
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  };
}
