import type { RelayRecord } from '../../records/record.ts';
import { guardNonRoutable } from '../shared/verdict.ts';
import type { GenericPayload } from './schema.ts';

/**
 * Returns the records of a validated `generic` payload. The schema has already checked each
 * one against the record model and canonicalized its observable, so the records pass
 * through with the `source` (vendor name) their sender gave. The one change: a Malicious or
 * Suspicious finding on an address that is not routed on the internet becomes Unknown, as
 * for every vendor source, with the reason in front of the sender's summary.
 */
export function normalizeGeneric(payload: GenericPayload): RelayRecord[] {
  return payload.records.map((record) => {
    if (record.kind !== 'threat_lookup_result') return record;
    const verdict = guardNonRoutable(record.observable, {
      finding: record.finding,
      reason: record.summary ?? '',
    });
    if (verdict.finding === record.finding) return record;
    return { ...record, finding: verdict.finding, summary: verdict.reason.trim().slice(0, 4000) };
  });
}
