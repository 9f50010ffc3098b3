import type { Finding } from '../../records/finding.ts';

/** The VirusTotal object types that are reports on one observable. */
export type ReportType = 'file' | 'url' | 'domain' | 'ip_address';

/**
 * Verdict thresholds, taken from the defaults of Cortex XSOAR's VirusTotal v3 integration
 * (demisto/content, Packs/VirusTotal/Integrations/VirusTotalV3/VirusTotalV3.yml and the
 * ScoreCalculator class in VirusTotalV3.py, commit c2d367498e21d57b40a37f76ff754b356bd14447).
 * docs/sources.md explains which of its rules the relay adopts and which it leaves out.
 */
export const VIRUSTOTAL_THRESHOLDS = {
  /** Engines with category "malicious" from which a report counts as Malicious. */
  malicious: { file: 10, url: 10, domain: 10, ip_address: 10 },
  /** Engines with category "malicious" or "suspicious" from which a report counts as Suspicious. */
  suspicious: { file: 5, url: 5, domain: 5, ip_address: 5 },
  /** Average popularity rank at or below which a URL, domain or IP counts as Clean. */
  popularityRank: 10_000,
  /** Crowdsourced YARA matches from which a file counts as suspicious by rules. */
  yaraMatches: 1,
  /** Sigma or IDS rule hits of severity high plus critical from which a file counts as suspicious by rules. */
  sigmaOrIdsHighAndCritical: 5,
} as const;

/** Inputs of the verdict rules, read from a report or an analysis. */
export interface VerdictInput {
  type: ReportType;
  /** `last_analysis_stats` of a report, or `stats` of an analysis. */
  stats?: Readonly<Record<string, number>>;
  popularityRanks?: Readonly<Record<string, { rank: number }>>;
  yaraMatches?: number;
  sigmaStats?: Readonly<Record<string, number>>;
  idsStats?: Readonly<Record<string, number>>;
  /** `gti_assessment.verdict.value`, such as "VERDICT_MALICIOUS". */
  gtiVerdict?: string;
}

export interface Verdict {
  finding: Finding;
  /** One sentence naming the rule that decided, for the record's summary. */
  reason: string;
}

/**
 * Decides the finding of a VirusTotal report, in this order:
 * 1. A Google Threat Intelligence verdict VERDICT_MALICIOUS → Malicious.
 * 2. No engine results (no stats, or no engine returned malicious, suspicious, harmless or
 *    undetected): crowdsourced rules or a GTI VERDICT_SUSPICIOUS → Suspicious, else
 *    Unknown, because ServiceNow reads Clean as "this vendor vouches for it".
 * 3. URL, domain, IP: average popularity rank within the threshold → Clean, even with
 *    detections; then the malicious and suspicious thresholds.
 *    File: the malicious threshold; then the suspicious threshold and the crowdsourced
 *    YARA, Sigma and IDS rules, where both together → Malicious and either → Suspicious.
 * 4. A result of Clean with a GTI VERDICT_SUSPICIOUS → Suspicious.
 */
export function decideVerdict(input: VerdictInput): Verdict {
  if (input.gtiVerdict === 'VERDICT_MALICIOUS') {
    return {
      finding: 'Malicious',
      reason: 'Google Threat Intelligence assessed it as malicious (VERDICT_MALICIOUS).',
    };
  }

  const byEngines = hasEngineResults(input.stats)
    ? decideByEngines(input, input.stats)
    : decideWithoutEngines(input);
  if (byEngines.finding === 'Clean' && input.gtiVerdict === 'VERDICT_SUSPICIOUS') {
    return gtiSuspicious();
  }
  return byEngines;
}

/** Number of engines that returned a result, so that timeouts and failures do not count. */
export function countEnginesWithResult(
  stats: Readonly<Record<string, number>> | undefined,
): number {
  if (stats === undefined) return 0;
  return (
    (stats.malicious ?? 0) +
    (stats.suspicious ?? 0) +
    (stats.harmless ?? 0) +
    (stats.undetected ?? 0)
  );
}

function hasEngineResults(
  stats: Readonly<Record<string, number>> | undefined,
): stats is Readonly<Record<string, number>> {
  return countEnginesWithResult(stats) > 0;
}

