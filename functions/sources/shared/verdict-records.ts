import type { Observable } from '../../records/observable.ts';
import type { ObservableEnrichment, ThreatLookupResult } from '../../records/record.ts';
import { fitDetails, truncate, withoutEmpty } from './detail-values.ts';
import { guardNonRoutable, observableIpScope, type Verdict } from './verdict.ts';

/** Maximum summary length the record model accepts. */
const MAX_SUMMARY_LENGTH = 4000;

/** Facts a source read about one observable, before they become records. */
export interface EnrichmentParts {
  /** Vendor name written to the records' `source`, such as "URLhaus". */
  source: string;
  observable: Observable;
  /** Sentence of facts for the enrichment's summary, such as "URLhaus lists 3 URLs on this host." */
  summary: string;
  /** Time of the lookup or report, ISO 8601. */
  observedAt: string;
  details: Record<string, unknown>;
  /** The vendor's page about the observable; also put into the enrichment details. */
  reportUrl?: string;
}

export interface VerdictRecordParts extends EnrichmentParts {
  verdict: Verdict;
  rawPayload?: string;
}

/**
 * Builds a threat lookup result and an observable enrichment for one observable. The verdict
 * passes through `guardNonRoutable` first, so a private or loopback address never gets
 * Malicious or Suspicious. The lookup summary is the enrichment summary followed by the
 * verdict's reason.
 */
export function buildVerdictRecords(
  parts: VerdictRecordParts,
): [ThreatLookupResult, ObservableEnrichment] {
  const verdict = guardNonRoutable(parts.observable, parts.verdict);
  const lookup: ThreatLookupResult = {
    kind: 'threat_lookup_result',
    observable: parts.observable,
    finding: verdict.finding,
    source: parts.source,
    summary: truncate(`${parts.summary} ${verdict.reason}`, MAX_SUMMARY_LENGTH),
    lookedUpAt: parts.observedAt,
    ...(parts.reportUrl !== undefined && { reportUrl: parts.reportUrl }),
    ...(parts.rawPayload !== undefined && { rawPayload: parts.rawPayload }),
  };
  return [lookup, buildEnrichmentRecord(parts)];
}

/**
 * Builds an observable enrichment without a verdict, with the address scope of an IP
 * observable and the report URL added to its details. Details beyond DETAILS_BUDGET are
 * shortened by `fitDetails`.
 */
export function buildEnrichmentRecord(parts: EnrichmentParts): ObservableEnrichment {
  return {
    kind: 'observable_enrichment',
    observable: parts.observable,
    source: parts.source,
    summary: truncate(parts.summary, MAX_SUMMARY_LENGTH),
    enrichedAt: parts.observedAt,
    details: fitDetails(
      withoutEmpty({
        ...parts.details,
        ipScope: observableIpScope(parts.observable),
        reportUrl: parts.reportUrl,
      }),
    ),
  };
}
