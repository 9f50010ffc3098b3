import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { HeldMessage, InProcessQueue } from '../functions/queue/in-process.ts';
import { localContext } from './lambda-context.ts';

type ForwardHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

export interface LocalForwarderOptions {
  queue: InProcessQueue;
  handler: ForwardHandler;
  logger: Logger;
  /** Messages per invocation, as the SQS event source's batch size. */
  batchSize?: number;
  /** Time limit of one invocation, as the deployed forward function's timeout. */
  functionTimeoutMs?: number;
  /** Wait before a failed message is handed out again, per receive so far; doubles each time. */
  retryDelayMs?: number;
  /** Maximum wait before a failed message is handed out again. */
  maxRetryDelayMs?: number;
}

/**
 * Plays the part of the SQS event source mapping for the local stack. It receives batches
 * from the in-process queue and invokes the forward handler with an SQS event. Then it
 * deletes the messages the handler finished and hands failed ones out again after a backoff.
 */
export class LocalForwarder {
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  /** Set when messages arrived since the last receive, so idle() does not sleep past them. */
  private arrived = false;

  constructor(private readonly options: LocalForwarderOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.options.queue.on('message', this.onMessage);
    this.loop = this.run();
  }

  /** Stops after the batch in progress, if any. */
  async stop(): Promise<void> {
    this.running = false;
    this.options.queue.off('message', this.onMessage);
    this.wake?.();
    await this.loop;
  }

  private readonly onMessage = () => {
    this.arrived = true;
    this.wake?.();
  };

  private async run(): Promise<void> {
    const batchSize = this.options.batchSize ?? 10;
    while (this.running) {
      this.arrived = false;
      const batch = await this.options.queue.receive(batchSize);
      if (batch.length === 0) {
        await this.idle();
        continue;
      }
      await this.invoke(batch);
    }
  }

  private async invoke(batch: HeldMessage[]): Promise<void> {
    const { queue, handler, logger } = this.options;
    let failed: Set<string>;
    try {
      const response = await handler(
        { Records: batch.map(toSqsRecord) },
        localContext('secops-relay-forward', this.options.functionTimeoutMs ?? 60_000),
      );
      failed = new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier));
    } catch (error) {
      // A handler that throws fails the whole batch, as the SQS event source treats it.
      logger.error('Forward handler failed; the whole batch will be retried', {
        error: error as Error,
        messages: batch.length,
      });
      failed = new Set(batch.map((held) => held.messageId));
    }

    for (const held of batch) {
      if (!failed.has(held.messageId)) {
        queue.delete(held.messageId);
        continue;
      }
      const base = this.options.retryDelayMs ?? 1_000;
      const delay = Math.min(this.options.maxRetryDelayMs ?? 30_000, base * 2 ** (held.receiveCount - 1));
      queue.release(held.messageId, delay);
    }
  }

  /** Waits for a new message or for the next hidden message to become visible. */
  private async idle(): Promise<void> {
    if (this.arrived || !this.running) return;
    const next = this.options.queue.nextVisibleAt();
    const waitMs = next === undefined ? 60_000 : Math.max(10, next - Date.now());
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, waitMs);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wake = undefined;
  }
}

function toSqsRecord(held: HeldMessage): SQSRecord {
  return {
    messageId: held.messageId,
    receiptHandle: held.messageId,
    body: held.body,
    attributes: {
      ApproximateReceiveCount: String(held.receiveCount),
      SentTimestamp: String(Date.now()),
      SenderId: 'local',
      ApproximateFirstReceiveTimestamp: String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:local:000000000000:secops-relay-delivery',
    awsRegion: 'local',
  };
}
