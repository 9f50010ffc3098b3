import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, SQSEvent } from 'aws-lambda';
import { authHeaders } from '../../cli/sign.ts';
import type { RelayConfig } from '../../functions/config/schema.ts';
import type { DeliveryMessage } from '../../functions/queue/message.ts';

/**
 * Returns the secret a sender signs with for a source, from the configuration's
 * `local.secrets`, as `secops-relay send` reads it.
 */
export function senderSecret(config: RelayConfig, sourceId: string): string {
  const secretName = config.sources[sourceId]?.secretName;
  const value = secretName === undefined ? undefined : config.local?.secrets[secretName];
  const secret = value?.secret ?? (Array.isArray(value?.secrets) ? value.secrets[0] : undefined);
  if (typeof secret !== 'string') {
    throw new Error(
      `No local secret for source "${sourceId}"; add local.secrets["${secretName}"].secret to relay.config.json.`,
    );
  }
  return secret;
}

/**
 * Builds the API Gateway HTTP API (payload 2.0) event of a signed webhook, as API Gateway
 * hands it to the ingest function: lower-case headers and a UTF-8 body.
 */
export function signedWebhookEvent(
  config: RelayConfig,
  sourceId: string,
  body: Buffer,
): APIGatewayProxyEventV2 {
  const settings = config.sources[sourceId];
  if (settings === undefined) throw new Error(`Source "${sourceId}" is not in the configuration.`);
  const headers = {
    'content-type': 'application/json',
    'content-length': String(body.length),
    host: 'bench.execute-api.us-east-1.amazonaws.com',
    'user-agent': 'secops-relay-bench',
    ...authHeaders(settings.auth, senderSecret(config, sourceId), body),
  };
  const now = new Date();
  const path = `/webhooks/${sourceId}`;
  return {
    version: '2.0',
    routeKey: 'POST /webhooks/{source}',
    rawPath: path,
    rawQueryString: '',
    headers,
    pathParameters: { source: sourceId },
    requestContext: {
      accountId: '123456789012',
      apiId: 'bench',
      domainName: headers.host,
      domainPrefix: 'bench',
      http: {
        method: 'POST',
        path,
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: headers['user-agent'],
      },
      requestId: randomUUID(),
      routeKey: 'POST /webhooks/{source}',
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    body: body.toString('utf8'),
    isBase64Encoded: false,
  };
}

/** Builds the SQS event the event source mapping hands the forwarder for a batch of messages. */
export function sqsEvent(messages: readonly DeliveryMessage[]): SQSEvent {
  const now = String(Date.now());
  return {
    Records: messages.map((message) => ({
      messageId: randomUUID(),
      receiptHandle: randomUUID(),
      body: JSON.stringify(message),
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: now,
        SenderId: 'AIDABENCH',
        ApproximateFirstReceiveTimestamp: now,
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:secops-relay-delivery',
      awsRegion: 'us-east-1',
    })),
  };
}
