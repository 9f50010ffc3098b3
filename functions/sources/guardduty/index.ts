import { GUARDDUTY_VENDOR_NAME } from '../shared/guardduty-threat-intel.ts';
import type { SourceAdapter } from '../source.ts';
import { normalizeGuardDuty } from './normalize.ts';
import { GUARDDUTY_EVENTS, guardDutyPayloadSchema, type GuardDutyPayload } from './schema.ts';

/**
 * Amazon GuardDuty findings, from EventBridge ("GuardDuty Finding" events) or, for local runs
 * and exports, as the GuardDuty API and its S3 export write them. Each finding becomes a CI
 * enrichment per affected resource and an observable enrichment per address or domain name,
 * plus a threat lookup result where the finding rests on threat intelligence.
 */
export const guardDutySource: SourceAdapter<GuardDutyPayload> = {
  id: 'guardduty',
  vendorName: GUARDDUTY_VENDOR_NAME,
  channel: 'eventbridge',
  eventBridge: GUARDDUTY_EVENTS,
  payloadSchema: guardDutyPayloadSchema,
  normalize: normalizeGuardDuty,
};
