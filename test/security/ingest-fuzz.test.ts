import fc from 'fast-check';
import type {
  APIGatewayProxyEvent,
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
} from 'aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import { LocalSecretStore } from '../../functions/credentials/local.ts';
import { INGEST_ERROR_STATUS } from '../../functions/ingest/errors.ts';
import {
  createIngestHandler,
  EventRejectedError,
  type IngestEvent,
} from '../../functions/ingest/lambda.ts';
import type { DeliveryMessage } from '../../functions/queue/message.ts';
import type { DeliveryQueue } from '../../functions/queue/queue.ts';
import { InMemoryMetrics } from '../../functions/shared/metrics.ts';
import { getSource, SOURCES } from '../../functions/sources/index.ts';
import { localContext } from '../../local/lambda-context.ts';
import { captureLogger } from '../helpers/capture-logger.ts';
import {
  documentedIngestCodes,
  EVENT_SOURCE_IDS,
  mutatedSamples,
  securityConfig,
  signedHeaders,
  sourceSecret,
  WEBHOOK_SOURCE_IDS,
} from './fixtures.ts';

const NUM_RUNS = 100;

class RecordingQueue implements DeliveryQueue {
  readonly messages: DeliveryMessage[] = [];

  async enqueue(messages: DeliveryMessage[]): Promise<void> {
    this.messages.push(...messages);
  }
}

const config = securityConfig();
const documented = documentedIngestCodes();
let queue: RecordingQueue;
let logs: ReturnType<typeof captureLogger>;
let handler: ReturnType<typeof createIngestHandler>;

beforeEach(() => {
  queue = new RecordingQueue();
  logs = captureLogger('ingest-fuzz');
  handler = createIngestHandler(logs.logger, () => ({
    config,
    secrets: new LocalSecretStore(config.local?.secrets ?? {}),
    queue,
    getSource,
    logger: logs.logger,
    metrics: new InMemoryMetrics(),
  }));
});

/** Invokes the handler with a webhook event and checks the response against the error contract. */
async function invokeWebhook(
  event: IngestEvent,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const before = queue.messages.length;
  const result = (await handler(
    event,
    localContext('secops-relay-ingest', 10_000),
  )) as APIGatewayProxyStructuredResultV2;
  const status = result.statusCode ?? 0;
  const body = JSON.parse(result.body ?? '') as Record<string, unknown>;

  if (status === 202) {
    expect(queue.messages.length - before).toBe(body.records);
  } else {
    expect(status).toBeGreaterThanOrEqual(400);
    expect(status).toBeLessThan(500);
    expect(documented.get(String(body.code))).toBe(status);
    expect(typeof body.message).toBe('string');
    expect(typeof body.deliveryId).toBe('string');
    expect(queue.messages.length).toBe(before);
  }
  return { status, body };
}

function httpApiEvent(
  sourceId: string,
  headers: Record<string, string>,
  body: string,
  isBase64Encoded: boolean,
): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: 'POST /webhooks/{source}',
    rawPath: `/webhooks/${sourceId}`,
    rawQueryString: '',
    headers,
    pathParameters: { source: sourceId },
    isBase64Encoded,
    body,
    requestContext: {
      http: { method: 'POST' },
      requestId: 'fuzz',
    } as APIGatewayProxyEventV2['requestContext'],
  };
}

function restApiEvent(
  sourceId: string,
  headers: Record<string, string>,
  body: string,
  isBase64Encoded: boolean,
): APIGatewayProxyEvent {
  return {
    resource: '/webhooks/{source}',
    path: `/webhooks/${sourceId}`,
    httpMethod: 'POST',
    headers,
    multiValueHeaders: Object.fromEntries(
      Object.entries(headers).map(([name, value]) => [name, [value]]),
    ),
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: { source: sourceId },
    stageVariables: null,
    requestContext: { requestId: 'fuzz' } as APIGatewayProxyEvent['requestContext'],
    body,
    isBase64Encoded,
  };
}

/** Bodies from random bytes to sample payloads with a few values changed. */
function bodyFor(sourceId: string): fc.Arbitrary<Buffer> {
  return fc.oneof(
    {
      weight: 3,
      arbitrary: mutatedSamples(sourceId).map((json) => Buffer.from(JSON.stringify(json) ?? '')),
    },
    { weight: 1, arbitrary: fc.jsonValue().map((json) => Buffer.from(JSON.stringify(json))) },
    { weight: 1, arbitrary: fc.string().map((text) => Buffer.from(text)) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)) },
  );
}

const contentType = fc.oneof(
  { weight: 8, arbitrary: fc.constant('application/json') },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'application/json; charset=utf-8',
      'application/vnd.vendor+json',
      'text/plain',
      'application/json, text/plain',
      'application/json; charset=latin1',
      '',
    ),
  },
  { weight: 1, arbitrary: fc.string() },
);

