import type { Finding } from '../../records/finding.ts';
import type { Verdict } from './verdict.ts';

/** Vendor name on the lookup results of GuardDuty findings, whichever way they arrive. */
export const GUARDDUTY_VENDOR_NAME = 'AWS GuardDuty';

/** The threat lists and threat names a GuardDuty finding cites as its evidence. */
export interface ThreatIntelEvidence {
  threatListNames: string[];
  threatNames: string[];
}

interface TypeRule {
  /** Matched against the finding type, `ThreatPurpose:ResourceType/ThreatFamily.Mechanism!Artifact`. */
  pattern: RegExp;
  finding: Finding;
  /** Completes "The finding type … reports …". */
  reports: string;
}

/**
 * GuardDuty finding types whose detection rests on threat intelligence about the remote
 * address or the domain queried, rather than on behaviour. Types not listed give no verdict,
 * whatever their severity: a port probe or a brute-force attempt shows what an address did
 * once, not what it is.
 */
export const THREAT_INTEL_TYPE_RULES: readonly TypeRule[] = [
  {
    pattern: /MaliciousIPCaller/,
    finding: 'Malicious',
    reports: 'a call from an IP address on a threat list',
  },
  {
    pattern: /^Backdoor:[^/]+\/C&CActivity/,
    finding: 'Malicious',
    reports: 'communication with a known command and control server',
  },
  {
    pattern: /^CryptoCurrency:/,
    finding: 'Malicious',
    reports: 'communication with an address known for cryptocurrency mining',
  },
  {
    pattern: /\/BitcoinDomainRequest\.Reputation$/,
    finding: 'Malicious',
    reports: 'a query for a domain name known for cryptocurrency mining',
  },
  {
    pattern: /^Trojan:/,
    finding: 'Malicious',
    reports: 'communication with an address known to be used by trojans',
  },
  {
    pattern: /\/MaliciousDomainRequest\.Reputation$/,
    finding: 'Malicious',
    reports: 'a query for a domain name with a malicious reputation',
  },
  {
    pattern: /\/(?:Suspicious|Abused)DomainRequest\.Reputation$/,
    finding: 'Suspicious',
    reports: 'a query for a domain name with a low reputation',
  },
];

/**
 * Decides the verdict that a GuardDuty finding gives the remote address or domain name it is
 * about, or returns undefined when the finding does not rest on threat intelligence. A
 * finding that cites a threat list is Malicious whatever its type; otherwise the first rule of
 * THREAT_INTEL_TYPE_RULES that matches the type decides.
 *
 * @example guardDutyThreatIntelVerdict('Trojan:EC2/DropPoint', { threatListNames: [], threatNames: [] })
 * // { finding: 'Malicious', reason: 'The GuardDuty finding type Trojan:EC2/DropPoint reports …' }
 */
export function guardDutyThreatIntelVerdict(
  type: string,
  evidence: ThreatIntelEvidence,
): Verdict | undefined {
  const cited = describeEvidence(evidence);
  if (evidence.threatListNames.length > 0 || evidence.threatNames.length > 0) {
    return {
      finding: 'Malicious',
      reason: `The GuardDuty finding ${type} cites threat intelligence${cited}.`,
    };
  }
  const rule = THREAT_INTEL_TYPE_RULES.find((candidate) => candidate.pattern.test(type));
  if (rule === undefined) return undefined;
  return {
    finding: rule.finding,
    reason: `The GuardDuty finding type ${type} reports ${rule.reports}.`,
  };
}

function describeEvidence(evidence: ThreatIntelEvidence): string {
  const parts: string[] = [];
  if (evidence.threatListNames.length > 0) {
    parts.push(`threat list ${evidence.threatListNames.join(', ')}`);
  }
  if (evidence.threatNames.length > 0) parts.push(`threat ${evidence.threatNames.join(', ')}`);
  return parts.length === 0 ? '' : ` (${parts.join('; ')})`;
}
