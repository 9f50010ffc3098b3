import type { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DeliveryMessage } from '../../functions/queue/message.ts';
import { SqsDeadLetters } from '../../functions/queue/sqs-dead-letters.ts';
import { SqsDeadLetterQueue } from '../../functions/queue/sqs.ts';
import { fakeSqsClient, startFakeSqs } from '../helpers/fake-sqs.ts';

const DLQ_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/relay-dlq';
const DELIVERY_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/relay-delivery';

let sqs: Awaited<ReturnType<typeof startFakeSqs>>;
let client: SQSClient;

function message(deliveryId: string, value: string): DeliveryMessage {
  return {
    version: 1,
    deliveryId,
    recordIndex: 0,
    source: 'generic',
    receivedAt: '2026-03-01T12:00:00.000Z',
    record: {
      kind: 'threat_lookup_result',
      observable: { type: 'domain', value },
      finding: 'Suspicious',
      source: 'Example Feed',
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

beforeEach(async () => {
  sqs.messages.length = 0;
  sqs.sourceQueues.set(DLQ_URL, [DELIVERY_URL]);
  const writer = new SqsDeadLetterQueue(client, DLQ_URL);
  await writer.deadLetter({
    message: message('d-1', 'a.example.net'),
    reason: 'retries_exhausted',
    retryable: true,
    detail: 'Last error (server_error): 503',
    attempts: 5,
    lastResponse: { status: 503, body: '{"status":"failure"}' },
    failedAt: '2026-03-01T12:10:00.000Z',
  });
  await writer.deadLetter({
    message: message('d-2', 'b.example.net'),
    reason: 'mandatory_fields_missing',
    retryable: false,
    detail: 'Mandatory fields missing: report_url',
    attempts: 1,
    failedAt: '2026-03-01T12:11:00.000Z',
  });
  // What SQS's own redrive policy moves: the delivery message itself.
  sqs.messages.push({
    ...sqs.messages[0]!,
    body: JSON.stringify(message('d-3', 'c.example.net')),
    messageId: 'moved-by-sqs',
    attributes: {},
  });
  sqs.messages.push({
    ...sqs.messages[0]!,
    body: 'not json',
    messageId: 'garbage',
    attributes: {},
  });
});

describe('SqsDeadLetters', () => {
  it('lists every entry and makes them visible again', async () => {
    const dlq = new SqsDeadLetters({ client, queueUrl: DLQ_URL });
    const entries = await dlq.list();

    expect(entries.map((entry) => entry.reason).sort()).toEqual([
      'invalid_message',
      'mandatory_fields_missing',
      'max_receive_count_exceeded',
      'retries_exhausted',
    ]);
    expect(entries.find((entry) => entry.id === 'moved-by-sqs')?.message?.deliveryId).toBe('d-3');
    expect(sqs.messages.every((held) => held.visibleAt <= Date.now())).toBe(true);
  });

  it('filters by reason', async () => {
    const dlq = new SqsDeadLetters({ client, queueUrl: DLQ_URL });
    const entries = await dlq.list({ reason: 'retries_exhausted' });
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      attempts: 5,
      lastResponse: { status: 503 },
      message: { deliveryId: 'd-1' },
    });
  });

  it('shows one entry by its message id', async () => {
    const dlq = new SqsDeadLetters({ client, queueUrl: DLQ_URL });
    expect((await dlq.get('moved-by-sqs'))?.reason).toBe('max_receive_count_exceeded');
    expect(await dlq.get('no-such-id')).toBeUndefined();
  });

  it('redrives matching records to the source queue', async () => {
    const dlq = new SqsDeadLetters({ client, queueUrl: DLQ_URL });
    const result = await dlq.redrive({ filter: { retryable: true } });

    expect(result.deliveryQueueUrl).toBe(DELIVERY_URL);
    expect(result.redriven).toHaveLength(2);
    const delivered = sqs.messages
      .filter((held) => held.queueUrl === DELIVERY_URL)
      .map((held) => JSON.parse(held.body) as DeliveryMessage);
    expect(delivered.map((redriven) => redriven.deliveryId).sort()).toEqual(['d-1', 'd-3']);
    const left = await dlq.list();
    expect(left.map((entry) => entry.reason).sort()).toEqual([
      'invalid_message',
      'mandatory_fields_missing',
    ]);
  });

  it('keeps an entry without a record', async () => {
    const dlq = new SqsDeadLetters({ client, queueUrl: DLQ_URL, deliveryQueueUrl: DELIVERY_URL });
    const result = await dlq.redrive({ ids: ['garbage'] });
    expect(result.redriven).toEqual([]);
    expect(result.skipped).toEqual(['garbage']);
    expect(await dlq.list()).toHaveLength(4);
  });

  it('asks for the delivery queue when none names the DLQ', async () => {
    sqs.sourceQueues.set(DLQ_URL, []);
    const dlq = new SqsDeadLetters({ client, queueUrl: DLQ_URL });
    await expect(dlq.redrive({ filter: { reason: 'retries_exhausted' } })).rejects.toThrow(
      '--to-queue-url',
    );
    expect(await dlq.list()).toHaveLength(4);
  });
});
