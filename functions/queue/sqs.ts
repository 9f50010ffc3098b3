import {
  SendMessageBatchCommand,
  SendMessageCommand,
  type SendMessageBatchRequestEntry,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { formatCount } from '../shared/format-count.ts';
import { messageId, serializeMessage, toQueueJson, type DeliveryMessage } from './message.ts';
import {
  EnqueueError,
  type DeadLetter,
  type DeadLetterQueue,
  type DeliveryQueue,
} from './queue.ts';

/** SQS takes at most 10 messages and 1 MiB in one SendMessageBatch call. */
const MAX_BATCH_ENTRIES = 10;
const MAX_BATCH_BYTES = 1_048_576;

/** Times a batch is sent again for the entries SQS reported as failed, before giving up. */
const MAX_BATCH_RETRIES = 2;

/** The delivery queue in AWS. */
export class SqsDeliveryQueue implements DeliveryQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  /**
   * Sends all messages in batches and sends the entries SQS reports as failed again. When
   * some still fail, or a request fails, it throws, so ingest returns 503 and the sender
   * retries. Messages SQS accepted before the failure stay queued, and the EnqueueError
   * lists them, so that ingest can remember them and a resend does not queue them again.
   */
  async enqueue(messages: DeliveryMessage[]): Promise<void> {
    const accepted = new Set<string>();
    const failure = (problem: string, cause?: unknown) =>
      new EnqueueError(
        `SQS accepted ${accepted.size} of ${messages.length} messages before it failed: ${problem}`,
        messages.filter((_message, position) => accepted.has(entryId(position))),
        cause === undefined ? undefined : { cause },
      );

    for (const batch of toBatches(messages)) {
      let pending = batch;
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > MAX_BATCH_RETRIES) {
          throw failure(
            `${formatCount(pending.length, 'message')} still failed after ${formatCount(attempt, 'attempt')}: ` +
              pending.map((entry) => entry.Id).join(', '),
          );
        }
        let output;
        try {
          output = await this.client.send(
            new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: pending }),
          );
        } catch (error) {
          // A request that failed without a response may still have queued its entries, which are not counted.
          throw failure(`SendMessageBatch failed: ${(error as Error).message}`, error);
        }
        const failedIds = new Set((output.Failed ?? []).map((entry) => entry.Id));
        for (const entry of pending) if (!failedIds.has(entry.Id)) accepted.add(entry.Id!);
        pending = pending.filter((entry) => failedIds.has(entry.Id));
      }
    }
  }
}

/** Returns the batch entry id of the message at `position` of one enqueue call. */
function entryId(position: number): string {
  return `r${position}`;
}

function toBatches(messages: DeliveryMessage[]): SendMessageBatchRequestEntry[][] {
  const batches: SendMessageBatchRequestEntry[][] = [];
  let current: SendMessageBatchRequestEntry[] = [];
  let currentBytes = 0;
  for (const [position, message] of messages.entries()) {
    const body = serializeMessage(message);
    const bytes = Buffer.byteLength(body);
    if (current.length === MAX_BATCH_ENTRIES || currentBytes + bytes > MAX_BATCH_BYTES) {
      batches.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push({
      // Batch entry ids allow only letters, digits, hyphens and underscores, and must differ
      // within a batch, which record indexes do not when a redrive sends several deliveries.
      Id: entryId(position),
      MessageBody: body,
      MessageAttributes: {
        deliveryId: { DataType: 'String', StringValue: message.deliveryId },
        source: { DataType: 'String', StringValue: message.source },
        kind: { DataType: 'String', StringValue: message.record.kind },
      },
    });
    currentBytes += bytes;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** The dead-letter queue in AWS; the reason travels in the body and as message attributes. */
export class SqsDeadLetterQueue implements DeadLetterQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async deadLetter(entry: DeadLetter): Promise<void> {
    const attributes: Record<string, { DataType: string; StringValue: string }> = {
      reason: { DataType: 'String', StringValue: entry.reason },
      retryable: { DataType: 'String', StringValue: String(entry.retryable) },
    };
    if (entry.message !== undefined) {
      attributes.deliveryId = { DataType: 'String', StringValue: entry.message.deliveryId };
      attributes.source = { DataType: 'String', StringValue: entry.message.source };
      attributes.messageId = { DataType: 'String', StringValue: messageId(entry.message) };
    }
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: toQueueJson(entry),
        MessageAttributes: attributes,
      }),
    );
  }
}
