import type { Logger } from '@aws-lambda-powertools/logger';
import type * as z from 'zod';
import type { RelayConfig } from '../config/schema.ts';
import type { SecretStore } from '../credentials/secret-store.ts';
import {
  dropDuplicates,
  keysOfEnqueued,
  rememberDelivery,
  type DedupeSettings,
} from '../dedupe/deliveries.ts';
import { DETAILS_TRUNCATION_KEY, fitRecord } from '../queue/fit-record.ts';
import { serializeMessage, type DeliveryMessage } from '../queue/message.ts';
import { EnqueueError, type DeliveryQueue } from '../queue/queue.ts';
import type { RelayRecord } from '../records/record.ts';
import { formatPath } from '../shared/json-path.ts';
import { redactValues } from '../shared/redact.ts';
import type { RelayMetrics } from '../shared/metrics.ts';
import { NormalizationError, type SourceAdapter } from '../sources/source.ts';
import { IngestError, type ErrorIssue } from './errors.ts';

/** Largest queue message the relay sends; SQS accepts up to 1 MiB (1,048,576 bytes) per message. */
export const MAX_MESSAGE_BYTES = 1_048_576;

/** Maximum schema issues listed in one response, so a wildly wrong payload gets a readable reply. */
const MAX_LISTED_ISSUES = 20;

export interface IngestDependencies {
  config: RelayConfig;
  secrets: SecretStore;
  queue: DeliveryQueue;
  getSource: (id: string) => SourceAdapter | undefined;
  logger: Logger;
  metrics: RelayMetrics;
  now?: () => Date;
  newDeliveryId?: () => string;
  /** Duplicate check; absent or with `dedupe.enabled` false, every delivery is queued. */
  dedupe?: DedupeSettings;
  /** Secret values to redact from vendor text in log lines, such as a pull job's API key. */
  logSecrets?: readonly string[];
}

export interface IngestResult {
  status: number;
  body: Record<string, unknown>;
}

/** Ids that go on every log line about one delivery. */
export interface DeliveryLog {
  deliveryId: string;
  source: string;
  requestId?: string;
  /** The sender's own id for the delivery (Standard Webhooks `webhook-id` or `deliveryIdHeader`). */
  senderDeliveryId?: string;
  /** The EventBridge event id. */
  eventId?: string;
}

/**
 * Validates a parsed payload with the source's schema, normalizes it and enqueues one
 * message per record, then answers 202. Throws IngestError for what the sender must fix.
 */
export async function acceptPayload(
  adapter: SourceAdapter,
  json: unknown,
  log: DeliveryLog,
  now: Date,
  deps: IngestDependencies,
): Promise<IngestResult> {
  const payload = validatePayload(adapter, json);

  let skipped = 0;
  const records = normalize(
    adapter,
    payload,
    {
      receivedAt: now,
      skip: (reason, detail) => {
        skipped += 1;
        const logged =
          deps.logSecrets === undefined ? detail : redactValues(detail, deps.logSecrets);
        deps.logger.info('Item skipped', { ...log, reason, ...logged });
      },
    },
    (record, index) => fitToColumns(record, index, log, deps.logger),
  );

  const messages = records.map((record, recordIndex): DeliveryMessage => ({
    version: 1,
    deliveryId: log.deliveryId,
    recordIndex,
    source: log.source,
    receivedAt: now.toISOString(),
    record,
  }));
  checkMessageSizes(messages);

  const dedupe = deps.config.dedupe.enabled ? deps.dedupe : undefined;
  const checked =
    dedupe === undefined
      ? { fresh: messages, duplicates: 0, duplicateOf: undefined, keys: [] }
      : await dropDuplicates(messages, log, now, dedupe, deps.logger);
  const queued = checked.fresh;
  try {
    await enqueue(deps.queue, queued, dedupe !== undefined);
  } catch (error) {
    const enqueued =
      error instanceof IngestError && error.cause instanceof EnqueueError
        ? error.cause.enqueued
        : [];
    if (dedupe !== undefined && enqueued.length > 0) {
      await rememberDelivery(
        keysOfEnqueued(checked, enqueued),
        log.deliveryId,
        dedupe,
        deps.logger,
      );
    }
    throw error;
  }
  if (dedupe !== undefined) {
    await rememberDelivery(checked.keys, log.deliveryId, dedupe, deps.logger);
  }

  deps.metrics.count('RecordsAccepted', log.source, queued.length);
  if (checked.duplicates > 0) {
    deps.metrics.count('DuplicatesDropped', log.source, checked.duplicates);
  }
  const duplicate =
    checked.duplicateOf !== undefined || (queued.length === 0 && checked.duplicates > 0);
  deps.logger.info(
    duplicate ? 'Duplicate delivery accepted; nothing queued' : 'Delivery accepted',
    {
      ...log,
      records: queued.length,
      skipped,
      duplicates: checked.duplicates,
      duplicateOf: checked.duplicateOf,
    },
  );
  return {
    status: 202,
    body: {
      status: 'accepted',
      deliveryId: log.deliveryId,
      records: queued.length,
      ...(skipped > 0 && { skipped }),
      ...(checked.duplicates > 0 && { duplicates: checked.duplicates }),
      ...(duplicate && { duplicate: true }),
      ...(checked.duplicateOf !== undefined && { duplicateOf: checked.duplicateOf }),
      ...(queued.length === 0 && {
        message: emptyDeliveryMessage(skipped, duplicate, checked.duplicateOf !== undefined),
      }),
    },
  };
}