function decideWithoutEngines(input: VerdictInput): Verdict {
  if (input.type === 'file') {
    const rules = describeRuleMatches(input);
    if (rules !== undefined) {
      return { finding: 'Suspicious', reason: `Without engine results, ${rules}.` };
    }
  }
  if (input.gtiVerdict === 'VERDICT_SUSPICIOUS') return gtiSuspicious();
  return {
    finding: 'Unknown',
    reason: 'Without engine results the finding is Unknown, not Clean.',
  };
}

function decideByEngines(input: VerdictInput, stats: Readonly<Record<string, number>>): Verdict {
  const malicious = stats.malicious ?? 0;
  const flagged = malicious + (stats.suspicious ?? 0);
  const maliciousThreshold = VIRUSTOTAL_THRESHOLDS.malicious[input.type];
  const suspiciousThreshold = VIRUSTOTAL_THRESHOLDS.suspicious[input.type];

  if (input.type !== 'file') {
    const averageRank = averagePopularityRank(input.popularityRanks);
    if (averageRank !== undefined && averageRank <= VIRUSTOTAL_THRESHOLDS.popularityRank) {
      return {
        finding: 'Clean',
        reason:
          `Its average popularity rank ${formatNumber(averageRank)} is within the top ` +
          `${VIRUSTOTAL_THRESHOLDS.popularityRank}, which counts as Clean whatever the engines say.`,
      };
    }
  }

  if (malicious >= maliciousThreshold) {
    return {
      finding: 'Malicious',
      reason: `${malicious} malicious detections reach the Malicious threshold of ${maliciousThreshold}.`,
    };
  }

  const suspiciousByThreshold = flagged >= suspiciousThreshold;
  const rules = input.type === 'file' ? describeRuleMatches(input) : undefined;
  const thresholdReason = `${flagged} malicious or suspicious detections reach the Suspicious threshold of ${suspiciousThreshold}`;

  if (suspiciousByThreshold && rules !== undefined) {
    return {
      finding: 'Malicious',
      reason: `${thresholdReason}, and ${rules}; both together count as Malicious.`,
    };
  }
  if (rules !== undefined)
    return { finding: 'Suspicious', reason: `Detections stay below the thresholds, but ${rules}.` };
  if (suspiciousByThreshold) return { finding: 'Suspicious', reason: `${thresholdReason}.` };
  return {
    finding: 'Clean',
    reason: `The malicious or suspicious detections (${flagged}) stay below the Suspicious threshold of ${suspiciousThreshold}.`,
  };
}

/** Describes the crowdsourced rule matches that make a file suspicious, or undefined when none do. */
function describeRuleMatches(input: VerdictInput): string | undefined {
  const matches: string[] = [];
  const yara = input.yaraMatches ?? 0;
  if (yara >= VIRUSTOTAL_THRESHOLDS.yaraMatches) {
    matches.push(`${yara} crowdsourced YARA ${yara === 1 ? 'rule' : 'rules'} matched`);
  }
  const sigma = highAndCritical(input.sigmaStats);
  if (sigma >= VIRUSTOTAL_THRESHOLDS.sigmaOrIdsHighAndCritical) {
    matches.push(`${sigma} high or critical Sigma rule hits`);
  }
  const ids = highAndCritical(input.idsStats);
  if (ids >= VIRUSTOTAL_THRESHOLDS.sigmaOrIdsHighAndCritical) {
    matches.push(`${ids} high or critical IDS rule hits`);
  }
  return matches.length === 0 ? undefined : matches.join(' and ');
}

function highAndCritical(stats: Readonly<Record<string, number>> | undefined): number {
  return (stats?.high ?? 0) + (stats?.critical ?? 0);
}

function averagePopularityRank(
  ranks: Readonly<Record<string, { rank: number }>> | undefined,
): number | undefined {
  const values = Object.values(ranks ?? {});
  if (values.length === 0) return undefined;
  return values.reduce((sum, entry) => sum + entry.rank, 0) / values.length;
}

function gtiSuspicious(): Verdict {
  return {
    finding: 'Suspicious',
    reason: 'Google Threat Intelligence assessed it as suspicious (VERDICT_SUSPICIOUS).',
  };
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}
