import type { SourceAdapter } from '../source.ts';
import { normalizeVirusTotal, VIRUSTOTAL_VENDOR_NAME } from './normalize.ts';
import { virusTotalPayloadSchema, type VirusTotalPayload } from './schema.ts';

/**
 * VirusTotal API v3 responses (also Google Threat Intelligence, which serves the same API):
 * file, URL, domain and IP address reports, collections and lists of them, and completed
 * analyses. Each report becomes a threat lookup result and an observable enrichment.
 */
export const virusTotalSource: SourceAdapter<VirusTotalPayload> = {
  id: 'virustotal',
  vendorName: VIRUSTOTAL_VENDOR_NAME,
  payloadSchema: virusTotalPayloadSchema,
  normalize: normalizeVirusTotal,
};
