import { SQSClient } from '@aws-sdk/client-sqs';
import { loadConfigFromEnv } from '../config/load.ts';
import { InstanceCredentialsProvider } from '../credentials/instance.ts';
import { SecretsManagerStore } from '../credentials/secrets-manager.ts';
import { SqsDeadLetterQueue } from '../queue/sqs.ts';
import { SecOpsClient } from '../secops/client.ts';
import { requireEnv } from '../shared/env.ts';
import { createLogger } from '../shared/logger.ts';
import { CloudWatchMetrics } from '../shared/metrics.ts';
import { createForwardHandler } from './lambda.ts';

const logger = createLogger('secops-relay-forward');

/** The deployed forward function: SQS delivery queue in, SecOps API out. */
export const handler = createForwardHandler(logger, () => {
  const config = loadConfigFromEnv();
  const credentials = new InstanceCredentialsProvider({
    store: new SecretsManagerStore({ maxAgeSeconds: config.instance.credentialsTtlSeconds }),
    secretName: config.instance.secretName,
    ttlSeconds: config.instance.credentialsTtlSeconds,
    allowedHosts: config.instance.allowedHosts,
    localMode: false,
  });
  return {
    config,
    sender: new SecOpsClient({ config, credentials, logger }),
    deadLetters: new SqsDeadLetterQueue(new SQSClient({}), requireEnv('deadLetterQueueUrl')),
    logger,
    metrics: new CloudWatchMetrics('secops-relay-forward'),
  };
});
