import type { Logger } from '@aws-lambda-powertools/logger';
import type { RelayConfig } from '../config/schema.ts';
import {
  deliveryMessageSchema,
  idsInBody,
  messageId,
  type DeliveryMessage,
} from '../queue/message.ts';
import type { DeadLetter, DeadLetterQueue } from '../queue/queue.ts';
import type { DedupeStore } from '../dedupe/store.ts';
import type { RelayRecord } from '../records/record.ts';
import type { CircuitBreaker } from '../secops/circuit-breaker.ts';
import type { UnansweredTally } from '../secops/http.ts';
import type { RelayMetrics } from '../shared/metrics.ts';
import { isJsonObject } from '../shared/json.ts';
import { formatPath } from '../shared/json-path.ts';
import { classifyFailure, type Failure } from './failure.ts';
import { countUnansweredPosts } from './unanswered-posts.ts';

/** One queue message as the forwarder receives it, from SQS or from the local queue. */
export interface ReceivedMessage {
  /** The queue's id for the message; named in `batchItemFailures`. */
  messageId: string;
  body: string;
  /** How many times the queue has handed out this message, this time included. */
  receiveCount: number;
}

/** The part of the SecOps API client the forwarder uses. */
export interface RecordSender {
  create(
    record: RelayRecord,
    options: { deadline: number; log?: Record<string, unknown>; unanswered?: UnansweredTally },
  ): Promise<{ table: string; sysId?: string; attempts: number; status: number }>;
}

export interface ForwardDependencies {
  config: RelayConfig;
  sender: RecordSender;
  deadLetters: DeadLetterQueue;
  logger: Logger;
  metrics: RelayMetrics;
  now?: () => Date;
  /** The instance's circuit breaker, opened at once when the instance keeps rejecting the credentials. */
  breaker?: CircuitBreaker;
  /**
   * Store of the records whose POST went unanswered, so that a later receive that
   * delivers one counts it as a possible duplicate.
   */
  unansweredPosts?: { store: DedupeStore; ttlSeconds: number };
  sleep?: (ms: number) => Promise<void>;
}

export interface ForwardResult {
  /** Messages to hand out again later: the SQS partial batch response. */
  batchItemFailures: { itemIdentifier: string }[];
}

/**
 * Records posted at the same time within one batch; the SQS event source's concurrency caps
 * the rest. The default `deployment.forward.batchSize` is a multiple of it.
 */
export const CONCURRENT_POSTS = 4;

/**
 * Delivers a batch of queued records and sorts each outcome:
 * - delivered: the message is done;
 * - rejected by the instance (permanent error): dead-lettered at once with the reason;
 * - any other error: returned in `batchItemFailures`, so the queue hands the message out
 *   again after its visibility timeout. After `delivery.maxReceiveCount` receives the
 *   forwarder dead-letters it itself with the last error (`retries_exhausted`);
 * - while the instance's circuit is open, records wait for the next probe if it comes
 *   before the deadline, and are returned without a request otherwise;
 * - a message that cannot be read: dead-lettered as `invalid_message`.
 * A message whose dead-lettering fails is returned as a batch failure, so it is never lost.
 */
export async function forwardBatch(
  messages: readonly ReceivedMessage[],
  deadline: number,
  deps: ForwardDependencies,
): Promise<ForwardResult> {
  const failures: { itemIdentifier: string }[] = [];
  const delivered: DeliveredRecord[] = [];
  let next = 0;
  const worker = async () => {
    while (next < messages.length) {
      const received = messages[next++]!;
      // Awaiting only an open circuit spares every record of a healthy batch a promise.
      if ((deps.breaker?.waitMs() ?? 0) > 0) await waitForClosedCircuit(deadline, deps);
      const outcome = await forwardOne(received, deadline, deps);
      if (outcome === false) failures.push({ itemIdentifier: received.messageId });
      else if (outcome !== true) delivered.push(outcome);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENT_POSTS, messages.length) }, worker));
  // One line names every record the batch delivered, so a batch of eight writes one line, not
  // eight, which saves CPU time per record and CloudWatch Logs volume alike.
  if (delivered.length > 0) {
    deps.logger.info('Records delivered', { count: delivered.length, records: delivered });
  }
  return { batchItemFailures: failures };
}

