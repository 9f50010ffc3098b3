import type { SourceAdapter } from '../source.ts';
import { normalizeShodan, SHODAN_VENDOR_NAME } from './normalize.ts';
import { shodanPayloadSchema, type ShodanPayload } from './schema.ts';

/**
 * Shodan host responses, InternetDB lookups and host searches. Shodan describes what a host
 * exposes, so each address becomes an observable enrichment and never a threat lookup result.
 */
export const shodanSource: SourceAdapter<ShodanPayload> = {
  id: 'shodan',
  vendorName: SHODAN_VENDOR_NAME,
  payloadSchema: shodanPayloadSchema,
  normalize: normalizeShodan,
};
