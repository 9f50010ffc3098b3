import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { RelayConfig } from '../../functions/config/schema.ts';
import { LocalSecretStore } from '../../functions/credentials/local.ts';
import { createIngestHandler } from '../../functions/ingest/lambda.ts';
import type { DeliveryMessage } from '../../functions/queue/message.ts';
import { InMemoryMetrics } from '../../functions/shared/metrics.ts';
import { getSource } from '../../functions/sources/index.ts';
import { localContext } from '../../local/lambda-context.ts';
import { signedWebhookEvent } from './events.ts';
import { bodyTemplate, fillTemplate } from './payloads.ts';

/** Size of the generic bodies the messages come from; about 20 records of 1 KB each. */
const SOURCE_BODY_BYTES = 20 * 1024;

/**
 * Returns at least `count` queue messages as ingest builds them, from signed `generic`
 * webhooks of all four record kinds, each record with its own observable. Forwarder
 * measurements take their input from here, so they post what the relay would have queued.
 */
export async function deliveryMessages(
  config: RelayConfig,
  count: number,
): Promise<DeliveryMessage[]> {
  const messages: DeliveryMessage[] = [];
  // Info lines about each accepted delivery would only add noise to the caller's output.
  const logger = new Logger({ serviceName: 'secops-relay-bench', logLevel: 'WARN' });
  const ingest = createIngestHandler(logger, () => ({
    config,
    secrets: new LocalSecretStore(config.local?.secrets),
    queue: {
      async enqueue(batch) {
        messages.push(...batch);
      },
    },
    getSource,
    logger,
    metrics: new InMemoryMetrics(),
  }));

  const template = bodyTemplate('generic', SOURCE_BODY_BYTES);
  for (let sequence = 0; messages.length < count; sequence++) {
    const event = signedWebhookEvent(config, 'generic', fillTemplate(template, sequence));
    const result = (await ingest(
      event,
      localContext('secops-relay-ingest', 10_000),
    )) as APIGatewayProxyStructuredResultV2;
    if (result.statusCode !== 202) {
      throw new Error(
        `Building queue messages failed: ingest returned ${result.statusCode} ${result.body}`,
      );
    }
  }
  return messages;
}

/** Splits messages into batches of `size`, as the SQS event source hands them out. */
export function batches<Item>(items: readonly Item[], size: number): Item[][] {
  const result: Item[][] = [];
  for (let start = 0; start < items.length; start += size)
    result.push(items.slice(start, start + size));
  return result;
}
