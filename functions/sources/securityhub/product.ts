import { capList } from '../shared/detail-values.ts';
import type { ThreatIntelEvidence } from '../shared/guardduty-threat-intel.ts';
import type { AsffFinding } from './schema.ts';

const GUARDDUTY_PRODUCT_ARN = /\/product\/aws\/guardduty$/;
/** At most this many threat list names and threat names are kept from one finding. */
const MAX_THREAT_NAMES = 10;
// Flattened array members end in ".<index>_", as in "threatIntelligenceDetails.0_/threatListName".
const THREAT_LIST_NAME =
  /^aws\/guardduty\/service\/evidence\/threatIntelligenceDetails\.\d+_\/threatListName$/;
const THREAT_NAME =
  /^aws\/guardduty\/service\/evidence\/threatIntelligenceDetails\.\d+_\/threatNames\.\d+_$/;

/** Returns a string member of `ProductFields`, or undefined. */
export function productField(finding: AsffFinding, key: string): string | undefined {
  const value = finding.ProductFields?.[key];
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

/** Returns the string members of `ProductFields` whose keys match a pattern, as [key, value] pairs. */
export function productFieldsMatching(finding: AsffFinding, pattern: RegExp): [string, string][] {
  return Object.entries(finding.ProductFields ?? {}).filter(
    (entry): entry is [string, string] =>
      pattern.test(entry[0]) && typeof entry[1] === 'string' && entry[1].trim() !== '',
  );
}

/** Returns the name of the product that made the finding: "GuardDuty", "Inspector", "Security Hub" … */
export function productName(finding: AsffFinding): string {
  const fromArn = /\/product\/[^/]+\/([^/]+)$/.exec(finding.ProductArn ?? '')?.[1];
  return (
    finding.ProductName ??
    productField(finding, 'aws/securityhub/ProductName') ??
    fromArn ??
    'Security Hub'
  );
}

/** True when GuardDuty made the finding and Security Hub imported it. */
export function isGuardDutyFinding(finding: AsffFinding): boolean {
  return (
    GUARDDUTY_PRODUCT_ARN.test(finding.ProductArn ?? '') || productName(finding) === 'GuardDuty'
  );
}

/**
 * Recovers the GuardDuty finding type from the ASFF `Types` of a GuardDuty finding.
 * GuardDuty writes "TTPs/Initial Access/UnauthorizedAccess:EC2-SSHBruteForce": the last
 * segment is its own type with the "/" after the resource type replaced by "-", because "/"
 * separates the segments of an ASFF type.
 *
 * @example guardDutyType(['TTPs/Command and Control/Backdoor:EC2-C&CActivity.B!DNS']) // 'Backdoor:EC2/C&CActivity.B!DNS'
 */
export function guardDutyType(types: readonly string[] | null | undefined): string | undefined {
  for (const type of types ?? []) {
    const classifier = type.split('/').at(-1) ?? '';
    const match = /^([A-Za-z]+:[A-Za-z0-9]+)-(.+)$/.exec(classifier);
    if (match !== null) return `${match[1]}/${match[2]}`;
  }
  return undefined;
}

/**
 * Names the finding for summaries: the GuardDuty type, else the security control
 * ("EC2.7", "1.3"), else the last segment of the first ASFF type, else the generator.
 */
export function displayType(finding: AsffFinding, guardDuty: boolean): string {
  const gdType = guardDuty ? guardDutyType(finding.Types) : undefined;
  return (
    gdType ??
    finding.Compliance?.SecurityControlId ??
    productField(finding, 'ControlId') ??
    productField(finding, 'RuleId') ??
    finding.Types?.[0]?.split('/').at(-1) ??
    finding.GeneratorId ??
    'finding'
  );
}

/** Reads the threat lists and threat names that a GuardDuty finding cites in its flattened `ProductFields`. */
export function guardDutyEvidence(finding: AsffFinding): ThreatIntelEvidence {
  const listNames = productFieldsMatching(finding, THREAT_LIST_NAME).map(([, value]) => value);
  const legacy = productField(finding, 'aws/guardduty/service/additionalInfo/threatListName');
  if (legacy !== undefined) listNames.push(legacy);
  const threatNames = productFieldsMatching(finding, THREAT_NAME).map(([, value]) => value);
  return {
    threatListNames: capList(listNames, MAX_THREAT_NAMES),
    threatNames: capList(threatNames, MAX_THREAT_NAMES),
  };
}
