import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { DEFAULT_FORWARD_BATCH_SIZE } from '../functions/config/schema.ts';
import type { HeldMessage, InProcessQueue } from '../functions/queue/in-process.ts';
import { localContext } from './lambda-context.ts';

type ForwardHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

export interface LocalForwarderOptions {
  queue: InProcessQueue;
  handler: ForwardHandler;
  logger: Logger;
  /** Messages per invocation, as the SQS event source's batch size; default DEFAULT_FORWARD_BATCH_SIZE. */
  batchSize?: number;
  /**
   * Invocations that may run at once, as the SQS event source's maximum concurrency
   * (`deployment.forward.maxConcurrency`); default 1.
   */
  maxConcurrency?: number;
  /** Time limit of one invocation, as the deployed forward function's timeout. */
  functionTimeoutMs?: number;
  /** The forward function's memory size, as `deployment.forward.memorySizeMb`, for its context. */
  memorySizeMb?: number;
  /** Wait before a failed message is handed out again, per receive so far; doubles each time. */
  retryDelayMs?: number;
  /** Maximum wait before a failed message is handed out again. */
  maxRetryDelayMs?: number;
  /**
   * Shortest wait before failed messages are handed out again, asked after each
   * invocation, such as the time until the instance's circuit lets a probe through.
   */
  minimumRetryDelayMs?: () => number;
}

/** Time `stop` allows past an invocation's function timeout for the handler to return its result. */
const STOP_GRACE_MS = 1_000;

/**
 * Plays the part of the SQS event source mapping for the local stack. Up to
 * `maxConcurrency` pollers each receive a batch from the in-process queue and invoke the
 * forward handler with an SQS event. Then they delete the messages the handler finished
 * and hand failed ones out again after a backoff, which replaces SQS's visibility timeout.
 */
export class LocalForwarder {
  private running = false;
  private pollers: Promise<void>[] = [];
  private readonly wakers = new Set<() => void>();
  /** Counts message arrivals, so a poller does not sleep past messages that came during its receive. */
  private arrivals = 0;
  private inFlight = 0;
  /** Function timeouts of the invocations running now, in epoch milliseconds. */
  private readonly invocationTimeouts = new Set<{ at: number }>();
  /** Maximum number of invocations that ran at the same time since the start. */
  peakConcurrency = 0;
  /** Invocations since the start. */
  invocations = 0;

  constructor(private readonly options: LocalForwarderOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.options.queue.on('message', this.onMessage);
    const pollers = Math.max(1, this.options.maxConcurrency ?? 1);
    this.pollers = Array.from({ length: pollers }, () => this.poll());
  }

  /**
   * Stops after the batches in progress, waiting at most `maxStopWaitMs()`. An invocation
   * still running then is left behind with a warning, as Lambda ends one at its timeout.
   */
  async stop(): Promise<void> {
    this.running = false;
    this.options.queue.off('message', this.onMessage);
    for (const wake of this.wakers) wake();

    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), Math.max(this.maxStopWaitMs(), STOP_GRACE_MS));
    });
    const finished = await Promise.race([Promise.all(this.pollers).then(() => true), timedOut]);
    clearTimeout(timer);
    if (!finished) {
      this.options.logger.warn(
        'Forward invocation still running past its timeout; stopped without it',
        {
          invocations: this.inFlight,
        },
      );
    }
  }

  /** Number of invocations running now. */
  get busy(): number {
    return this.inFlight;
  }

  /**
   * Returns the longest time `stop` waits, in milliseconds: until the invocations running now
   * reach their function timeout, plus a second for their results. Returns 0 when none runs.
   */
  maxStopWaitMs(): number {
    if (this.invocationTimeouts.size === 0) return 0;
    const latest = Math.max(...[...this.invocationTimeouts].map((timeout) => timeout.at));
    return Math.max(0, latest - Date.now()) + STOP_GRACE_MS;
  }

  private get functionTimeoutMs(): number {
    return this.options.functionTimeoutMs ?? 60_000;
  }

  private readonly onMessage = () => {
    this.arrivals += 1;
    for (const wake of this.wakers) wake();
  };

  private async poll(): Promise<void> {
    const batchSize = this.options.batchSize ?? DEFAULT_FORWARD_BATCH_SIZE;
    while (this.running) {
      const arrivalsBefore = this.arrivals;
      const batch = await this.options.queue.receive(batchSize);
      if (batch.length === 0) {
        await this.idle(arrivalsBefore);
        continue;
      }
      if (!this.running) {
        // Stopped during the receive: an invocation now would outlast the time stop() allows.
        for (const held of batch) this.options.queue.release(held.messageId, 0);
        return;
      }
      const timeout = { at: Date.now() + this.functionTimeoutMs };
      this.inFlight += 1;
      this.invocationTimeouts.add(timeout);
      this.invocations += 1;
      this.peakConcurrency = Math.max(this.peakConcurrency, this.inFlight);
      try {
        await this.invoke(batch);
      } finally {
        this.inFlight -= 1;
        this.invocationTimeouts.delete(timeout);
      }
    }
  }

  private async invoke(batch: HeldMessage[]): Promise<void> {
    const { queue, handler, logger } = this.options;
    let failed: Set<string>;
    try {
      const response = await handler(
        { Records: batch.map(toSqsRecord) },
        localContext('secops-relay-forward', this.functionTimeoutMs, this.options.memorySizeMb),
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

    const floor = this.options.minimumRetryDelayMs?.() ?? 0;
    for (const held of batch) {
      if (!failed.has(held.messageId)) {
        queue.delete(held.messageId);
        continue;
      }
      const base = this.options.retryDelayMs ?? 1_000;
      const backoff = Math.min(
        this.options.maxRetryDelayMs ?? 30_000,
        base * 2 ** (held.receiveCount - 1),
      );
      queue.release(held.messageId, Math.max(floor, backoff));
    }
  }

  /** Waits for a new message or for the next hidden message to become visible. */
  private async idle(arrivalsBefore: number): Promise<void> {
    if (this.arrivals !== arrivalsBefore || !this.running) return;
    const next = this.options.queue.nextVisibleAt();
    const waitMs = next === undefined ? 60_000 : Math.max(10, next - Date.now());
    await new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, waitMs);
      this.wakers.add(wake);
    });
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