function emptyDeliveryMessage(
  skipped: number,
  duplicate: boolean,
  sameDeliveryId: boolean,
): string {
  if (duplicate && sameDeliveryId) {
    return 'The relay accepted a delivery with this delivery id or event id before; nothing was queued again.';
  }
  if (duplicate) return 'The relay queued these records before; they were not queued again.';
  if (skipped > 0) return 'Every item was skipped on purpose (see the relay log for the reasons).';
  return 'The payload held no records to deliver.';
}

/** Trims details past the record model's limit, logging what was left out. */
function fitToColumns(
  record: RelayRecord,
  recordIndex: number,
  log: DeliveryLog,
  logger: Logger,
): RelayRecord {
  const fitted = fitRecord(record);
  if (fitted !== record && 'details' in fitted) {
    logger.warn('Record details trimmed to the size limit', {
      ...log,
      recordIndex,
      truncation: fitted.details?.[DETAILS_TRUNCATION_KEY],
    });
  }
  return fitted;
}

function validatePayload(adapter: SourceAdapter, json: unknown): unknown {
  const result = adapter.payloadSchema.safeParse(json);
  if (result.success) return result.data;
  const issues = toIssues(result.error);
  const listed = issues
    .slice(0, 3)
    .map((issue) => `${issue.path}: ${issue.message}`)
    .join('; ');
  throw new IngestError(
    422,
    'schema_validation_failed',
    `The body is not a valid ${adapter.id} payload: ${listed}${issues.length > 3 ? '; …' : ''}`,
    { issues },
  );
}

function toIssues(error: z.ZodError): ErrorIssue[] {
  return error.issues.slice(0, MAX_LISTED_ISSUES).map((issue) => ({
    path: formatPath(issue.path),
    message: issue.message,
  }));
}

/**
 * Runs the adapter and fits each record to the columns. The records are not checked
 * against the record model here: the forwarder validates every queued record and
 * dead-letters one that fails as `invalid_message`, body included. A record an adapter
 * built wrongly is then kept for an operator, instead of becoming a 500 for a sender who
 * cannot fix it. The adapters are fuzzed to build only valid records.
 */
function normalize(
  adapter: SourceAdapter,
  payload: unknown,
  context: Parameters<SourceAdapter['normalize']>[1],
  fit: (record: RelayRecord, index: number) => RelayRecord,
): RelayRecord[] {
  try {
    return adapter.normalize(payload, context).map(fit);
  } catch (error) {
    if (error instanceof NormalizationError) {
      const where = error.path.length > 0 ? ` (at ${formatPath(error.path)})` : '';
      throw new IngestError(422, 'unsupported_payload', `${error.message}${where}`, {
        cause: error,
      });
    }
    throw error;
  }
}

function checkMessageSizes(messages: DeliveryMessage[]): void {
  for (const message of messages) {
    const bytes = Buffer.byteLength(serializeMessage(message));
    if (bytes > MAX_MESSAGE_BYTES) {
      throw new IngestError(
        413,
        'record_too_large',
        `Record ${message.recordIndex} would be a ${bytes}-byte queue message; the limit is ` +
          `${MAX_MESSAGE_BYTES} bytes. Shorten its raw payload or details.`,
      );
    }
  }
}

/** `remembers` is true when the duplicate check will remember the records the queue confirmed. */
async function enqueue(
  queue: DeliveryQueue,
  messages: DeliveryMessage[],
  remembers: boolean,
): Promise<void> {
  if (messages.length === 0) return;
  try {
    await queue.enqueue(messages);
  } catch (error) {
    const resend = remembers
      ? 'Records the queue confirmed are remembered and not queued again; records whose ' +
        'send went unanswered may reach the instance twice.'
      : 'The duplicate check is off (dedupe.enabled is false), so the records the queue ' +
        'confirmed are queued again and reach the instance twice.';
    throw new IngestError(
      503,
      'queue_unavailable',
      'The relay could not queue every record of this delivery. Send the delivery again ' +
        `unchanged, with the same delivery id if it has one, so that none is lost. ${resend}`,
      { cause: error },
    );
  }
}

/** Logs a rejection and turns it into the JSON answer; unexpected errors become 500 or 503. */
export function rejectionResult(error: unknown, log: DeliveryLog, logger: Logger): IngestResult {
  const rejection = toIngestError(error);
  const context = { ...log, code: rejection.code, status: rejection.status };
  if (rejection.status >= 500) {
    logger.error('Delivery failed', { ...context, error: error as Error });
  } else {
    logger.warn('Delivery rejected', { ...context, reason: rejection.message });
  }
  return {
    status: rejection.status,
    body: {
      code: rejection.code,
      message: rejection.message,
      deliveryId: log.deliveryId,
      ...(rejection.issues !== undefined && { issues: rejection.issues }),
    },
  };
}

/** Turns any error into the IngestError returned to the sender, without internal detail. */
export function toIngestError(error: unknown): IngestError {
  if (error instanceof IngestError) return error;
  if (error instanceof Error && error.name === 'SecretError') {
    return new IngestError(
      503,
      'source_unavailable',
      'The relay cannot read the secret for this source. An operator must fix its configuration; send again later.',
      { cause: error },
    );
  }
  return new IngestError(500, 'internal_error', 'The relay failed to process the delivery.', {
    cause: error,
  });
}
