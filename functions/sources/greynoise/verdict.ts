import type { Verdict } from '../shared/verdict.ts';

/** GreyNoise's findings about an address, read from any response form that has a verdict. */
export interface GreyNoiseSignals {
  /** `classification`: "malicious", "benign" or "unknown" (and "suspicious", should GreyNoise send it). */
  classification?: string;
  /** Whether GreyNoise saw the address scanning the internet (`seen` or `noise`). */
  noise?: boolean;
  /** Whether the address belongs to a known business service (RIOT). */
  riot?: boolean;
  /** RIOT `trust_level`: "1" high, "2" moderate, "3" label only (cloud or hosting). */
  trustLevel?: string;
}

/**
 * Decides the finding of a GreyNoise community lookup, IP context or RIOT lookup, in this order:
 * 1. `classification` malicious → **Malicious**; suspicious → **Suspicious**; benign → **Clean**.
 * 2. In RIOT with trust level 1 → **Clean**: a widely used, legitimate service.
 * 3. Otherwise **Unknown**. This covers an address seen scanning with intent "unknown", because
 *    mass scanning alone is no verdict. It covers RIOT trust levels 2 and 3, which vouch for
 *    the provider rather than for what runs on its address. And it covers an address neither
 *    seen nor in RIOT, on which GreyNoise has no data.
 */
export function decideGreyNoiseVerdict(signals: GreyNoiseSignals): Verdict {
  const classification = signals.classification?.toLowerCase();
  if (classification === 'malicious') {
    return { finding: 'Malicious', reason: 'GreyNoise classifies it as malicious.' };
  }
  if (classification === 'suspicious') {
    return { finding: 'Suspicious', reason: 'GreyNoise classifies it as suspicious.' };
  }
  if (classification === 'benign') {
    return {
      finding: 'Clean',
      reason: 'GreyNoise classifies it as benign: a known scanner or business service.',
    };
  }
  if (signals.riot === true && signals.trustLevel === '1') {
    return {
      finding: 'Clean',
      reason:
        'It belongs to a business service that GreyNoise RIOT trusts at level 1 (high trust).',
    };
  }
  if (signals.noise === true) {
    return {
      finding: 'Unknown',
      reason:
        'GreyNoise saw it scanning the internet but classifies its intent as unknown; mass ' +
        'scanning alone is not a verdict, so the finding is Unknown.',
    };
  }
  if (signals.riot === true) {
    const level =
      signals.trustLevel === undefined ? 'no trust level' : `trust level ${signals.trustLevel}`;
    return {
      finding: 'Unknown',
      reason:
        `It belongs to a business service in GreyNoise RIOT with ${level}, which does not ` +
        'vouch for what runs on the address, so the finding is Unknown.',
    };
  }
  return {
    finding: 'Unknown',
    reason:
      'GreyNoise has not seen it scanning the internet and it is not a known business ' +
      'service, so GreyNoise has no data and the finding is Unknown, not Clean.',
  };
}

/**
 * Meanings of the quick check's `code`, as GreyNoise's Python SDK (pygreynoise) lists them;
 * responses carry the same text in `code_message` when GreyNoise sends it. The quick check
 * tells whether GreyNoise saw an address, never whether it is malicious.
 */
export const QUICK_CODES: Readonly<Record<string, string>> = {
  '0x00': 'The IP has never been observed scanning the internet.',
  '0x01': 'The IP has been observed by the GreyNoise sensor network.',
  '0x02':
    'The IP has been observed scanning the GreyNoise sensor network, but has not completed a full connection, so it can be spoofed.',
  '0x03':
    'The IP is adjacent to another host that has been directly observed by the GreyNoise sensor network.',
  '0x04': 'Reserved.',
  '0x05': 'This IP is commonly spoofed in internet-scan activity.',
  '0x06':
    'This IP has been observed as noise, but belongs to a cloud provider where IPs can be cycled frequently.',
  '0x07': 'This IP is invalid.',
  '0x08':
    'This IP was classified as noise, but has not been observed engaging in internet-wide scans or attacks in over 60 days.',
  '0x09': 'The IP was found in RIOT.',
  '0x10': 'The IP has been observed by the GreyNoise sensor network and is in RIOT.',
};

/** The quick-check code for an invalid address, an error rather than a result. */
export const QUICK_CODE_INVALID_IP = '0x07';
