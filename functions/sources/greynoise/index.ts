import type { SourceAdapter } from '../source.ts';
import { GREYNOISE_VENDOR_NAME, normalizeGreyNoise } from './normalize.ts';
import { greyNoisePayloadSchema, type GreyNoisePayload } from './schema.ts';

/**
 * GreyNoise responses: the community API (v3), and the IP context, RIOT, quick check, multi
 * quick check and GNQL query responses of API v2, with the error bodies GreyNoise sends with
 * HTTP 200. Lookups become a threat lookup result and an observable enrichment; quick checks
 * an observable enrichment only.
 */
export const greyNoiseSource: SourceAdapter<GreyNoisePayload> = {
  id: 'greynoise',
  vendorName: GREYNOISE_VENDOR_NAME,
  payloadSchema: greyNoisePayloadSchema,
  normalize: normalizeGreyNoise,
};
