import { truncate } from '../shared/detail-values.ts';
import type { Verdict } from '../shared/verdict.ts';
import type { OtxGeneral } from './schema.ts';

/**
 * Pulses from which an indicator without validation notes counts as Malicious. 2 is the
 * `default_threshold` of Cortex XSOAR's AlienVault OTX v2 integration (demisto/content,
 * Packs/AlienVault_OTX/Integrations/AlienVault_OTX_v2/AlienVault_OTX_v2.yml, commit
 * 0efef4ce90456e7aa7f77de53fe7f51de81001d3).
 */
export const OTX_MALICIOUS_PULSES = 2;

/** Validation sources by which OTX marks an indicator as benign. */
const WHITELISTING_SOURCES = new Set(['whitelist', 'false_positive']);
const WHITELISTING_TEXT = /whitelist|false positive/i;

type Validation = NonNullable<OtxGeneral['validation']>[number];

/**
 * Decides the finding of an OTX general section, in this order:
 * 1. OTX whitelists it, or accepted a false-positive report on it → Clean, whatever the
 *    pulses contain, because OTX itself vouches for the indicator. A whitelisting entry
 *    comes from the `whitelist` or `false_positive` source, or its name or message calls
 *    the indicator whitelisted or a known false positive (majestic's "Whitelisted domain").
 * 2. No pulse → Unknown: OTX has no data on it, which is not a vouch.
 * 3. Another validation entry (a cloud provider range, a popular domain) → Suspicious at
 *    most: shared infrastructure collects pulses about its tenants.
 * 4. At least OTX_MALICIOUS_PULSES pulses → Malicious; one pulse → Suspicious.
 */
export function decideOtxVerdict(general: OtxGeneral): Verdict {
  const validations = general.validation ?? [];
  const pulses = general.pulse_info.count;

  const whitelisting = validations.find(isWhitelisting);
  if (whitelisting !== undefined) {
    return {
      finding: 'Clean',
      reason: `OTX whitelists it (${describeValidation(whitelisting)}), so it counts as Clean.`,
    };
  }
  const accepted = (general.false_positive ?? []).find(
    (report) => report.assessment === 'accepted',
  );
  if (accepted !== undefined) {
    return {
      finding: 'Clean',
      reason: 'OTX accepted a false-positive report on it, so it counts as Clean.',
    };
  }
  if (pulses === 0) {
    return {
      finding: 'Unknown',
      reason: 'Without pulses the finding is Unknown, not Clean.',
    };
  }
  if (validations.length > 0) {
    return {
      finding: 'Suspicious',
      reason:
        `OTX notes ${validations.map(describeValidation).join('; ')}. Pulses about shared ` +
        'infrastructure often describe its tenants, so it counts as Suspicious, not Malicious.',
    };
  }
  if (pulses >= OTX_MALICIOUS_PULSES) {
    return {
      finding: 'Malicious',
      reason: `${pulses} pulses reach the Malicious threshold of ${OTX_MALICIOUS_PULSES}.`,
    };
  }
  return {
    finding: 'Suspicious',
    reason: `One pulse stays below the Malicious threshold of ${OTX_MALICIOUS_PULSES}, so it counts as Suspicious.`,
  };
}

/** Checks whether a validation entry marks the indicator as benign (whitelisted or a known false positive). */
export function isWhitelisting(validation: Validation): boolean {
  if (validation.source && WHITELISTING_SOURCES.has(validation.source)) return true;
  return WHITELISTING_TEXT.test(`${validation.name ?? ''} ${validation.message ?? ''}`);
}

function describeValidation(validation: Validation): string {
  const name = validation.name ?? validation.source ?? 'a validation entry';
  const message =
    validation.message && validation.message !== name ? `: ${validation.message}` : '';
  return truncate(`${name}${message}`, 200);
}
