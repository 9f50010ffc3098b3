import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { ENV_CONFIG_ORIGIN, loadConfigFromEnv } from '../config/load.ts';
import { SecretsManagerStore } from '../credentials/secrets-manager.ts';
import { DEDUPE_TABLE_ENV, DynamoDbDedupeStore } from '../dedupe/dynamodb.ts';
import { SqsDeliveryQueue } from '../queue/sqs.ts';
import { requireEnv } from '../shared/env.ts';
import { createLogger } from '../shared/logger.ts';
import { CloudWatchMetrics } from '../shared/metrics.ts';
import { checkConfiguredSources } from '../sources/check-config.ts';
import { LOADABLE_SOURCE_IDS, loadEnabledSources } from '../sources/loaders.ts';
import { createIngestHandler } from './lambda.ts';

const logger = createLogger('secops-relay-ingest');

/** The deployed ingest function: webhooks from API Gateway, records onto the SQS delivery queue. */
export const handler = createIngestHandler(logger, async () => {
  const config = loadConfigFromEnv();
  const getSource = await loadEnabledSources(config);
  checkConfiguredSources(config, getSource, LOADABLE_SOURCE_IDS, ENV_CONFIG_ORIGIN);
  return {
    config,
    secrets: new SecretsManagerStore({ maxAgeSeconds: config.instance.credentialsTtlSeconds }),
    queue: new SqsDeliveryQueue(new SQSClient({}), requireEnv('deliveryQueueUrl')),
    getSource,
    logger,
    metrics: new CloudWatchMetrics('secops-relay-ingest'),
    dedupe: {
      store: new DynamoDbDedupeStore({
        client: new DynamoDBClient({}),
        tableName: requireTable(),
      }),
      ttlSeconds: config.dedupe.ttlSeconds,
    },
  };
});

function requireTable(): string {
  const name = process.env[DEDUPE_TABLE_ENV];
  if (name === undefined || name === '') {
    throw new Error(
      `Environment variable ${DEDUPE_TABLE_ENV} is not set; the CDK app sets it on deploy.`,
    );
  }
  return name;
}
