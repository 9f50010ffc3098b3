import type { SourceAdapter } from '../source.ts';
import { normalizeOtx, OTX_VENDOR_NAME } from './normalize.ts';
import { otxPayloadSchema, type OtxPayload } from './schema.ts';

/**
 * AlienVault OTX API v1 indicator responses: the general section of an IPv4, IPv6, domain,
 * hostname, URL, e-mail or file indicator (a threat lookup result and an observable
 * enrichment) and the passive DNS section (an observable enrichment).
 */
export const otxSource: SourceAdapter<OtxPayload> = {
  id: 'otx',
  vendorName: OTX_VENDOR_NAME,
  payloadSchema: otxPayloadSchema,
  normalize: normalizeOtx,
};
