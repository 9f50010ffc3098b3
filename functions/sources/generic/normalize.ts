import type { RelayRecord } from '../../records/record.ts';
import type { GenericPayload } from './schema.ts';

/**
 * Returns the records of a validated `generic` payload. The schema has already checked each
 * one against the record model and canonicalized its observable, so the records pass
 * through unchanged, each with the `source` (vendor name) its sender gave.
 */
export function normalizeGeneric(payload: GenericPayload): RelayRecord[] {
  return payload.records;
}
