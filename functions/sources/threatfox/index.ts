import type { SourceAdapter } from '../source.ts';
import { normalizeThreatFox, THREATFOX_VENDOR_NAME } from './normalize.ts';
import { threatFoxPayloadSchema, type ThreatFoxPayload } from './schema.ts';

/**
 * ThreatFox (abuse.ch) API v1 responses (search_ioc, search_hash, ioc, get_iocs, tag and
 * malware queries), single IOC objects and arrays of them. Each observable an IOC names
 * becomes a threat lookup result and an observable enrichment.
 */
export const threatFoxSource: SourceAdapter<ThreatFoxPayload> = {
  id: 'threatfox',
  vendorName: THREATFOX_VENDOR_NAME,
  payloadSchema: threatFoxPayloadSchema,
  normalize: normalizeThreatFox,
};
