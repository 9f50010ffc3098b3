import { MAX_DETAILS_LENGTH, type RelayRecord } from '../records/record.ts';

/** Key of the marker that names the details entries left out to fit the column. */
export const DETAILS_TRUNCATION_KEY = 'relayTruncated';

/**
 * Fits a record's `details` into MAX_DETAILS_LENGTH characters of JSON, the limit of the
 * record model. With every field within its limit a record always fits in one queue
 * message, so a source that builds larger details gets its record trimmed, not rejected.
 *
 * Nothing is dropped silently: the largest entries go first, and a `relayTruncated` entry
 * names them with the original length, as `{"omitted": ["pe_info"], "originalLength": 91234}`.
 * Returns the record unchanged when its details fit.
 */
export function fitRecord(record: RelayRecord, maxLength = MAX_DETAILS_LENGTH): RelayRecord {
  if (record.kind !== 'observable_enrichment' && record.kind !== 'ci_enrichment') return record;
  const details = record.details;
  if (details === undefined) return record;
  const originalLength = JSON.stringify(details).length;
  if (originalLength <= maxLength) return record;

  const kept: Record<string, unknown> = { ...details };
  const largestFirst = Object.keys(kept).sort((a, b) => jsonLength(kept[b]) - jsonLength(kept[a]));
  const omitted: string[] = [];
  for (const key of largestFirst) {
    delete kept[key];
    omitted.push(key);
    const candidate = { ...kept, [DETAILS_TRUNCATION_KEY]: { omitted, originalLength } };
    if (JSON.stringify(candidate).length <= maxLength) return { ...record, details: candidate };
  }
  // Only a list of omitted keys longer than the column itself gets here.
  return {
    ...record,
    details: { [DETAILS_TRUNCATION_KEY]: { omittedCount: omitted.length, originalLength } },
  };
}

function jsonLength(value: unknown): number {
  return JSON.stringify(value)?.length ?? 0;
}
