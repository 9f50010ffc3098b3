import type { SourceAdapter } from '../source.ts';
import { ABUSEIPDB_VENDOR_NAME, normalizeAbuseIpDb } from './normalize.ts';
import { abuseIpDbPayloadSchema, type AbuseIpDbPayload } from './schema.ts';

/**
 * AbuseIPDB API v2 `/check` responses, with or without `verbose`, and AbuseIPDB's error
 * bodies. Each response becomes a threat lookup result and an observable enrichment.
 */
export const abuseIpDbSource: SourceAdapter<AbuseIpDbPayload> = {
  id: 'abuseipdb',
  vendorName: ABUSEIPDB_VENDOR_NAME,
  payloadSchema: abuseIpDbPayloadSchema,
  normalize: normalizeAbuseIpDb,
};
