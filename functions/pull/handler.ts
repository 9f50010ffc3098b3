import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDbPullState } from '../checkpoints/dynamodb.ts';
import { loadConfigFromEnv } from '../config/load.ts';
import { SecretsManagerStore } from '../credentials/secrets-manager.ts';
import { SqsDeliveryQueue } from '../queue/sqs.ts';
import { requireEnv } from '../shared/env.ts';
import { createLogger } from '../shared/logger.ts';
import { CloudWatchMetrics } from '../shared/metrics.ts';
import { loadSources } from '../sources/loaders.ts';
import { createPullHandler } from './lambda.ts';
import { requirePullStateTable } from './env.ts';

const logger = createLogger('secops-relay-pull');

/**
 * The deployed pull function, which EventBridge Scheduler invokes with `{"jobId": …}`. It
 * reads the vendor API, keeps checkpoints in DynamoDB (the table in PULL_STATE_TABLE) and
 * puts records on the SQS delivery queue.
 */
export const handler = createPullHandler(logger, async () => {
  const config = loadConfigFromEnv();
  const getSource = await loadSources((config.pulls?.jobs ?? []).map((job) => job.source));
  return {
    config,
    secrets: new SecretsManagerStore({ maxAgeSeconds: config.instance.credentialsTtlSeconds }),
    queue: new SqsDeliveryQueue(new SQSClient({}), requireEnv('deliveryQueueUrl')),
    state: new DynamoDbPullState(new DynamoDBClient({}), requirePullStateTable()),
    getSource,
    logger,
    metrics: new CloudWatchMetrics('secops-relay-pull'),
    localMode: false,
  };
});
