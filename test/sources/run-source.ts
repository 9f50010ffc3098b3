import { readFileSync } from 'node:fs';
import type * as z from 'zod';
import { relayRecordSchema, type RelayRecord } from '../../functions/records/record.ts';
import { NormalizationError, type SourceAdapter } from '../../functions/sources/source.ts';

export const RECEIVED_AT = new Date('2025-06-02T08:00:00.000Z');

export type SourceOutcome =
  | { outcome: 'records'; records: RelayRecord[] }
  | { outcome: 'invalid'; error: z.ZodError }
  | { outcome: 'rejected'; error: NormalizationError };

/**
 * Runs a payload through a source's schema and normalizer, as ingest does, and checks every
 * record against the record model. A thrown error other than a NormalizationError propagates.
 */
export function runSource(source: SourceAdapter, json: unknown): SourceOutcome {
  const parsed = source.payloadSchema.safeParse(json);
  if (!parsed.success) return { outcome: 'invalid', error: parsed.error };
  let records: RelayRecord[];
  try {
    records = source.normalize(parsed.data, { receivedAt: RECEIVED_AT });
  } catch (error) {
    if (error instanceof NormalizationError) {
      return { outcome: 'rejected', error };
    }
    throw error;
  }
  for (const record of records) relayRecordSchema.parse(record);
  return { outcome: 'records', records };
}

/** Runs a payload and returns its records, failing with the reason when there are none. */
export function recordsOf(source: SourceAdapter, json: unknown): RelayRecord[] {
  const result = runSource(source, json);
  if (result.outcome === 'records') return result.records;
  throw new Error(`expected records, got ${result.outcome}: ${result.error.message}`);
}

export function readJson(url: URL): unknown {
  return JSON.parse(readFileSync(url, 'utf8'));
}
