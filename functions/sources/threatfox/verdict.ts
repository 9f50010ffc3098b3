import type { ObservableType } from '../../records/observable.ts';
import type { Verdict } from '../shared/verdict.ts';

/**
 * Confidence level (0-100) from which a ThreatFox IOC counts as Malicious. 75 is the default
 * `confidence_threshold` of Cortex XSOAR's ThreatFox feed (demisto/content,
 * Packs/FeedThreatFox/Integrations/FeedThreatFox/FeedThreatFox.py, commit
 * 225c404d9c0dfc5640b9b7e1970f5b2069d994df), below which that feed does not import an IOC.
 */
export const THREATFOX_MALICIOUS_CONFIDENCE = 75;

export interface IocVerdictInput {
  /** Highest `confidence_level` among the IOCs for the observable, if any IOC has one. */
  confidence?: number;
  /** True when an IOC marks the observable as compromised (`is_compromised`). */
  compromised: boolean;
  observableType: ObservableType;
}

/**
 * Decides the finding of an observable that ThreatFox lists as an IOC. Every ThreatFox IOC
 * was reported as malware infrastructure or a malware sample, so the finding is never
 * Clean or Unknown:
 * 1. confidence ≥ THREATFOX_MALICIOUS_CONFIDENCE → Malicious, except for a domain, IP
 *    address or e-mail address marked `is_compromised`: a legitimate system that attackers
 *    took over, which stays Suspicious so its legitimate use is not marked too;
 * 2. a lower confidence, or none → Suspicious.
 */
export function decideIocVerdict(input: IocVerdictInput): Verdict {
  const { confidence } = input;
  if (confidence === undefined) {
    return {
      finding: 'Suspicious',
      reason: 'ThreatFox gave no confidence level, so the IOC counts as Suspicious.',
    };
  }
  if (confidence < THREATFOX_MALICIOUS_CONFIDENCE) {
    return {
      finding: 'Suspicious',
      reason:
        `Confidence ${confidence} is below the Malicious threshold of ` +
        `${THREATFOX_MALICIOUS_CONFIDENCE}, so it counts as Suspicious.`,
    };
  }
  const system = input.observableType !== 'url' && !isHash(input.observableType);
  if (input.compromised && system) {
    return {
      finding: 'Suspicious',
      reason:
        `Confidence ${confidence} reaches the Malicious threshold of ` +
        `${THREATFOX_MALICIOUS_CONFIDENCE}, but ThreatFox marks it as compromised (a ` +
        'legitimate system that attackers took over), so it counts as Suspicious.',
    };
  }
  return {
    finding: 'Malicious',
    reason: `Confidence ${confidence} reaches the Malicious threshold of ${THREATFOX_MALICIOUS_CONFIDENCE}.`,
  };
}

function isHash(type: ObservableType): boolean {
  return type === 'md5' || type === 'sha1' || type === 'sha256' || type === 'sha512';
}
