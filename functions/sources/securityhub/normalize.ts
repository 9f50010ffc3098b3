import { toDotPath } from 'zod/v4/core';
import type { RelayRecord } from '../../records/record.ts';
import {
  awsServiceError,
  parseArn,
  securityHubFindingUrl,
  type AwsErrorBody,
} from '../shared/aws.ts';
import {
  buildFindingRecords,
  removeNames,
  type AwsFinding,
  type SourcedVerdict,
} from '../shared/aws-finding-records.ts';
import {
  reportLeftOut,
  VERDICT_ROLES,
  type FindingObservable,
  type PayloadPath,
} from '../shared/aws-observables.ts';
import { asffSeverityLabel } from '../shared/aws-severity.ts';
import { withoutEmpty } from '../shared/detail-values.ts';
import { httpUrlOnly } from '../shared/report-url.ts';
import type { EventBridgeEnvelope } from '../shared/eventbridge.ts';
import {
  GUARDDUTY_VENDOR_NAME,
  guardDutyThreatIntelVerdict,
} from '../shared/guardduty-threat-intel.ts';
import { toUtcIso } from '../shared/timestamps.ts';
import { NormalizationError, type SourceContext } from '../source.ts';
import { securityHubObservables } from './observables.ts';
import {
  displayType,
  guardDutyEvidence,
  guardDutyType,
  isGuardDutyFinding,
  productField,
  productName,
} from './product.ts';
import { securityHubResources, securityHubUserNames } from './resources.ts';
import {
  SECURITYHUB_CUSTOM_ACTION,
  type AsffFinding,
  type SecurityHubEvent,
  type SecurityHubItems,
  type SecurityHubPayload,
} from './schema.ts';
import { skipReason } from './skip.ts';

export const SECURITYHUB_VENDOR_NAME = 'AWS Security Hub';

/** The event around a finding: its envelope, and the action name of a Custom Action event. */
interface FindingContext {
  envelope: EventBridgeEnvelope;
  customAction: boolean;
  actionName?: string | null | undefined;
}

/**
 * Turns Security Hub findings (ASFF) into records: a CI enrichment per resource and an
 * observable enrichment per address or domain name. Threat intelligence indicators get a
 * threat lookup result, and so do the remote address or domain of a GuardDuty finding that
 * rests on threat intelligence. Sample, archived, suppressed and resolved findings and passed controls
 * give no records and are reported through `context.skip`. An AWS error body throws a
 * NormalizationError.
 */
export function normalizeSecurityHub(
  payload: SecurityHubPayload,
  context: SourceContext,
): RelayRecord[] {
  if (isEvent(payload)) {
    const customAction = payload['detail-type'] === SECURITYHUB_CUSTOM_ACTION;
    return normalizeItems(payload.detail, ['detail'], { envelope: payload, customAction }, context);
  }
  return normalizeItems(payload, [], { envelope: {}, customAction: false }, context);
}

function normalizeItems(
  items: SecurityHubItems,
  path: PayloadPath,
  around: FindingContext,
  context: SourceContext,
): RelayRecord[] {
  const normalizeAll = (
    findings: AsffFinding[],
    listPath: PayloadPath,
    withAround: FindingContext,
  ) =>
    findings.flatMap((finding, index) =>
      normalizeFinding(finding, [...listPath, index], withAround, context),
    );

  if (Array.isArray(items)) return normalizeAll(items, path, around);
  if (isEventDetail(items)) {
    const actionName = around.customAction ? items.actionName : undefined;
    return normalizeAll(items.findings, [...path, 'findings'], { ...around, actionName });
  }
  if (isFindingsResponse(items)) return normalizeAll(items.Findings, [...path, 'Findings'], around);
  if (isFinding(items)) return normalizeFinding(items, path, around, context);
  throw awsServiceError(SECURITYHUB_VENDOR_NAME, items as AwsErrorBody);
}

/** Checks for the `detail` of an EventBridge event, `{"findings": [...]}`, with `actionName` for a Custom Action. */
function isEventDetail(
  items: SecurityHubItems,
): items is { findings: AsffFinding[]; actionName?: string | null } {
  return !Array.isArray(items) && Array.isArray((items as { findings?: unknown }).findings);
}

/** Checks for a `GetFindings` response, `{"Findings": [...]}`. */
function isFindingsResponse(items: SecurityHubItems): items is { Findings: AsffFinding[] } {
  return !Array.isArray(items) && Array.isArray((items as { Findings?: unknown }).Findings);
}

function isEvent(payload: SecurityHubPayload): payload is SecurityHubEvent {
  return !Array.isArray(payload) && 'detail' in payload;
}

function isFinding(items: SecurityHubItems): items is AsffFinding {
  return !Array.isArray(items) && 'Id' in items && 'Resources' in items;
}

