import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  ListDeadLetterSourceQueuesCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { formatCount } from '../shared/format-count.ts';
import { matchesFilter, parseDeadLetterBody, type DeadLetterFilter } from './dead-letter-entry.ts';
import type { RedriveResult, StoredDeadLetter } from './in-process.ts';
import type { DeadLetter } from './queue.ts';
import { SqsDeliveryQueue } from './sqs.ts';

/** SQS hands out and deletes at most 10 messages per call. */
const MAX_PER_CALL = 10;

/** Empty receives in a row after which the queue counts as read: SQS samples its servers. */
const EMPTY_RECEIVES_TO_STOP = 2;

export interface SqsDeadLettersOptions {
  client: SQSClient;
  /** URL of the dead-letter queue. */
  queueUrl: string;
  /**
   * Target queue of a redrive; by default the one queue whose redrive policy names the
   * dead-letter queue (ListDeadLetterSourceQueues).
   */
  deliveryQueueUrl?: string;
  /** Most messages one command reads; default 10,000. */
  maxMessages?: number;
  /** How long messages stay hidden while a command reads them, in seconds; default 60. */
  browseSeconds?: number;
}

interface HeldEntry {
  entry: StoredDeadLetter;
  receiptHandle: string;
}

/**
 * The dead-letter queue in AWS as an operator sees it: list, show and redrive. SQS has no
 * way to read a queue without receiving its messages, so each command receives them all
 * (hidden from other readers for `browseSeconds`) and makes the ones it keeps visible
 * again at once. The id of an entry is its SQS message id.
 */
export class SqsDeadLetters {
  readonly #client: SQSClient;
  readonly #options: SqsDeadLettersOptions;

  constructor(options: SqsDeadLettersOptions) {
    this.#client = options.client;
    this.#options = options;
  }

  async list(filter: DeadLetterFilter = {}): Promise<StoredDeadLetter[]> {
    const held = await this.#receiveAll();
    await this.#release(held);
    return held.map(({ entry }) => entry).filter((entry) => matchesFilter(entry, filter));
  }

  async get(id: string): Promise<StoredDeadLetter | undefined> {
    const held = await this.#receiveAll();
    await this.#release(held);
    return held.find(({ entry }) => entry.id === id)?.entry;
  }

  /**
   * Sends the records of the chosen entries to the delivery queue, then deletes those
   * entries. A failure between the two leaves an entry in both queues, never in neither.
   */
  async redrive(select: {
    filter?: DeadLetterFilter;
    ids?: readonly string[];
  }): Promise<RedriveResult & { deliveryQueueUrl: string }> {
    const held = await this.#receiveAll();
    const chosen = held.filter(
      ({ entry }) =>
        (select.ids === undefined || select.ids.includes(entry.id)) &&
        matchesFilter(entry, select.filter ?? {}),
    );
    const withRecord = chosen.filter(({ entry }) => entry.message !== undefined);
    const redriven = new Set(withRecord);
    let deleted = false;
    try {
      const deliveryQueueUrl = this.#options.deliveryQueueUrl ?? (await this.#sourceQueue());
      await new SqsDeliveryQueue(this.#client, deliveryQueueUrl).enqueue(
        withRecord.map(({ entry }) => entry.message!),
      );
      await this.#delete(withRecord);
      deleted = true;
      return {
        deliveryQueueUrl,
        redriven: withRecord.map(({ entry }) => entry.id),
        skipped: chosen
          .filter(({ entry }) => entry.message === undefined)
          .map(({ entry }) => entry.id),
      };
    } finally {
      await this.#release(deleted ? held.filter((item) => !redriven.has(item)) : held);
    }
  }

  async #receiveAll(): Promise<HeldEntry[]> {
    const max = this.#options.maxMessages ?? 10_000;
    const held = new Map<string, HeldEntry>();
    let empty = 0;
    while (empty < EMPTY_RECEIVES_TO_STOP && held.size < max) {
      const output = await this.#client.send(
        new ReceiveMessageCommand({
          QueueUrl: this.#options.queueUrl,
          MaxNumberOfMessages: Math.min(MAX_PER_CALL, max - held.size),
          VisibilityTimeout: this.#options.browseSeconds ?? 60,
          WaitTimeSeconds: 0,
          MessageSystemAttributeNames: ['SentTimestamp'],
        }),
      );
      const received = output.Messages ?? [];
      empty = received.length === 0 ? empty + 1 : 0;
      for (const message of received) {
        if (message.MessageId === undefined || message.ReceiptHandle === undefined) continue;
        const sentAt = Number(message.Attributes?.SentTimestamp);
        const entry: DeadLetter = parseDeadLetterBody(
          message.Body ?? '',
          new Date(Number.isFinite(sentAt) ? sentAt : Date.now()).toISOString(),
        );
        held.set(message.MessageId, {
          entry: { id: message.MessageId, ...entry },
          receiptHandle: message.ReceiptHandle,
        });
      }
    }
    return [...held.values()];
  }

  async #release(held: HeldEntry[]): Promise<void> {
    for (let start = 0; start < held.length; start += MAX_PER_CALL) {
      await this.#client.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: this.#options.queueUrl,
          Entries: held.slice(start, start + MAX_PER_CALL).map((item, index) => ({
            Id: `m${index}`,
            ReceiptHandle: item.receiptHandle,
            VisibilityTimeout: 0,
          })),
        }),
      );
    }
  }

  async #delete(held: HeldEntry[]): Promise<void> {
    for (let start = 0; start < held.length; start += MAX_PER_CALL) {
      const output = await this.#client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.#options.queueUrl,
          Entries: held.slice(start, start + MAX_PER_CALL).map((item, index) => ({
            Id: `m${index}`,
            ReceiptHandle: item.receiptHandle,
          })),
        }),
      );
      if ((output.Failed ?? []).length > 0) {
        throw new Error(
          `SQS did not delete ${formatCount(output.Failed!.length, 'redriven entry', 'redriven entries')} from ${this.#options.queueUrl} ` +
            '(their records are on the delivery queue too); run the redrive again to retry.',
        );
      }
    }
  }

  async #sourceQueue(): Promise<string> {
    const output = await this.#client.send(
      new ListDeadLetterSourceQueuesCommand({ QueueUrl: this.#options.queueUrl }),
    );
    const urls = output.queueUrls ?? [];
    if (urls.length !== 1) {
      throw new Error(
        `${urls.length === 0 ? 'No queue names' : `${urls.length} queues name`} ${this.#options.queueUrl} ` +
          'as their dead-letter queue; pass the delivery queue with --to-queue-url.',
      );
    }
    return urls[0]!;
  }
}
