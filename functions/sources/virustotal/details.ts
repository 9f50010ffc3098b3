import { readTimestamp } from '../shared/timestamp-formats.ts';
import type { VirusTotalAttributes } from './schema.ts';
import type { ReportType } from './verdict.ts';

/** Caps that keep `details` to a few KB even for a file with hundreds of names and tags. */
const MAX_LISTED_NAMES = 20;
const MAX_LISTED_TAGS = 50;

type EngineResults = NonNullable<VirusTotalAttributes['last_analysis_results']>;

/** An engine that flagged the observable, with the name it gave the threat. */
export interface FlaggingEngine {
  engine: string;
  category: 'malicious' | 'suspicious';
  result?: string;
}

/**
 * Picks the context an analyst needs from a report's attributes. Every type gets detection
 * counts, the engines that flagged it, dates, reputation, votes, tags and the GTI assessment.
 * A file adds its label, names and hashes, and an IP address its network owner. A domain adds
 * its registrar, categories and popularity, and a URL its final URL, title and HTTP status.
 * The WHOIS text is left out because it may contain personal data.
 */
export function reportDetails(
  type: ReportType,
  id: string,
  attributes: VirusTotalAttributes,
): Record<string, unknown> {
  return withoutEmpty({
    virusTotalType: type,
    virusTotalId: id,
    ...detectionDetails(attributes.last_analysis_stats, attributes.last_analysis_results),
    lastAnalysisDate: isoFromEpoch(attributes.last_analysis_date),
    firstSubmissionDate: isoFromEpoch(attributes.first_submission_date),
    lastSubmissionDate: isoFromEpoch(attributes.last_submission_date),
    timesSubmitted: attributes.times_submitted,
    reputation: attributes.reputation,
    totalVotes: attributes.total_votes,
    tags: capList(attributes.tags, MAX_LISTED_TAGS),
    gtiVerdict: attributes.gti_assessment?.verdict?.value,
    gtiThreatScore: attributes.gti_assessment?.threat_score?.value,
    gtiSeverity: attributes.gti_assessment?.severity?.value,
    ...typeDetails(type, attributes),
  });
}

/** Picks the context of an analysis (GET /api/v3/analyses/{id}): counts, flagging engines, date. */
export function analysisDetails(
  type: ReportType,
  analysisId: string,
  attributes: VirusTotalAttributes,
): Record<string, unknown> {
  return withoutEmpty({
    virusTotalType: type,
    analysisId,
    analysisStatus: attributes.status,
    ...detectionDetails(attributes.stats, attributes.results),
    analysisDate: isoFromEpoch(attributes.date),
  });
}

/** Lists the engines whose category is malicious or suspicious, sorted by engine name. */
export function flaggingEngines(results: EngineResults | null | undefined): FlaggingEngine[] {
  const flagged: FlaggingEngine[] = [];
  for (const [key, entry] of Object.entries(results ?? {})) {
    if (entry.category !== 'malicious' && entry.category !== 'suspicious') continue;
    flagged.push({
      engine: entry.engine_name ?? key,
      category: entry.category,
      ...(entry.result ? { result: entry.result } : {}),
    });
  }
  return flagged.sort((a, b) => a.engine.localeCompare(b.engine));
}

/**
 * Converts VirusTotal's epoch seconds to an ISO 8601 UTC timestamp. VirusTotal documents
 * seconds, but a value in milliseconds is read as such rather than as a date thousands of
 * years ahead; an unreadable value gives undefined.
 */
export function isoFromEpoch(seconds: number | null | undefined): string | undefined {
  if (seconds === undefined || seconds === null) return undefined;
  return readTimestamp(seconds)?.date.toISOString();
}

function detectionDetails(
  stats: Readonly<Record<string, number>> | null | undefined,
  results: EngineResults | null | undefined,
): Record<string, unknown> {
  if (stats === undefined || stats === null) return {};
  const engineCount = Object.values(stats).reduce((sum, count) => sum + count, 0);
  return {
    analysisStats: stats,
    engineCount,
    flaggedBy: flaggingEngines(results),
  };
}

function typeDetails(type: ReportType, attributes: VirusTotalAttributes): Record<string, unknown> {
  switch (type) {
    case 'file':
      return {
        threatLabel: attributes.popular_threat_classification?.suggested_threat_label,
        meaningfulName: attributes.meaningful_name,
        names: capList(attributes.names, MAX_LISTED_NAMES),
        // The total only when the list above was cut.
        namesTotal:
          (attributes.names?.length ?? 0) > MAX_LISTED_NAMES ? attributes.names?.length : undefined,
        fileType: attributes.type_description,
        size: attributes.size,
        md5: attributes.md5,
        sha1: attributes.sha1,
        sha256: attributes.sha256,
        ssdeep: attributes.ssdeep,
        tlsh: attributes.tlsh,
      };
    case 'ip_address':
      return {
        asn: attributes.asn,
        asOwner: attributes.as_owner,
        country: attributes.country,
        network: attributes.network,
      };
    case 'domain':
      return {
        registrar: attributes.registrar,
        creationDate: isoFromEpoch(attributes.creation_date),
        categories: attributes.categories,
        popularityRanks: popularityRanks(attributes.popularity_ranks),
      };
    case 'url':
      return {
        url: attributes.url,
        lastFinalUrl: attributes.last_final_url,
        title: attributes.title,
        lastHttpResponseCode: attributes.last_http_response_code,
        categories: attributes.categories,
      };
  }
}

function popularityRanks(
  ranks: VirusTotalAttributes['popularity_ranks'],
): Record<string, number> | undefined {
  if (ranks === undefined || ranks === null) return undefined;
  return Object.fromEntries(Object.entries(ranks).map(([list, entry]) => [list, entry.rank]));
}

function capList(values: string[] | null | undefined, max: number): string[] | undefined {
  return values?.slice(0, max);
}

/** Drops undefined and null values and empty lists and maps, so details hold only facts. */
function withoutEmpty(details: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(details).filter(([, value]) => {
      if (value === undefined || value === null) return false;
      if (Array.isArray(value)) return value.length > 0;
      if (typeof value === 'object') return Object.keys(value).length > 0;
      return true;
    }),
  );
}
