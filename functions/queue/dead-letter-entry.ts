import * as z from 'zod';
import { RECORD_KINDS } from '../records/record.ts';
import { SECOPS_ERROR_RETRYABLE } from '../secops/errors.ts';
import { deliveryMessageSchema, idsInBody, type RecordIds } from './message.ts';
import type { DeadLetter } from './queue.ts';

const deadLetterSchema = z.object({
  message: deliveryMessageSchema.optional(),
  body: z.string().optional(),
  reason: z.string().min(1),
  retryable: z.boolean(),
  detail: z.string(),
  attempts: z.number().int().nonnegative(),
  lastResponse: z.object({ status: z.number().int(), body: z.string() }).optional(),
  possiblyDelivered: z.boolean().optional(),
  failedAt: z.string(),
});

/** Reason shown for a message SQS moved to the dead-letter queue itself, with no entry around it. */
export const MOVED_BY_QUEUE_REASON = 'max_receive_count_exceeded';

/**
 * Every reason a dead-letter entry can carry, as docs/errors.md lists them: the instance's
 * permanent rejections (the SecOps error codes that are not retried), then the reasons the
 * forwarder and the queue set themselves.
 */
export const DEAD_LETTER_REASONS: readonly string[] = [
  ...Object.entries(SECOPS_ERROR_RETRYABLE)
    .filter(([, retryable]) => !retryable)
    .map(([code]) => code),
  'retries_exhausted',
  'invalid_message',
  MOVED_BY_QUEUE_REASON,
];

/**
 * Reads a dead-letter queue message body. It is either an entry the forwarder wrote, or a
 * delivery message that SQS moved itself after `maxReceiveCount` receives (an invocation
 * that crashed or timed out), which gets the reason `max_receive_count_exceeded`. Any other
 * body is returned as an `invalid_message` entry that contains the text.
 */
export function parseDeadLetterBody(body: string, fallbackFailedAt: string): DeadLetter {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    json = undefined;
  }
  const entry = deadLetterSchema.safeParse(json);
  if (entry.success) return entry.data;

  const moved = deliveryMessageSchema.safeParse(json);
  if (moved.success) {
    return {
      message: moved.data,
      reason: MOVED_BY_QUEUE_REASON,
      retryable: true,
      detail:
        'The delivery queue moved the message after its last receive without a result ' +
        '(the forward function crashed or timed out).',
      attempts: 0,
      failedAt: fallbackFailedAt,
    };
  }
  return {
    body,
    reason: 'invalid_message',
    retryable: false,
    detail: 'The dead-letter message is neither a dead-letter entry nor a delivery message.',
    attempts: 0,
    failedAt: fallbackFailedAt,
  };
}

/** Selection of the dead-letter entries an operator command applies to; every given field must match. */
export interface DeadLetterFilter {
  reason?: string;
  source?: string;
  deliveryId?: string;
  kind?: string;
  retryable?: boolean;
}

export const DEAD_LETTER_FILTER_KEYS = [
  'reason',
  'source',
  'deliveryId',
  'kind',
  'retryable',
] as const;

/**
 * Returns the ids of an entry's record, for listing and filters. An `invalid_message` entry
 * has no valid message, but its body is often a delivery message with one bad field, such as
 * a record an adapter built wrongly. So its ids are read from the body where their types fit.
 */
export function deadLetterIds(entry: Pick<DeadLetter, 'message' | 'body'>): RecordIds {
  if (entry.message !== undefined) {
    const { source, deliveryId, recordIndex, record } = entry.message;
    return { source, deliveryId, recordIndex, kind: record.kind };
  }
  return entry.body === undefined ? {} : idsInBody(entry.body);
}

/** True when the entry matches every field of the filter. */
export function matchesFilter(entry: DeadLetter, filter: DeadLetterFilter): boolean {
  if (filter.reason !== undefined && entry.reason !== filter.reason) return false;
  if (filter.retryable !== undefined && entry.retryable !== filter.retryable) return false;
  const ids = deadLetterIds(entry);
  if (filter.source !== undefined && ids.source !== filter.source) return false;
  if (filter.deliveryId !== undefined && ids.deliveryId !== filter.deliveryId) return false;
  if (filter.kind !== undefined && ids.kind !== filter.kind) return false;
  return true;
}

/**
 * Reads `reason=retries_exhausted` style terms into a filter. Throws an Error naming the term
 * and the valid keys or values when a key is unknown or repeated, or when a reason, kind,
 * source or retryable value is one no entry can have, because such a filter matches nothing
 * and a redrive with it would report success. `deliveryId` takes any value.
 */
export function parseFilterTerms(
  terms: readonly string[],
  known: { sources: readonly string[] },
): DeadLetterFilter {
  const filter: DeadLetterFilter = {};
  for (const term of terms) {
    const separator = term.indexOf('=');
    const key = separator < 0 ? term : term.slice(0, separator);
    const value = separator < 0 ? '' : term.slice(separator + 1);
    if (!(DEAD_LETTER_FILTER_KEYS as readonly string[]).includes(key) || value === '') {
      throw new Error(
        `Invalid filter "${term}": write key=value with a key of ${DEAD_LETTER_FILTER_KEYS.join(', ')}.`,
      );
    }
    if (Object.hasOwn(filter, key)) {
      throw new Error(
        `Invalid filter "${term}": ${key} is given twice, and an entry has only one ${key}. ` +
          'Run the command once per value.',
      );
    }
    if (key === 'retryable') {
      if (value !== 'true' && value !== 'false') {
        throw new Error(`Invalid filter "${term}": retryable is true or false.`);
      }
      filter.retryable = value === 'true';
      continue;
    }
    const allowed = {
      reason: { what: 'a dead-letter reason', values: DEAD_LETTER_REASONS },
      kind: { what: 'a record kind', values: RECORD_KINDS as readonly string[] },
      source: { what: 'a source id', values: known.sources },
      deliveryId: undefined,
    }[key as Exclude<keyof DeadLetterFilter, 'retryable'>];
    if (allowed !== undefined && !allowed.values.includes(value)) {
      throw new Error(
        `Invalid filter "${term}": "${value}" is not ${allowed.what}. ` +
          `Valid values: ${allowed.values.join(', ')}.`,
      );
    }
    filter[key as Exclude<keyof DeadLetterFilter, 'retryable'>] = value;
  }
  return filter;
}
