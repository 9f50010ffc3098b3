import { randomUUID } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { z } from 'zod';
import type { RelayConfig } from '../config/schema.ts';
import { SecretError, type SecretStore } from '../credentials/secret-store.ts';
import type { DeliveryMessage } from '../queue/message.ts';
import type { DeliveryQueue } from '../queue/queue.ts';
import { relayRecordSchema, type RelayRecord } from '../records/record.ts';
import type { RelayMetrics } from '../shared/metrics.ts';
import { NormalizationError, type SourceAdapter } from '../sources/source.ts';
import { authenticate } from './authenticate.ts';
import { IngestError, type ErrorIssue } from './errors.ts';
import { readJsonBody } from './json-body.ts';
import type { WebhookRequest } from './request.ts';
import { readSourceSecrets } from './source-secrets.ts';

/** Largest queue message the relay sends; SQS accepts up to 1 MiB (1,048,576 bytes) per message. */
export const MAX_MESSAGE_BYTES = 1_048_576;

/** Most schema problems listed in one answer, so a wildly wrong payload gets a readable reply. */
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
}

export interface IngestResult {
  status: number;
  body: Record<string, unknown>;
}

/**
 * Takes one webhook request through authenticate, parse, validate, normalize and enqueue,
 * and answers 202 with the delivery id once every record is on the queue. Each step that
 * rejects the request throws an IngestError, which becomes a 4xx answer; nothing is
 * enqueued for a rejected request.
 */
export async function ingestWebhook(
  request: WebhookRequest,
  deps: IngestDependencies,
): Promise<IngestResult> {
  const now = deps.now?.() ?? new Date();
  const deliveryId = deps.newDeliveryId?.() ?? randomUUID();
  const log = { deliveryId, source: request.sourceId, requestId: request.requestId };

  try {
    const { adapter, settings } = resolveSource(request.sourceId, deps);
    if (request.method.toUpperCase() !== 'POST') {
      throw new IngestError(405, 'method_not_allowed', `Use POST to send data; got ${request.method}.`);
    }
    checkBodySize(request.body, deps.config.ingest.maxBodyBytes);

    const secrets = await readSourceSecrets(deps.secrets, settings.secretName, request.sourceId);
    authenticate(request, settings.auth, secrets, now);

    const json = readJsonBody(request);
    const payload = validatePayload(adapter, json);
    const records = normalize(adapter, payload, now);

    const messages = records.map(
      (record, recordIndex): DeliveryMessage => ({
        version: 1,
        deliveryId,
        recordIndex,
        source: request.sourceId,
        receivedAt: now.toISOString(),
        record,
      }),
    );
    checkMessageSizes(messages);
    await enqueue(deps.queue, messages);

    deps.metrics.count('RecordsAccepted', request.sourceId, messages.length);
    deps.logger.info('Delivery accepted', { ...log, records: messages.length });
    return {
      status: 202,
      body: {
        status: 'accepted',
        deliveryId,
        records: messages.length,
        ...(messages.length === 0 && { message: 'The payload held no records to deliver.' }),
      },
    };
  } catch (error) {
    const rejection = error instanceof IngestError ? error : toInternalError(error);
    const context = { ...log, code: rejection.code, status: rejection.status };
    if (rejection.status >= 500) {
      deps.logger.error('Delivery failed', { ...context, error: error as Error });
    } else {
      deps.logger.warn('Delivery rejected', { ...context, reason: rejection.message });
    }
    return {
      status: rejection.status,
      body: {
        code: rejection.code,
        message: rejection.message,
        deliveryId,
        ...(rejection.issues !== undefined && { issues: rejection.issues }),
      },
    };
  }
}

function resolveSource(sourceId: string, deps: IngestDependencies) {
  const settings = deps.config.sources[sourceId];
  const adapter = deps.getSource(sourceId);
  if (settings === undefined || !settings.enabled || adapter === undefined) {
    const enabled = Object.entries(deps.config.sources)
      .filter(([id, source]) => source.enabled && deps.getSource(id) !== undefined)
      .map(([id]) => id);
    throw new IngestError(
      404,
      'unknown_source',
      `No enabled source "${sourceId}". Enabled sources: ${enabled.join(', ') || 'none'}.`,
    );
  }
  return { adapter, settings };
}

function checkBodySize(body: Buffer, maxBytes: number): void {
  if (body.length > maxBytes) {
    throw new IngestError(
      413,
      'payload_too_large',
      `The body is ${body.length} bytes; the limit is ${maxBytes} bytes (ingest.maxBodyBytes). ` +
        'Send fewer items per request.',
    );
  }
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

/** Formats a path as `records[3].finding`, the way a reader of the JSON would write it. */
export function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(body)';
  return path
    .map((key, index) =>
      typeof key === 'number' ? `[${key}]` : `${index === 0 ? '' : '.'}${String(key)}`,
    )
    .join('');
}

function normalize(adapter: SourceAdapter, payload: unknown, now: Date): RelayRecord[] {
  let records: RelayRecord[];
  try {
    records = adapter.normalize(payload, { receivedAt: now });
  } catch (error) {
    if (error instanceof NormalizationError) {
      const where = error.path.length > 0 ? ` (at ${formatPath(error.path)})` : '';
      throw new IngestError(422, 'unsupported_payload', `${error.message}${where}`, {
        cause: error,
      });
    }
    throw error;
  }
  // A record the adapter built but the model rejects is a bug in the adapter, not the sender's fault.
  for (const [index, record] of records.entries()) {
    const check = relayRecordSchema.safeParse(record);
    if (!check.success) {
      throw new Error(
        `Source ${adapter.id} built an invalid record ${index}: ${check.error.issues
          .map((issue) => `${formatPath(issue.path)}: ${issue.message}`)
          .join('; ')}`,
      );
    }
  }
  return records;
}

function checkMessageSizes(messages: DeliveryMessage[]): void {
  for (const message of messages) {
    const bytes = Buffer.byteLength(JSON.stringify(message));
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

async function enqueue(queue: DeliveryQueue, messages: DeliveryMessage[]): Promise<void> {
  if (messages.length === 0) return;
  try {
    await queue.enqueue(messages);
  } catch (error) {
    throw new IngestError(
      503,
      'queue_unavailable',
      'The relay could not queue the records and kept none of them. Send the delivery again.',
      { cause: error },
    );
  }
}

function toInternalError(error: unknown): IngestError {
  if (error instanceof SecretError) {
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
