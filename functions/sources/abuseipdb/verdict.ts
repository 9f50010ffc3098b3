import type { IpScope } from '../../records/ip.ts';
import { describeIpScope, type Verdict } from '../shared/verdict.ts';

/**
 * Abuse confidence scores (0-100) from which a report counts as Malicious and as Suspicious.
 * They are the defaults of Cortex XSOAR's AbuseIPDB integration (`threshold` 80 in
 * Packs/AbuseDB/Integrations/AbuseDB/AbuseDB.yml, and the fixed 20 in `getDBotScore`).
 */
export const ABUSEIPDB_THRESHOLDS = { malicious: 80, suspicious: 20 } as const;

/** Inputs of the verdict rules, read from a /check response. */
export interface AbuseIpDbVerdictInput {
  abuseConfidenceScore: number;
  /** `totalReports` (or the older `numReports`); undefined when the response has neither. */
  totalReports: number | undefined;
  /** AbuseIPDB's own `isPublic`; undefined when the response lacks it. */
  isPublic: boolean | undefined;
  /** The relay's scope of the address, from `ipScope`. */
  scope: IpScope;
}

/**
 * Decides the finding of an AbuseIPDB /check response, in this order:
 * 1. AbuseIPDB marks the address as not public (`isPublic: false`), or it is not routed on the
 *    internet (private, multicast, broadcast …) → **Unknown**: AbuseIPDB scores only public
 *    addresses, so its score there means nothing (0.0.0.0 has had 188 reports and score 0).
 * 2. No reports → **Unknown**: AbuseIPDB has no data, which is not a sign of a clean host.
 * 3. Score ≥ 80 → **Malicious**; score ≥ 20 → **Suspicious**.
 * 4. A report count is missing → **Unknown**, because a low score may then mean "no reports".
 * 5. Otherwise (reports exist, score < 20) → **Clean**: AbuseIPDB weighed the reports and
 *    gives little confidence in abuse.
 */
export function decideAbuseIpDbVerdict(input: AbuseIpDbVerdictInput): Verdict {
  const score = input.abuseConfidenceScore;
  if (input.isPublic === false) {
    return {
      finding: 'Unknown',
      reason:
        'AbuseIPDB marks the address as not public (isPublic false) and does not score such ' +
        'addresses, so the finding is Unknown.',
    };
  }
  if (input.scope !== 'public' && input.scope !== 'documentation') {
    return {
      finding: 'Unknown',
      reason:
        `The address is ${describeIpScope(input.scope)}, which is not routed on the internet, ` +
        'so its abuse confidence score says nothing about a host and the finding is Unknown.',
    };
  }
  if (input.totalReports === 0) {
    return {
      finding: 'Unknown',
      reason: 'Without reports AbuseIPDB has no data on it, so the finding is Unknown, not Clean.',
    };
  }
  if (score >= ABUSEIPDB_THRESHOLDS.malicious) {
    return {
      finding: 'Malicious',
      reason: `The score ${score} reaches the Malicious threshold of ${ABUSEIPDB_THRESHOLDS.malicious}.`,
    };
  }
  if (score >= ABUSEIPDB_THRESHOLDS.suspicious) {
    return {
      finding: 'Suspicious',
      reason: `The score ${score} reaches the Suspicious threshold of ${ABUSEIPDB_THRESHOLDS.suspicious}.`,
    };
  }
  if (input.totalReports === undefined) {
    return {
      finding: 'Unknown',
      reason:
        `The score ${score} is below the Suspicious threshold of ${ABUSEIPDB_THRESHOLDS.suspicious}, ` +
        'but the response has no report count, so the finding is Unknown, not Clean.',
    };
  }
  return {
    finding: 'Clean',
    reason:
      `The score ${score} stays below the Suspicious threshold of ${ABUSEIPDB_THRESHOLDS.suspicious} ` +
      'although the address was reported, so AbuseIPDB gives little confidence in abuse.',
  };
}
