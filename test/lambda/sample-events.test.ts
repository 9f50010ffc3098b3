import { readFile } from 'node:fs/promises';
import type { APIGatewayProxyStructuredResultV2, SQSBatchResponse } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../functions/config/load.ts';
import { InstanceCredentialsProvider } from '../../functions/credentials/instance.ts';
import { LocalSecretStore } from '../../functions/credentials/local.ts';
import { createForwardHandler } from '../../functions/forward/lambda.ts';
import { createIngestHandler } from '../../functions/ingest/lambda.ts';
import { InProcessDeadLetterQueue } from '../../functions/queue/in-process.ts';
import type { DeliveryMessage } from '../../functions/queue/message.ts';
import { SecOpsClient } from '../../functions/secops/client.ts';
import { InMemoryMetrics } from '../../functions/shared/metrics.ts';
import { getSource } from '../../functions/sources/index.ts';
import { localContext } from '../../local/lambda-context.ts';
import { startSandbox, type Sandbox } from '../../sandbox/server.ts';
import { captureLogger } from '../helpers/capture-logger.ts';

const config = loadConfigFile('relay.config.json');
const readEvent = async (name: string) =>
  JSON.parse(await readFile(`events/lambda/${name}`, 'utf8'));

describe('sample Lambda events', () => {
  let sandbox: Sandbox;
  const { logger } = captureLogger();

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, config, logger });
  });

  afterAll(async () => {
    await sandbox.close();
  });

  it('ingest accepts the HTTP API event', async () => {
    const queued: DeliveryMessage[] = [];
    const handler = createIngestHandler(logger, () => ({
      config,
      secrets: new LocalSecretStore(config.local?.secrets ?? {}),
      queue: { enqueue: async (messages) => void queued.push(...messages) },
      getSource,
      logger,
      metrics: new InMemoryMetrics(),
    }));

    const result = (await handler(
      await readEvent('ingest-http-api.json'),
      localContext('ingest', 10_000),
    )) as APIGatewayProxyStructuredResultV2;

    expect(result.statusCode).toBe(202);
    expect(JSON.parse(result.body ?? '{}')).toMatchObject({ status: 'accepted', records: 2 });
    expect(queued[0]?.record).toMatchObject({
      kind: 'threat_lookup_result',
      finding: 'Malicious',
      observable: { value: '203.0.113.50' },
    });
  });

  it('forward delivers the SQS event to the sandbox', async () => {
    const secrets = {
      ...config.local?.secrets,
      [config.instance.secretName]: {
        ...config.local?.secrets[config.instance.secretName],
        instanceUrl: sandbox.url,
      },
    };
    const credentials = new InstanceCredentialsProvider({
      store: new LocalSecretStore(secrets),
      secretName: config.instance.secretName,
      ttlSeconds: 300,
      allowedHosts: [],
      localMode: true,
    });
    const handler = createForwardHandler(logger, () => ({
      config,
      sender: new SecOpsClient({ config, credentials, logger }),
      deadLetters: new InProcessDeadLetterQueue(),
      logger,
      metrics: new InMemoryMetrics(),
    }));

    const result = (await handler(
      await readEvent('forward-sqs.json'),
      localContext('forward', 30_000),
    )) as SQSBatchResponse;

    expect(result.batchItemFailures).toEqual([]);
    expect(sandbox.records('sn_ti_lookup_result')).toEqual([
      expect.objectContaining({
        observable: '203.0.113.7',
        finding: 'Malicious',
        source: 'Example Threat Feed',
      }),
    ]);
  });
});
