import { randomUUID } from 'node:crypto';
import { SecretError } from '../credentials/secret-store.ts';
import { authenticate } from './auth/authenticate.ts';
import { IngestError } from './errors.ts';
import { checkBodyDecoded, readJsonBody } from './json-body.ts';
import {
  acceptPayload,
  rejectionResult,
  type DeliveryLog,
  type IngestDependencies,
  type IngestResult,
} from './pipeline.ts';
import type { WebhookRequest } from './request.ts';
import { readSourceSecrets } from './source-secrets.ts';

export type { IngestDependencies, IngestResult } from './pipeline.ts';
export { MAX_MESSAGE_BYTES } from './pipeline.ts';

/**
 * Takes one webhook request through authenticate, parse, validate, normalize and enqueue,
 * and answers 202 with the delivery id once every record is on the queue. Each step that
 * rejects the request answers a 4xx; nothing is enqueued for a rejected request.
 */
export async function ingestWebhook(
  request: WebhookRequest,
  deps: IngestDependencies,
): Promise<IngestResult> {
  const now = deps.now?.() ?? new Date();
  const log: DeliveryLog = {
    deliveryId: deps.newDeliveryId?.() ?? randomUUID(),
    source: request.sourceId,
    requestId: request.requestId,
  };

  try {
    const { adapter, settings } = resolveWebhookSource(request.sourceId, deps);
    if (request.method.toUpperCase() !== 'POST') {
      throw new IngestError(
        405,
        'method_not_allowed',
        `Use POST to send data; got ${request.method}.`,
      );
    }
    checkBodySize(request.body, deps.config.ingest.maxBodyBytes);
    checkBodyDecoded(request);

    if (settings.secretName === undefined || settings.auth.type === 'none') {
      throw new SecretError(
        'secret_not_found',
        '(none)',
        `Source "${request.sourceId}" takes webhooks but its configuration names no secret.`,
      );
    }
    const values = await readSourceSecrets(deps.secrets, settings.secretName, request.sourceId);
    const authentication = authenticate(
      request,
      settings.auth,
      { secretName: settings.secretName, values },
      now,
    );
    const senderDeliveryId =
      authentication.senderDeliveryId ?? readDeliveryId(request, settings.deliveryIdHeader);
    if (senderDeliveryId !== undefined) log.senderDeliveryId = senderDeliveryId;

    return await acceptPayload(adapter, readJsonBody(request, deps.config.ingest), log, now, deps);
  } catch (error) {
    return rejectionResult(error, log, deps.logger);
  }
}

function resolveWebhookSource(sourceId: string, deps: IngestDependencies) {
  const settings = deps.config.sources[sourceId];
  const adapter = deps.getSource(sourceId);
  if (
    settings === undefined ||
    !settings.enabled ||
    adapter === undefined ||
    adapter.channel === 'eventbridge'
  ) {
    const enabled = Object.entries(deps.config.sources)
      .filter(([id, source]) => source.enabled && deps.getSource(id)?.channel !== 'eventbridge')
      .filter(([id]) => deps.getSource(id) !== undefined)
      .map(([id]) => id);
    throw new IngestError(
      404,
      'unknown_source',
      `No enabled webhook source "${sourceId}". Enabled webhook sources: ${enabled.join(', ') || 'none'}.`,
    );
  }
  return { adapter, settings };
}

/** Maximum length of a sender delivery id, in characters; UUIDs and similar ids fit easily. */
const MAX_DELIVERY_ID_LENGTH = 256;

/**
 * Reads the sender's delivery id from the source's `deliveryIdHeader`. A request without the
 * header is deduplicated record by record, as if no header were configured.
 */
function readDeliveryId(request: WebhookRequest, header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const value = request.headers[header]?.trim();
  if (value === undefined) return undefined;
  if (value.length > MAX_DELIVERY_ID_LENGTH || !/^[\x21-\x7e]+$/.test(value)) {
    throw new IngestError(
      400,
      'invalid_delivery_id',
      `The ${header} header must be 1 to ${MAX_DELIVERY_ID_LENGTH} printable ASCII characters ` +
        `without spaces; got ${value.length} characters. Send the same id on every retry of a delivery.`,
    );
  }
  return value;
}

function checkBodySize(body: string | Buffer, maxBytes: number): void {
  const bytes = Buffer.byteLength(body);
  if (bytes > maxBytes) {
    throw new IngestError(
      413,
      'payload_too_large',
      `The body is ${bytes} bytes; the limit is ${maxBytes} bytes (ingest.maxBodyBytes). ` +
        'Send fewer items per request.',
    );
  }
}
