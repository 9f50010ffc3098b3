import type { Logger } from '@aws-lambda-powertools/logger';
import type { RelayConfig } from '../config/schema.ts';
import { deliveryMessageSchema, messageId, type DeliveryMessage } from '../queue/message.ts';
import type { DeadLetter, DeadLetterQueue } from '../queue/queue.ts';
import type { RelayRecord } from '../records/record.ts';
import { SecretError } from '../credentials/secret-store.ts';
import { SecOpsError } from '../secops/errors.ts';
import type { RelayMetrics } from '../shared/metrics.ts';

/** One queue message as the forwarder receives it, from SQS or from the local queue. */
export interface ReceivedMessage {
  /** The queue's id for the message; named in `batchItemFailures`. */
  messageId: string;
  body: string;
  /** How many times the queue has handed out this message, this time included. */
  receiveCount: number;
}

/** What the forwarder needs from the SecOps API client. */
export interface RecordSender {
  create(
    record: RelayRecord,
    options: { deadline: number; log?: Record<string, unknown> },
  ): Promise<{ table: string; sysId?: string; attempts: number; status: number }>;
}

export interface ForwardDependencies {
  config: RelayConfig;
  sender: RecordSender;
  deadLetters: DeadLetterQueue;
  logger: Logger;
  metrics: RelayMetrics;
  now?: () => Date;
}

export interface ForwardResult {
  /** Messages to hand out again later: the SQS partial batch response. */
  batchItemFailures: { itemIdentifier: string }[];
}

/** Records posted at the same time within one batch; the SQS event source's concurrency caps the rest. */
const CONCURRENT_POSTS = 4;

/**
 * Delivers a batch of queued records and sorts each outcome:
 * - delivered: the message is done;
 * - rejected by the instance (permanent error): dead-lettered at once with the reason;
 * - any other error: returned in `batchItemFailures`, so the queue hands the message out
 *   again after its visibility timeout. After `delivery.maxReceiveCount` receives the
 *   forwarder dead-letters it itself with the last error (`retries_exhausted`);
 * - a message that cannot be read: dead-lettered as `invalid_message`.
 * A message whose dead-lettering fails is returned as a batch failure, so it is never lost.
 */
export async function forwardBatch(
  messages: readonly ReceivedMessage[],
  deadline: number,
  deps: ForwardDependencies,
): Promise<ForwardResult> {
  const failures: { itemIdentifier: string }[] = [];
  let next = 0;
  const worker = async () => {
    while (next < messages.length) {
      const received = messages[next++]!;
      const delivered = await forwardOne(received, deadline, deps);
      if (!delivered) failures.push({ itemIdentifier: received.messageId });
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENT_POSTS, messages.length) }, worker));
  return { batchItemFailures: failures };
}

/** Returns true when the message is finished with (delivered or dead-lettered). */
async function forwardOne(
  received: ReceivedMessage,
  deadline: number,
  deps: ForwardDependencies,
): Promise<boolean> {
  const message = parseMessage(received.body);
  if (message === undefined) {
    deps.logger.error('Queue message is not a delivery message', {
      queueMessageId: received.messageId,
    });
    return deadLetter(deps, received, {
      body: received.body,
      reason: 'invalid_message',
      retryable: false,
      detail: 'The queue message is not a SecOps Relay delivery message (version 1).',
      attempts: received.receiveCount,
    });
  }

  const log = {
    deliveryId: message.deliveryId,
    recordIndex: message.recordIndex,
    source: message.source,
    kind: message.record.kind,
    table: deps.config.records[message.record.kind].table,
    receiveCount: received.receiveCount,
  };

  try {
    const result = await deps.sender.create(message.record, { deadline, log });
    deps.metrics.count('RecordsDelivered', message.source);
    deps.logger.info('Record delivered', { ...log, sysId: result.sysId, attempts: result.attempts });
    return true;
  } catch (error) {
    const failure = classify(error);
    if (!failure.retryable) {
      deps.logger.error('Instance rejected the record; dead-lettering it', {
        ...log,
        code: failure.code,
        status: failure.status,
      });
      return deadLetter(deps, received, {
        message,
        reason: failure.code,
        retryable: false,
        detail: failure.detail,
        attempts: failure.attempts ?? received.receiveCount,
        lastResponse: failure.lastResponse,
      });
    }

    if (received.receiveCount >= deps.config.delivery.maxReceiveCount) {
      deps.logger.error('Retries spent; dead-lettering the record', {
        ...log,
        code: failure.code,
        status: failure.status,
        error: error as Error,
      });
      return deadLetter(deps, received, {
        message,
        reason: 'retries_exhausted',
        retryable: true,
        detail: `Last error (${failure.code}): ${failure.detail}`,
        attempts: received.receiveCount,
        lastResponse: failure.lastResponse,
      });
    }

    deps.logger.warn('Record not delivered yet; the queue will retry it', {
      ...log,
      code: failure.code,
      status: failure.status,
      attempts: failure.attempts,
      ...(failure.unexpected && { error: error as Error }),
    });
    deps.metrics.count('RecordsRetried', message.source);
    return false;
  }
}

interface Failure {
  code: string;
  retryable: boolean;
  detail: string;
  unexpected: boolean;
  status?: number;
  attempts?: number;
  lastResponse?: DeadLetter['lastResponse'];
}

/**
 * Sorts a delivery error. Only the instance's own rejections are permanent. An unreadable
 * instance secret is retried, because an operator can fix it while the record waits, and so
 * is an unexpected error, which the queue's receive limit bounds.
 */
function classify(error: unknown): Failure {
  if (error instanceof SecOpsError) {
    return {
      code: error.code,
      retryable: error.retryable,
      detail: error.message,
      unexpected: false,
      status: error.status,
      attempts: error.attempts,
      lastResponse: error.lastResponse,
    };
  }
  if (error instanceof SecretError) {
    return { code: error.code, retryable: true, detail: error.message, unexpected: false };
  }
  return {
    code: 'internal_error',
    retryable: true,
    detail: error instanceof Error ? error.message : String(error),
    unexpected: true,
  };
}

/**
 * Reads a queue message: a delivery message, or a dead-letter entry that an operator moved
 * back to the delivery queue (SQS redrive), whose record is delivered again.
 */
function parseMessage(body: string): DeliveryMessage | undefined {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return undefined;
  }
  const direct = deliveryMessageSchema.safeParse(json);
  if (direct.success) return direct.data;
  if (typeof json === 'object' && json !== null && 'reason' in json && 'message' in json) {
    const redriven = deliveryMessageSchema.safeParse(json.message);
    if (redriven.success) return redriven.data;
  }
  return undefined;
}

async function deadLetter(
  deps: ForwardDependencies,
  received: ReceivedMessage,
  entry: Omit<DeadLetter, 'failedAt'>,
): Promise<boolean> {
  const source = entry.message?.source ?? 'unknown';
  try {
    await deps.deadLetters.deadLetter({
      ...entry,
      failedAt: (deps.now?.() ?? new Date()).toISOString(),
    });
    deps.metrics.count('RecordsDeadLettered', source);
    return true;
  } catch (error) {
    deps.logger.error('Dead-letter queue failed; the queue will hand the record out again', {
      queueMessageId: received.messageId,
      messageId: entry.message === undefined ? undefined : messageId(entry.message),
      reason: entry.reason,
      error: error as Error,
    });
    return false;
  }
}
