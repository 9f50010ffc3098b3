import type { SourceAdapter } from '../source.ts';
import { normalizeUrlhaus, URLHAUS_VENDOR_NAME } from './normalize.ts';
import { urlhausResponseSchema, type UrlhausResponse } from './schema.ts';

/**
 * URLhaus (abuse.ch) API v1 responses: URL, host and payload lookups, and the recent-URLs,
 * tag, signature and recent-payloads lists. Each URL, host or payload becomes a threat
 * lookup result and an observable enrichment.
 */
export const urlhausSource: SourceAdapter<UrlhausResponse> = {
  id: 'urlhaus',
  vendorName: URLHAUS_VENDOR_NAME,
  payloadSchema: urlhausResponseSchema,
  normalize: normalizeUrlhaus,
};