function normalizeFinding(
  finding: AsffFinding,
  path: PayloadPath,
  around: FindingContext,
  context: SourceContext,
): RelayRecord[] {
  const skip = skipReason(finding);
  if (skip !== undefined) {
    context.skip?.(skip.reason, {
      findingId: finding.Id,
      path: toDotPath([...path, ...skip.field]),
      value: skip.value,
    });
    return [];
  }

  const { accountId, region, partition } = locate(finding, around.envelope);
  const { resources, unnamed } = securityHubResources(finding, accountId);
  for (const index of unnamed) {
    context.skip?.('unnamed_resource', {
      findingId: finding.Id,
      path: toDotPath([...path, 'Resources', index, 'Details', 'AwsIamUser', 'UserId']),
    });
  }
  if (resources.length === 0) {
    throw new NormalizationError(
      `The Security Hub finding "${finding.Id}" names no resource the relay can name and no ` +
        '12-digit AwsAccountId, so there is no configuration item to enrich. Send the whole ' +
        'finding as Security Hub wrote it.',
      [...path, 'Resources'],
    );
  }

  const observables = securityHubObservables(finding, path);
  reportLeftOut(observables, finding.Id, context);

  const fromGuardDuty = isGuardDutyFinding(finding);
  const product = productName(finding);
  const type = displayType(finding, fromGuardDuty);
  // The schema requires a Label or a Normalized score, so there is always a label.
  const severity = asffSeverityLabel(finding.Severity.Label, finding.Severity.Normalized)!;
  const consoleUrl = securityHubFindingUrl({ partition, region }, finding.Id);
  const updatedAt =
    toUtcIso(finding.UpdatedAt) ??
    toUtcIso(finding.CreatedAt) ??
    toUtcIso(around.envelope.time) ??
    context.receivedAt.toISOString();
  const evidence = fromGuardDuty ? guardDutyEvidence(finding) : undefined;
  const title = removeNames(finding.Title ?? type, securityHubUserNames(finding));
  const count = Number(productField(finding, 'aws/guardduty/service/count'));

  const awsFinding: AwsFinding = {
    source: SECURITYHUB_VENDOR_NAME,
    product,
    type,
    title,
    severity,
    updatedAt,
    consoleUrl,
    facts: withoutEmpty({
      findingId: finding.Id,
      product,
      company: finding.CompanyName ?? productField(finding, 'aws/securityhub/CompanyName'),
      productArn: finding.ProductArn,
      generatorId: finding.GeneratorId,
      findingType: type,
      types: finding.Types?.slice(0, 10),
      title,
      severity,
      severityNormalized: finding.Severity.Normalized,
      count: Number.isInteger(count) ? count : undefined,
      firstSeen: toUtcIso(finding.FirstObservedAt),
      lastSeen: toUtcIso(finding.LastObservedAt),
      createdAt: toUtcIso(finding.CreatedAt),
      updatedAt,
      accountId,
      region,
      recordState: finding.RecordState,
      workflowStatus: finding.Workflow?.Status,
      complianceStatus: finding.Compliance?.Status,
      customAction: around.actionName,
      threatListNames: evidence?.threatListNames,
      threatNames: evidence?.threatNames,
      consoleUrl,
      productUrl: httpUrlOnly(finding.SourceUrl),
      remediationUrl: httpUrlOnly(finding.Remediation?.Recommendation?.Url),
    }),
    resources,
    observables: observables.list(),
  };

  const gdType = fromGuardDuty ? guardDutyType(finding.Types) : undefined;
  const gdVerdict =
    gdType !== undefined && evidence !== undefined
      ? guardDutyThreatIntelVerdict(gdType, evidence)
      : undefined;
  const verdictSource = fromGuardDuty ? GUARDDUTY_VENDOR_NAME : SECURITYHUB_VENDOR_NAME;

  return buildFindingRecords(awsFinding, (entry) => {
    if (entry.roles.includes('threat_indicator')) {
      return indicatorVerdict(entry, product, verdictSource);
    }
    if (gdVerdict !== undefined && entry.roles.some((role) => VERDICT_ROLES.has(role))) {
      return { ...gdVerdict, source: GUARDDUTY_VENDOR_NAME };
    }
    return undefined;
  });
}

/**
 * Judges a threat intelligence indicator Malicious: it names a value the product matched
 * against threat intelligence, and every category ASFF defines for indicators (backdoor,
 * card stealer, command and control, drop site, exploit site, keylogger) is malicious.
 */
function indicatorVerdict(
  entry: FindingObservable,
  product: string,
  source: string,
): SourcedVerdict {
  const category = entry.context.indicatorCategory;
  const feed = entry.context.indicatorSource;
  return {
    finding: 'Malicious',
    source,
    reason:
      `${product} lists ${entry.observable.value} as a threat intelligence indicator` +
      `${typeof category === 'string' ? ` of category ${category}` : ''}` +
      `${typeof feed === 'string' ? ` from ${feed}` : ''}.`,
  };
}

/**
 * Finds the account, region and partition of a finding. The account comes from
 * `AwsAccountId`, else the event, else the `Id` ARN. The region comes from `Region`, else the
 * event, else the `Id` ARN, else the first resource that names one. The partition comes from
 * the first resource that names one, else the `ProductArn`.
 */
function locate(
  finding: AsffFinding,
  envelope: EventBridgeEnvelope,
): { accountId?: string; region?: string; partition?: string } {
  const idArn = parseArn(finding.Id);
  const accountId = finding.AwsAccountId ?? envelope.account ?? (idArn?.accountId || undefined);
  const region =
    finding.Region ??
    envelope.region ??
    (idArn?.region || undefined) ??
    finding.Resources.find((resource) => resource.Region)?.Region ??
    undefined;
  const partition =
    finding.Resources.find((resource) => resource.Partition)?.Partition ??
    parseArn(finding.ProductArn ?? '')?.partition;
  return { accountId, region, partition };
}