describe('ingest handler on arbitrary webhook requests', () => {
  it.each(WEBHOOK_SOURCE_IDS)('answers %s with 202 or a documented 4xx', async (sourceId) => {
    await fc.assert(
      fc.asyncProperty(
        bodyFor(sourceId),
        contentType,
        fc.boolean(),
        fc.boolean(),
        async (body, type, base64, restApi) => {
          const headers = { ...signedHeaders(config, sourceId, body), 'content-type': type };
          const text = base64 ? body.toString('base64') : body.toString('utf8');
          // A utf8 round trip changes invalid bytes, so only base64 carries them unchanged.
          // The handler's IngestEvent type names only payload 2.0; fromHttpApiEvent reads 1.0 as well.
          const event = (
            restApi
              ? restApiEvent(sourceId, headers, text, base64)
              : httpApiEvent(sourceId, headers, text, base64)
          ) as IngestEvent;

          await invokeWebhook(event);
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });

  it.each(WEBHOOK_SOURCE_IDS)('answers %s with 401 for forged credentials', async (sourceId) => {
    const credentialHeaders = [
      'authorization',
      'x-signature',
      'webhook-id',
      'webhook-timestamp',
      'webhook-signature',
      'x-relay-token',
    ];
    const forged = fc.dictionary(
      fc.oneof(fc.constantFrom(...credentialHeaders), fc.string({ minLength: 1, maxLength: 20 })),
      fc.oneof(
        fc.string(),
        fc.constantFrom(
          'Bearer ',
          'Bearer x',
          'sha256=',
          'v1,',
          'v1,AAAA',
          `Bearer ${sourceSecret(sourceId)}x`,
          String(Math.floor(Date.now() / 1000)),
        ),
        fc.base64String(),
        fc.string({ unit: fc.constantFrom(...'0123456789abcdef') }).map((hex) => `sha256=${hex}`),
      ),
      { maxKeys: 6 },
    );
    await fc.assert(
      fc.asyncProperty(forged, mutatedSamples(sourceId), async (headers, json) => {
        const body = JSON.stringify(json) ?? '';
        const event = httpApiEvent(
          sourceId,
          { 'content-type': 'application/json', ...headers },
          body,
          false,
        );

        const { status } = await invokeWebhook(event);

        // The size limit is checked before authentication, so an oversized forgery gets 413.
        expect(status).toBe(Buffer.byteLength(body) > config.ingest.maxBodyBytes ? 413 : 401);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('answers arbitrary Lambda events without a 5xx', async () => {
    const eventLike = fc.oneof(
      fc.anything(),
      fc.record(
        {
          version: fc.constantFrom('2.0', '1.0', 'x'),
          httpMethod: fc.oneof(fc.constantFrom('POST', 'GET'), fc.anything()),
          rawPath: fc.oneof(
            fc.constantFrom(
              ...WEBHOOK_SOURCE_IDS.map((id) => `/webhooks/${id}`),
              '/webhooks/%E0%A4%A',
              '/',
            ),
            fc.string(),
          ),
          path: fc.string(),
          headers: fc.oneof(
            fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.anything())),
            fc.anything(),
          ),
          multiValueHeaders: fc.oneof(
            fc.dictionary(fc.string(), fc.array(fc.anything())),
            fc.anything(),
          ),
          pathParameters: fc.oneof(
            fc.record({
              source: fc.oneof(
                fc.constantFrom(...WEBHOOK_SOURCE_IDS, '__proto__', 'constructor'),
                fc.anything(),
              ),
            }),
            fc.anything(),
          ),
          requestContext: fc.anything(),
          isBase64Encoded: fc.oneof(fc.boolean(), fc.anything()),
          body: fc.oneof(fc.string(), fc.base64String(), fc.anything()),
        },
        { requiredKeys: [] },
      ),
    );
    await fc.assert(
      fc.asyncProperty(eventLike, async (event) => {
        try {
          await invokeWebhook(event as IngestEvent);
        } catch (error) {
          // An object shaped like an EventBridge event takes the event path, which throws its rejections by design.
          expect(error).toBeInstanceOf(EventRejectedError);
          expect((error as EventRejectedError).result.status).toBeLessThan(500);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe.runIf(EVENT_SOURCE_IDS.length > 0)(
  'ingest handler on arbitrary EventBridge events',
  () => {
    it.each(EVENT_SOURCE_IDS)(
      'accepts %s or rejects it with a documented 4xx',
      async (sourceId) => {
        const match = SOURCES[sourceId]!.eventBridge!;
        const detail = fc.oneof(
          {
            weight: 3,
            arbitrary: mutatedSamples(sourceId).map((sample) =>
              typeof sample === 'object' && sample !== null && 'detail' in sample
                ? sample.detail
                : sample,
            ),
          },
          { weight: 1, arbitrary: fc.jsonValue() },
        );
        await fc.assert(
          fc.asyncProperty(
            fc.constantFrom(...match.sources),
            fc.constantFrom(...match.detailTypes),
            detail,
            async (source, detailType, value) => {
              const event = {
                version: '0',
                id: 'fuzz-event',
                'detail-type': detailType,
                source,
                account: '123456789012',
                time: '2026-01-01T00:00:00Z',
                region: 'eu-west-1',
                resources: [],
                detail: value,
              };
              const before = queue.messages.length;

              try {
                const body = (await handler(
                  event,
                  localContext('secops-relay-ingest', 10_000),
                )) as Record<string, unknown>;
                expect(queue.messages.length - before).toBe(body.records);
              } catch (error) {
                expect(error).toBeInstanceOf(EventRejectedError);
                const { status, body } = (error as EventRejectedError).result;
                expect(status).toBeGreaterThanOrEqual(400);
                expect(status).toBeLessThan(500);
                expect(documented.get(String(body.code))).toBe(status);
                expect(queue.messages.length).toBe(before);
              }
            },
          ),
          { numRuns: NUM_RUNS },
        );
      },
    );
  },
);

describe('ingest error codes', () => {
  it('are all documented with their status', () => {
    expect(Object.fromEntries(documented)).toEqual(INGEST_ERROR_STATUS);
  });
});
