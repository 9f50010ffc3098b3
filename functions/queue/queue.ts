import type { DeliveryMessage } from './message.ts';

/** Why a record went to the dead-letter queue, with what the instance last answered. */
export interface DeadLetter {
  /** The queued record; absent only when the queue message itself could not be read. */
  message?: DeliveryMessage;
  /** The queue message body as received, set only when it could not be read as a message. */
  body?: string;
  /** Stable error code, such as `mandatory_fields_missing` or `retries_exhausted`. */
  reason: string;
  /** False when the instance rejected the record; true when retries ran out on a transient error. */
  retryable: boolean;
  detail: string;
  attempts: number;
  /** Status and body of the instance's last answer, when there was one. */
  lastResponse?: { status: number; body: string };
  /**
   * True when a POST of the record went unanswered (a timeout or a lost connection), so
   * the instance may hold the record although it is dead-lettered. Check before a redrive.
   */
  possiblyDelivered?: boolean;
  failedAt: string;
}

/** The queue ingest puts records on for the forwarder: SQS in AWS, an in-process queue locally. */
export interface DeliveryQueue {
  /**
   * Enqueues every message, or throws. A queue that sends in several requests, as SQS does,
   * may have enqueued some of the messages when it throws. It then throws an EnqueueError
   * that lists the messages the queue confirmed.
   */
  enqueue(messages: DeliveryMessage[]): Promise<void>;
}

/** A failed enqueue, with the messages the queue accepted before it failed. */
export class EnqueueError extends Error {
  /**
   * Messages the queue confirmed, in the order given. A request that failed without a
   * response may have enqueued more, which are not listed.
   */
  readonly enqueued: readonly DeliveryMessage[];

  constructor(message: string, enqueued: readonly DeliveryMessage[], options?: ErrorOptions) {
    super(message, options);
    this.name = 'EnqueueError';
    this.enqueued = enqueued;
  }
}

/** The queue for records the forwarder cannot deliver. */
export interface DeadLetterQueue {
  deadLetter(entry: DeadLetter): Promise<void>;
}
