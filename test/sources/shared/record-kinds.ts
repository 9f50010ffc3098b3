import type {
  ObservableEnrichment,
  RelayRecord,
  ThreatLookupResult,
} from '../../../functions/records/record.ts';

/** Returns the first threat lookup result of a source's records, failing when there is none. */
export function lookupOf(records: readonly RelayRecord[]): ThreatLookupResult {
  const lookup = records.find((record) => record.kind === 'threat_lookup_result');
  if (lookup?.kind !== 'threat_lookup_result') throw new Error('no threat lookup result');
  return lookup;
}

/** Returns the first observable enrichment of a source's records, failing when there is none. */
export function enrichmentOf(records: readonly RelayRecord[]): ObservableEnrichment {
  const enrichment = records.find((record) => record.kind === 'observable_enrichment');
  if (enrichment?.kind !== 'observable_enrichment') throw new Error('no observable enrichment');
  return enrichment;
}
