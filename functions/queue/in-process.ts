import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { formatCount } from '../shared/format-count.ts';
import { matchesFilter, type DeadLetterFilter } from './dead-letter-entry.ts';
import type { DeliveryMessage } from './message.ts';
import type { DeadLetter, DeadLetterQueue, DeliveryQueue } from './queue.ts';

/** One message held by the in-process queue, with the bookkeeping SQS keeps. */
export interface HeldMessage {
  messageId: string;
  body: string;
  receiveCount: number;
  /** Epoch milliseconds from which the message can be received again. */
  visibleAt: number;
}

export interface InProcessQueueOptions {
  /** Receives after which a message goes to the dead-letter queue, as an SQS redrive policy does. */
  maxReceiveCount: number;
  deadLetters: InProcessDeadLetterQueue;
  /** How long a received message stays hidden before it is handed out again, in milliseconds. */
  visibilityTimeoutMs?: number;
  now?: () => number;
}

/**
 * The delivery queue of the local stack, with SQS semantics in memory so the forwarder runs
 * locally as it runs on SQS. A receive hides a message until it is deleted or its visibility
 * timeout ends, and too many receives move it to the dead-letter queue. The queue emits
 * `message` when messages arrive. Its contents are lost when the process ends.
 */
export class InProcessQueue extends EventEmitter implements DeliveryQueue {
  private readonly messages = new Map<string, HeldMessage>();
  private readonly visibilityTimeoutMs: number;
  private readonly now: () => number;

  constructor(private readonly options: InProcessQueueOptions) {
    super();
    this.visibilityTimeoutMs = options.visibilityTimeoutMs ?? 30_000;
    this.now = options.now ?? Date.now;
  }

  async enqueue(messages: DeliveryMessage[]): Promise<void> {
    for (const message of messages) {
      const messageId = randomUUID();
      this.messages.set(messageId, {
        messageId,
        body: JSON.stringify(message),
        receiveCount: 0,
        visibleAt: this.now(),
      });
    }
    if (messages.length > 0) this.emit('message');
  }

  /** Hands out up to `max` visible messages and hides them for the visibility timeout. */
  async receive(max: number): Promise<HeldMessage[]> {
    const now = this.now();
    const received: HeldMessage[] = [];
    for (const held of this.messages.values()) {
      if (received.length === max) break;
      if (held.visibleAt > now) continue;
      if (held.receiveCount >= this.options.maxReceiveCount) {
        await this.moveToDeadLetters(held);
        continue;
      }
      held.receiveCount += 1;
      held.visibleAt = now + this.visibilityTimeoutMs;
      received.push({ ...held });
    }
    return received;
  }

  /** Removes a message once it is handled. */
  delete(messageId: string): void {
    this.messages.delete(messageId);
  }

  /** Makes a received message visible again after `delayMs`, as ChangeMessageVisibility does. */
  release(messageId: string, delayMs: number): void {
    const held = this.messages.get(messageId);
    if (held !== undefined) held.visibleAt = this.now() + delayMs;
  }

  /** Number of messages held, visible or not. */
  get size(): number {
    return this.messages.size;
  }

  /** Epoch milliseconds at which the next hidden message becomes visible, if any. */
  nextVisibleAt(): number | undefined {
    let next: number | undefined;
    for (const held of this.messages.values()) {
      if (next === undefined || held.visibleAt < next) next = held.visibleAt;
    }
    return next;
  }

  private async moveToDeadLetters(held: HeldMessage): Promise<void> {
    this.messages.delete(held.messageId);
    let message: DeliveryMessage | undefined;
    try {
      message = JSON.parse(held.body) as DeliveryMessage;
    } catch {
      message = undefined;
    }
    await this.options.deadLetters.deadLetter({
      ...(message === undefined ? { body: held.body } : { message }),
      reason: 'max_receive_count_exceeded',
      retryable: true,
      detail: `The queue handed the message out ${formatCount(held.receiveCount, 'time')} without a result.`,
      attempts: held.receiveCount,
      failedAt: new Date(this.now()).toISOString(),
    });
  }
}

/** A dead-lettered record with the id an operator uses to find it. */
export interface StoredDeadLetter extends DeadLetter {
  id: string;
}

/** Outcome of a redrive: the entries sent back to the delivery queue, and those it could not send. */
export interface RedriveResult {
  redriven: string[];
  /** Entries that matched but hold no record (`invalid_message`); they stay dead-lettered. */
  skipped: string[];
}

/** The dead-letter queue of the local stack, in memory. */
export class InProcessDeadLetterQueue extends EventEmitter implements DeadLetterQueue {
  private readonly entries: StoredDeadLetter[] = [];

  async deadLetter(entry: DeadLetter): Promise<void> {
    const stored = { id: randomUUID(), ...entry };
    this.entries.push(stored);
    this.emit('dead-letter', stored);
  }

  /** Entries in the order they were dead-lettered, those matching `filter` when it is given. */
  list(filter: DeadLetterFilter = {}): readonly StoredDeadLetter[] {
    return this.entries.filter((entry) => matchesFilter(entry, filter));
  }

  get(id: string): StoredDeadLetter | undefined {
    return this.entries.find((entry) => entry.id === id);
  }

  /**
   * Sends the records of the matching entries (all of `ids` when given, else all that match
   * `filter`) back to the delivery queue and removes those entries. Each record starts
   * again with a receive count of zero.
   */
  async redrive(
    queue: DeliveryQueue,
    select: { filter?: DeadLetterFilter; ids?: readonly string[] },
  ): Promise<RedriveResult> {
    const chosen = this.entries.filter(
      (entry) =>
        (select.ids === undefined || select.ids.includes(entry.id)) &&
        matchesFilter(entry, select.filter ?? {}),
    );
    const withRecord = chosen.filter((entry) => entry.message !== undefined);
    await queue.enqueue(withRecord.map((entry) => entry.message!));
    const redriven = new Set(withRecord.map((entry) => entry.id));
    for (let index = this.entries.length - 1; index >= 0; index--) {
      if (redriven.has(this.entries[index]!.id)) this.entries.splice(index, 1);
    }
    return {
      redriven: [...redriven],
      skipped: chosen.filter((entry) => entry.message === undefined).map((entry) => entry.id),
    };
  }
}