/** A delivered record as the batch's log line names it. */
interface DeliveredRecord {
  deliveryId: string;
  recordIndex: number;
  source: string;
  table: string;
  sysId?: string;
  attempts: number;
}

/** Maximum single sleep while the circuit is open, so a closed circuit is noticed soon. */
const CIRCUIT_POLL_MS = 250;

/**
 * Waits while the instance's circuit is open, as long as a request still fits before the
 * deadline afterwards. Holding the batch keeps the event source, which runs at most
 * `maxConcurrency` invocations, from receiving and returning the rest of the backlog,
 * which would spend a receive of every waiting record. When the wait does not fit, the
 * record goes back to the queue without a request.
 */
async function waitForClosedCircuit(deadline: number, deps: ForwardDependencies): Promise<void> {
  const breaker = deps.breaker;
  if (breaker === undefined) return;
  const sleep =
    deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const now = () => deps.now?.().getTime() ?? Date.now();
  for (;;) {
    const waitMs = breaker.waitMs();
    if (waitMs === 0 || now() + waitMs + deps.config.instance.requestTimeoutMs > deadline) return;
    await sleep(Math.min(waitMs, CIRCUIT_POLL_MS));
  }
}

/**
 * Returns the record when it was delivered, true when the message is otherwise finished
 * with (dead-lettered), and false when the queue must hand it out again.
 */
