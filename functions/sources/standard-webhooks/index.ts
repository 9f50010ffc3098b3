import { normalizeGeneric } from '../generic/normalize.ts';
import { genericPayloadSchema, type GenericPayload } from '../generic/schema.ts';
import type { SourceAdapter } from '../source.ts';

/**
 * Records in the relay's own shape, sent by any platform that signs its webhooks per the
 * Standard Webhooks specification (Svix and others). The payload is the `generic` one; only
 * the authentication differs, and it is configured as `{"type": "standard-webhooks"}`.
 */
export const standardWebhooksSource: SourceAdapter<GenericPayload> = {
  id: 'standard-webhooks',
  vendorName: 'Standard Webhooks',
  payloadSchema: genericPayloadSchema,
  normalize: normalizeGeneric,
};
