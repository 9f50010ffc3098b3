import { toDotPath } from 'zod/v4/core';
import type { RelayRecord } from '../../records/record.ts';
import { awsServiceError, guardDutyFindingUrl, parseArn } from '../shared/aws.ts';
import {
  buildFindingRecords,
  removeNames,
  type AwsFinding,
} from '../shared/aws-finding-records.ts';
import { reportLeftOut, VERDICT_ROLES, type PayloadPath } from '../shared/aws-observables.ts';
import { guardDutySeverityLabel } from '../shared/aws-severity.ts';
import { capList, withoutEmpty } from '../shared/detail-values.ts';
import type { EventBridgeEnvelope } from '../shared/eventbridge.ts';
import {
  GUARDDUTY_VENDOR_NAME,
  guardDutyThreatIntelVerdict,
  type ThreatIntelEvidence,
} from '../shared/guardduty-threat-intel.ts';
import { toUtcIso } from '../shared/timestamps.ts';
import { NormalizationError, type SourceContext } from '../source.ts';
import { guardDutyObservables } from './observables.ts';
import { guardDutyResources, guardDutyUserNames } from './resources.ts';
import type {
  GuardDutyEvent,
  GuardDutyFinding,
  GuardDutyFindingList,
  GuardDutyItems,
  GuardDutyPayload,
  GuardDutyService,
} from './schema.ts';

const PARTITION = /^aws(?:-[a-z]+)*$/;
/** At most this many threat list names and threat names are kept from one finding. */
const MAX_THREAT_NAMES = 10;

/**
 * Turns GuardDuty findings into records: a CI enrichment per resource the finding names, an
 * observable enrichment per address or domain name, and a threat lookup result for the remote
 * address or domain of a finding that rests on threat intelligence. Sample and archived
 * findings give no records and are reported through `context.skip`. An AWS error body throws
 * a NormalizationError.
 */
export function normalizeGuardDuty(
  payload: GuardDutyPayload,
  context: SourceContext,
): RelayRecord[] {
  if (isEvent(payload)) return normalizeItems(payload.detail, ['detail'], payload, context);
  return normalizeItems(payload, [], {}, context);
}

function normalizeItems(
  items: GuardDutyItems,
  path: PayloadPath,
  envelope: EventBridgeEnvelope,
  context: SourceContext,
): RelayRecord[] {
  if (Array.isArray(items)) {
    return items.flatMap((finding, index) =>
      normalizeFinding(finding, [...path, index], envelope, context),
    );
  }
  if (isFindingList(items)) {
    return items.findings.flatMap((finding, index) =>
      normalizeFinding(finding, [...path, 'findings', index], envelope, context),
    );
  }
  if (isFinding(items)) return normalizeFinding(items, path, envelope, context);
  throw awsServiceError(GUARDDUTY_VENDOR_NAME, items);
}

function isEvent(payload: GuardDutyPayload): payload is GuardDutyEvent {
  return !Array.isArray(payload) && 'detail' in payload;
}

function isFindingList(items: GuardDutyItems): items is GuardDutyFindingList {
  return !Array.isArray(items) && 'findings' in items && Array.isArray(items.findings);
}

function isFinding(items: GuardDutyItems): items is GuardDutyFinding {
  return !Array.isArray(items) && 'id' in items && 'type' in items && 'severity' in items;
}

/** Returns the reason a finding gives no records and the deciding field, or undefined when it gives records. */
function skipReason(
  service: GuardDutyService | null | undefined,
): { reason: string; field: PayloadPath } | undefined {
  const sample = service?.additionalInfo?.sample;
  if (sample === true || sample === 'true') {
    return { reason: 'sample_finding', field: ['service', 'additionalInfo', 'sample'] };
  }
  if (service?.archived === true)
    return { reason: 'archived_finding', field: ['service', 'archived'] };
  return undefined;
}

function normalizeFinding(
  finding: GuardDutyFinding,
  path: PayloadPath,
  envelope: EventBridgeEnvelope,
  context: SourceContext,
): RelayRecord[] {
  const skip = skipReason(finding.service);
  if (skip !== undefined) {
    context.skip?.(skip.reason, {
      findingId: finding.id,
      findingType: finding.type,
      path: toDotPath([...path, ...skip.field]),
    });
    return [];
  }

  const arn = finding.arn ? parseArn(finding.arn) : undefined;
  const accountId = finding.accountId ?? envelope.account ?? arn?.accountId;
  const region = finding.region ?? envelope.region ?? arn?.region;
  const partition =
    finding.partition && PARTITION.test(finding.partition)
      ? finding.partition
      : (arn?.partition ?? 'aws');

  const resources = guardDutyResources(finding.resource, accountId ?? undefined, partition);
  if (resources.length === 0) {
    throw new NormalizationError(
      `The GuardDuty finding "${finding.id}" names no resource the relay reads and no 12-digit ` +
        'accountId, so there is no configuration item to enrich. Send the whole finding as ' +
        'GuardDuty wrote it.',
      [...path, 'accountId'],
    );
  }

  const observables = guardDutyObservables(finding, path);
  reportLeftOut(observables, finding.id, context);

  const service = finding.service;
  const evidence = threatIntelEvidence(service);
  const severity = guardDutySeverityLabel(finding.severity);
  const consoleUrl = guardDutyFindingUrl({ partition, region: region ?? undefined }, finding.id);
  const updatedAt =
    toUtcIso(finding.updatedAt) ??
    toUtcIso(finding.createdAt) ??
    toUtcIso(envelope.time) ??
    context.receivedAt.toISOString();

  const title = removeNames(finding.title ?? finding.type, guardDutyUserNames(finding.resource));

  const awsFinding: AwsFinding = {
    source: GUARDDUTY_VENDOR_NAME,
    product: 'GuardDuty',
    type: finding.type,
    title,
    severity,
    updatedAt,
    consoleUrl,
    facts: withoutEmpty({
      findingId: finding.id,
      findingArn: finding.arn,
      findingType: finding.type,
      title,
      severity,
      severityScore: finding.severity,
      count: service?.count,
      firstSeen: toUtcIso(service?.eventFirstSeen),
      lastSeen: toUtcIso(service?.eventLastSeen),
      createdAt: toUtcIso(finding.createdAt),
      updatedAt,
      accountId,
      region,
      resourceRole: service?.resourceRole,
      actionType: service?.action?.actionType,
      threatListNames: evidence.threatListNames,
      threatNames: evidence.threatNames,
      consoleUrl,
    }),
    resources,
    observables: observables.list(),
  };

  const verdict = guardDutyThreatIntelVerdict(finding.type, evidence);
  return buildFindingRecords(awsFinding, (entry) =>
    verdict !== undefined && entry.roles.some((role) => VERDICT_ROLES.has(role))
      ? { ...verdict, source: GUARDDUTY_VENDOR_NAME }
      : undefined,
  );
}

/** Reads the threat lists and threat names a finding cites, including the older `additionalInfo.threatListName`. */
function threatIntelEvidence(service: GuardDutyService | null | undefined): ThreatIntelEvidence {
  const details = service?.evidence?.threatIntelligenceDetails ?? [];
  const listNames = details.map((detail) => detail.threatListName);
  listNames.push(service?.additionalInfo?.threatListName);
  return {
    threatListNames: capList(listNames, MAX_THREAT_NAMES),
    threatNames: capList(
      details.flatMap((detail) => detail.threatNames ?? []),
      MAX_THREAT_NAMES,
    ),
  };
}