async function forwardOne(
  received: ReceivedMessage,
  deadline: number,
  deps: ForwardDependencies,
): Promise<DeliveredRecord | boolean> {
  const parsed = parseMessage(received.body);
  if ('problem' in parsed) {
    deps.logger.error('Queue message is not a delivery message', {
      queueMessageId: received.messageId,
      ...idsInBody(received.body),
      problem: parsed.problem,
    });
    return deadLetter(deps, received, {
      body: received.body,
      reason: 'invalid_message',
      retryable: false,
      detail: `The queue message is not a SecOps Relay delivery message (version 1): ${parsed.problem}`,
      attempts: received.receiveCount,
    });
  }
  const message = parsed.message;

  const log = {
    deliveryId: message.deliveryId,
    recordIndex: message.recordIndex,
    source: message.source,
    kind: message.record.kind,
    table: deps.config.records[message.record.kind].table,
    receiveCount: received.receiveCount,
  };

  const outcome = await countUnansweredPosts((unanswered) =>
    deps.sender.create(message.record, { deadline, log, unanswered }),
  );
  // Only a record received before can have an unanswered POST in the store.
  const unansweredBefore =
    outcome.unanswered > 0 ||
    (received.receiveCount > 1 && (await wasUnansweredBefore(message, deps)));

  if (outcome.ok) {
    deps.metrics.count('RecordsDelivered', message.source);
    if (unansweredBefore) {
      // The SecOps API takes no idempotency key, so an unanswered POST may have stored the record already.
      deps.metrics.count('PossibleDuplicates', message.source);
      deps.logger.warn('Possible duplicate created by a retried POST after a timeout', {
        ...log,
        sysId: outcome.value.sysId,
        unansweredPosts: outcome.unanswered,
      });
    }
    return {
      deliveryId: message.deliveryId,
      recordIndex: message.recordIndex,
      source: message.source,
      table: log.table,
      sysId: outcome.value.sysId,
      attempts: outcome.value.attempts,
    };
  }

  const error = outcome.error;
  const failure = explainOpenCircuit(classifyFailure(error), deps.breaker);
  if (outcome.unanswered > 0) await rememberUnanswered(message, deps);
  if (failure.code === 'unauthorized') deps.breaker?.trip('unauthorized');

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
      ...(unansweredBefore && { possiblyDelivered: true }),
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
      ...(unansweredBefore && { possiblyDelivered: true }),
    });
  }

  if (failure.code === 'circuit_open') {
    deps.metrics.count('CircuitOpenReturns', message.source);
    deps.logger.info('Instance circuit is open; the queue will retry the record', log);
    return false;
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

/** The last failure the instance itself returned, per breaker, to explain an open circuit. */
const lastInstanceFailure = new WeakMap<CircuitBreaker, Failure>();

/**
 * Adds the instance's own last failure to a `circuit_open` failure, so that a record
 * dead-lettered while the circuit is open names what the instance returned. Other
 * failures are noted as that last failure and returned unchanged.
 */
function explainOpenCircuit(failure: Failure, breaker: CircuitBreaker | undefined): Failure {
  if (breaker === undefined) return failure;
  if (failure.code !== 'circuit_open') {
    const fromInstance = !failure.unexpected && !failure.code.startsWith('secret_');
    if (failure.retryable && fromInstance) lastInstanceFailure.set(breaker, failure);
    return failure;
  }
  const last = lastInstanceFailure.get(breaker);
  // A failure that names the record's own last request already contains the instance's response.
  if (last === undefined || failure.lastResponse !== undefined) return failure;
  return {
    ...failure,
    detail: `${failure.detail}. The instance's last failure (${last.code}): ${last.detail}`,
    lastResponse: last.lastResponse,
  };
}

/** Key under which the forwarder remembers that a POST of this record went unanswered. */
export function unansweredKey(message: DeliveryMessage): string {
  return `unanswered#${messageId(message)}`;
}

/** True when the store notes that a POST of this record went unanswered in an earlier receive. */
async function wasUnansweredBefore(
  message: DeliveryMessage,
  deps: ForwardDependencies,
): Promise<boolean> {
  const journal = deps.unansweredPosts;
  if (journal === undefined) return false;
  try {
    const key = unansweredKey(message);
    return (await journal.store.findSeen([key])).has(key);
  } catch (error) {
    deps.logger.warn('Could not read whether an earlier POST of the record went unanswered', {
      messageId: messageId(message),
      error: error as Error,
    });
    return false;
  }
}

async function rememberUnanswered(message: DeliveryMessage, deps: ForwardDependencies) {
  const journal = deps.unansweredPosts;
  if (journal === undefined) return;
  try {
    await journal.store.remember(
      [unansweredKey(message)],
      { deliveryId: message.deliveryId },
      journal.ttlSeconds,
    );
  } catch (error) {
    deps.logger.warn('Could not remember that a POST of the record went unanswered', {
      messageId: messageId(message),
      error: error as Error,
    });
  }
}

/** Maximum number of schema issues listed in the dead letter of an unreadable message. */
const MAX_LISTED_ISSUES = 3;

/**
 * Reads a queue message: a delivery message, or a dead-letter entry that an operator moved
 * back to the delivery queue (SQS redrive), whose record is delivered again. Ingest does not
 * check records against the record model, so this is where a record an adapter built
 * wrongly is caught. The problem names the fields at fault.
 */
function parseMessage(body: string): { message: DeliveryMessage } | { problem: string } {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { problem: 'the body is not JSON.' };
  }
  let result = deliveryMessageSchema.safeParse(json);
  if (!result.success && isJsonObject(json) && 'reason' in json && 'message' in json) {
    result = deliveryMessageSchema.safeParse(json.message);
  }
  if (result.success) return { message: result.data };
  const issues = result.error.issues;
  const listed = issues
    .slice(0, MAX_LISTED_ISSUES)
    .map((issue) => `${formatPath(issue.path)}: ${issue.message}`)
    .join('; ');
  return { problem: `${listed}${issues.length > MAX_LISTED_ISSUES ? '; …' : ''}.` };
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
