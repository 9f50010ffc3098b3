import type { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DeliveryMessage } from '../../functions/queue/message.ts';
import { SqsDeadLetterQueue, SqsDeliveryQueue } from '../../functions/queue/sqs.ts';
import { fakeSqsClient, startFakeSqs } from '../helpers/fake-sqs.ts';

let sqs: Awaited<ReturnType<typeof startFakeSqs>>;
let client: SQSClient;
const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/delivery';

function message(recordIndex: number, rawPayload = ''): DeliveryMessage {
  return {
    version: 1,
    deliveryId: 'delivery-7',
    recordIndex,
    source: 'virustotal',
    receivedAt: '2026-03-01T12:00:00.000Z',
    record: {
      kind: 'threat_lookup_result',
      observable: { type: 'ipv4', value: '198.51.100.7' },
      finding: 'Suspicious',
      source: 'VirusTotal',
      ...(rawPayload !== '' && { rawPayload }),
    },
  };
}

beforeAll(async () => {
  sqs = await startFakeSqs();
  client = fakeSqsClient(sqs.endpoint);
});

afterAll(async () => {
  client.destroy();
  await sqs.close();
});

beforeEach(() => {
  sqs.messages.length = 0;
  sqs.calls.length = 0;
  sqs.failIds.clear();
  sqs.rejectIds.clear();
  sqs.failRequests.remaining = 0;
});

describe('SqsDeliveryQueue', () => {
  it('sends messages in batches of ten with their ids as attributes', async () => {
    const messages = Array.from({ length: 23 }, (_, index) => message(index));
    await new SqsDeliveryQueue(client, QUEUE_URL).enqueue(messages);

    expect(sqs.calls).toEqual(['SendMessageBatch', 'SendMessageBatch', 'SendMessageBatch']);
    expect(
      sqs.messages.map((sent) => (JSON.parse(sent.body) as DeliveryMessage).recordIndex),
    ).toEqual(messages.map((sent) => sent.recordIndex));
    expect(sqs.messages[0]?.attributes.deliveryId?.StringValue).toBe('delivery-7');
    expect(sqs.messages[0]?.attributes.kind?.StringValue).toBe('threat_lookup_result');
  });

  it('starts a new batch before the batch would pass 1 MiB', async () => {
    // "é" takes two bytes in UTF-8, so each message is about 198 KB and ten need two batches.
    const big = 'é'.repeat(99_000);
    await new SqsDeliveryQueue(client, QUEUE_URL).enqueue(
      Array.from({ length: 10 }, (_, index) => message(index, big)),
    );
    expect(sqs.calls).toEqual(['SendMessageBatch', 'SendMessageBatch']);
    expect(sqs.messages).toHaveLength(10);
  });

  it('sends failed entries again', async () => {
    sqs.failIds.add('r1');
    await new SqsDeliveryQueue(client, QUEUE_URL).enqueue([message(0), message(1), message(2)]);
    expect(sqs.calls).toEqual(['SendMessageBatch', 'SendMessageBatch']);
    expect(
      sqs.messages.map((sent) => (JSON.parse(sent.body) as DeliveryMessage).recordIndex).sort(),
    ).toEqual([0, 1, 2]);
  });

  it('escapes characters SQS rejects', async () => {
    const sent = message(0, 'a\uFFFEb\uFFFFc');
    await new SqsDeliveryQueue(client, QUEUE_URL).enqueue([sent]);

    const body = sqs.messages[0]!.body;
    expect(body).not.toMatch(/[\uFFFE\uFFFF]/);
    expect(body).toContain('a\\ufffeb\\uffffc');
    expect(JSON.parse(body)).toEqual(sent);
  });

  it('names the messages queued before a failure', async () => {
    sqs.rejectIds.add('r11');
    const enqueued = new SqsDeliveryQueue(client, QUEUE_URL).enqueue(
      Array.from({ length: 12 }, (_, index) => message(index)),
    );

    await expect(enqueued).rejects.toThrow(
      'SQS accepted 11 of 12 messages before it failed: 1 message still failed after 3 attempts: r11',
    );
    expect(sqs.messages).toHaveLength(11);
  });

  it('throws when SQS fails the request', async () => {
    sqs.failRequests.remaining = 1;
    await expect(new SqsDeliveryQueue(client, QUEUE_URL).enqueue([message(0)])).rejects.toThrow();
  });
});

describe('SqsDeadLetterQueue', () => {
  it('escapes characters SQS rejects', async () => {
    const entry = {
      message: message(4, '\uFFFF'),
      reason: 'unable_to_persist',
      retryable: false,
      detail: 'the instance returned "\uFFFE"',
      attempts: 1,
      failedAt: '2026-03-01T12:00:05.000Z',
    } as const;
    await new SqsDeadLetterQueue(client, QUEUE_URL).deadLetter(entry);

    const body = sqs.messages[0]!.body;
    expect(body).not.toMatch(/[\uFFFE\uFFFF]/);
    expect(JSON.parse(body)).toMatchObject(entry);
  });

  it('sends the reason in the body and as attributes', async () => {
    await new SqsDeadLetterQueue(client, QUEUE_URL).deadLetter({
      message: message(3),
      reason: 'mandatory_fields_missing',
      retryable: false,
      detail: 'Mandatory fields missing: finding',
      attempts: 1,
      lastResponse: { status: 400, body: '{"status":"failure"}' },
      failedAt: '2026-03-01T12:00:05.000Z',
    });

    const [sent] = sqs.messages;
    expect(sent?.attributes.reason?.StringValue).toBe('mandatory_fields_missing');
    expect(sent?.attributes.messageId?.StringValue).toBe('delivery-7#3');
    expect(JSON.parse(sent!.body)).toMatchObject({
      reason: 'mandatory_fields_missing',
      attempts: 1,
      lastResponse: { status: 400 },
    });
  });
});
