import type { SourceAdapter } from '../source.ts';
import { normalizeSecurityHub, SECURITYHUB_VENDOR_NAME } from './normalize.ts';
import { SECURITYHUB_EVENTS, securityHubPayloadSchema, type SecurityHubPayload } from './schema.ts';

/**
 * AWS Security Hub findings in the AWS Security Finding Format, from EventBridge ("Security
 * Hub Findings - Imported" and "- Custom Action" events) or, for local runs and exports, as
 * `GetFindings` returns them. Each finding becomes a CI enrichment per resource and an
 * observable enrichment per address or domain name, plus threat lookup results for threat
 * intelligence indicators and for GuardDuty findings that rest on threat intelligence.
 */
export const securityHubSource: SourceAdapter<SecurityHubPayload> = {
  id: 'securityhub',
  vendorName: SECURITYHUB_VENDOR_NAME,
  channel: 'eventbridge',
  eventBridge: SECURITYHUB_EVENTS,
  payloadSchema: securityHubPayloadSchema,
  normalize: normalizeSecurityHub,
};
