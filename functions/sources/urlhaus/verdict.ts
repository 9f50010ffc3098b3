import type { Verdict } from '../shared/verdict.ts';

/**
 * Spamhaus DBL categories that make a host Malicious. They follow Cortex XSOAR's URLhaus
 * integration (demisto/content, Packs/URLHaus/Integrations/URLHaus/URLHaus.py, commit
 * 919ed3ba9570a3b31c03b9c72cc2fc1c320f9da4). The `abused_legit_*` and `abused_redirector`
 * categories are left out on purpose: they mark a legitimate domain that attackers misuse.
 */
export const MALICIOUS_SPAMHAUS_DBL_CATEGORIES: readonly string[] = [
  'spammer_domain',
  'phishing_domain',
  'botnet_cc_domain',
];

/** The SURBL value that makes a host Malicious. */
export const SURBL_LISTED = 'listed';

/**
 * Decides the finding of a URL from its `url_status`. Every URL in URLhaus was verified as
 * a malware distribution site, so being listed is itself evidence:
 * - `online`: it serves malware now → Malicious;
 * - `offline`: it served malware and is no longer reachable → Suspicious, because the host may
 *   come back or be cleaned up;
 * - `unknown` or missing: URLhaus could not check it lately → Suspicious.
 */
export function decideUrlVerdict(status: string | null | undefined): Verdict {
  switch (status) {
    case 'online':
      return { finding: 'Malicious', reason: 'An online URLhaus URL counts as Malicious.' };
    case 'offline':
      return {
        finding: 'Suspicious',
        reason: 'An offline URLhaus URL served malware before, so it counts as Suspicious.',
      };
    default:
      return {
        finding: 'Suspicious',
        reason:
          'URLhaus verified that this URL served malware but does not know whether it is ' +
          'online now, so it counts as Suspicious.',
      };
  }
}

export interface HostVerdictInput {
  spamhausDbl?: string | null;
  surbl?: string | null;
  /** URLs URLhaus lists on the host: `url_count`, else the length of `urls[]`. */
  urlCount: number;
}

/**
 * Decides the finding of a host (domain or IP address). URLhaus tracks URLs, and most hosts
 * in it are compromised or shared sites, so the host counts as Malicious only when a
 * blocklist lists it: a Spamhaus DBL category from MALICIOUS_SPAMHAUS_DBL_CATEGORIES or
 * SURBL "listed". A host with malware URLs but no such listing is Suspicious; a host
 * without URLs is Unknown.
 */
export function decideHostVerdict(input: HostVerdictInput): Verdict {
  const dbl = input.spamhausDbl ?? undefined;
  if (dbl !== undefined && MALICIOUS_SPAMHAUS_DBL_CATEGORIES.includes(dbl)) {
    return {
      finding: 'Malicious',
      reason: `Spamhaus DBL lists it as ${dbl}, which counts as Malicious.`,
    };
  }
  if (input.surbl === SURBL_LISTED) {
    return { finding: 'Malicious', reason: 'SURBL lists it, which counts as Malicious.' };
  }
  if (input.urlCount > 0) {
    return {
      finding: 'Suspicious',
      reason:
        'A host with malware URLs counts as Suspicious, not Malicious, unless Spamhaus DBL ' +
        'or SURBL lists it: it may be a compromised or shared site.',
    };
  }
  return {
    finding: 'Unknown',
    reason: 'URLhaus lists no URL on this host, so the finding is Unknown, not Clean.',
  };
}

/**
 * Decides the finding of a payload, a file URLhaus downloaded from a malware URL. With a
 * malware family (`signature`) it is Malicious. Without one it is Suspicious, because
 * URLhaus collected it from a malware URL but did not identify it.
 */
export function decidePayloadVerdict(signature: string | null | undefined): Verdict {
  if (signature !== undefined && signature !== null && signature.trim() !== '') {
    return {
      finding: 'Malicious',
      reason: 'A payload with a malware family counts as Malicious.',
    };
  }
  return {
    finding: 'Suspicious',
    reason:
      'URLhaus collected this file from a malware URL but named no malware family, so it ' +
      'counts as Suspicious.',
  };
}
