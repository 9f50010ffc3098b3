import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { loadConfigFromEnv } from '../config/load.ts';
import { InstanceCredentialsProvider } from '../credentials/instance.ts';
import { SecretsManagerStore } from '../credentials/secrets-manager.ts';
import { DEDUPE_TABLE_ENV, DynamoDbDedupeStore } from '../dedupe/dynamodb.ts';
import { SqsDeadLetterQueue } from '../queue/sqs.ts';
import { requireEnv } from '../shared/env.ts';
import { createLogger } from '../shared/logger.ts';
import { CloudWatchMetrics } from '../shared/metrics.ts';
import { createInstanceSender } from './instance-sender.ts';
import { createForwardHandler } from './lambda.ts';

const logger = createLogger('secops-relay-forward');

/** SQS keeps a message at most 14 days, so a mark older than that has no record left to meet. */
const UNANSWERED_TTL_SECONDS = 14 * 24 * 3600;

/** The deployed forward function: SQS delivery queue in, SecOps API out. */
export const handler = createForwardHandler(logger, () => {
  const config = loadConfigFromEnv();
  const credentials = InstanceCredentialsProvider.fromConfig(
    config,
    new SecretsManagerStore({ maxAgeSeconds: config.instance.credentialsTtlSeconds }),
    { localMode: false },
  );
  const { sender, breaker } = createInstanceSender({ config, credentials, logger });
  const dedupeTable = process.env[DEDUPE_TABLE_ENV];
  return {
    config,
    sender,
    breaker,
    deadLetters: new SqsDeadLetterQueue(new SQSClient({}), requireEnv('deadLetterQueueUrl')),
    logger,
    metrics: new CloudWatchMetrics('secops-relay-forward'),
    // The stack always sets the table; without it only the cross-receive duplicate count is lost.
    ...(dedupeTable !== undefined &&
      dedupeTable !== '' && {
        unansweredPosts: {
          store: new DynamoDbDedupeStore({
            client: new DynamoDBClient({}),
            tableName: dedupeTable,
          }),
          ttlSeconds: UNANSWERED_TTL_SECONDS,
        },
      }),
  };
});
