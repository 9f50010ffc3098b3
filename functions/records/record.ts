import * as z from 'zod';
import { findingSchema } from './finding.ts';
import { observableSchema } from './observable.ts';

/**
 * The relay's own record model, which sources produce. The SecOps client maps a record to
 * the instance's column names (see `columns.ts`) only when it posts it, so a change of
 * column configuration also applies to records already queued.
 */

/**
 * Maximum raw payload length on a record, in UTF-16 code units; the sandbox instance rejects
 * longer values, and a record this size still fits a queue message.
 * NOTE: the real limit is the column's max length in the instance's dictionary, which is
 * not published; 65,000 is this project's assumption for a large string column.
 */
export const MAX_RAW_PAYLOAD_LENGTH = 65_000;

/** A text with content: empty and whitespace-only values are rejected at ingest. */
const nonBlank = (max: number) =>
  z
    .string()
    .max(max)
    .refine((value) => value.trim() !== '', 'must not be empty or only whitespace');

/** Maximum length of the details object once serialized as JSON, in UTF-16 code units. */
export const MAX_DETAILS_LENGTH = 60_000;

const sourceName = nonBlank(100);
const isoTimestamp = z.iso.datetime({ offset: true });
const summary = z.string().max(4000);
const details = z
  .record(z.string(), z.unknown())
  .refine(
    (value) => serializedLength(value) <= MAX_DETAILS_LENGTH,
    `must serialize to at most ${MAX_DETAILS_LENGTH} characters of JSON, without deep nesting; keep the large parts in rawPayload`,
  );
// Instances render URL columns as links, so only web URLs are accepted, never javascript: or data:.
const reportUrl = z.url({ protocol: /^https?$/ });
const rawPayload = z.string().max(MAX_RAW_PAYLOAD_LENGTH);

function serializedLength(value: unknown): number {
  try {
    return JSON.stringify(value).length;
  } catch {
    // Nesting deep enough to overflow the stack cannot be sent as a column value either.
    return Number.POSITIVE_INFINITY;
  }
}

export const threatLookupResultSchema = z.object({
  kind: z.literal('threat_lookup_result'),
  observable: observableSchema,
  finding: findingSchema,
  source: sourceName,
  summary: summary.optional(),
  reportUrl: reportUrl.optional(),
  lookedUpAt: isoTimestamp.optional(),
  rawPayload: rawPayload.optional(),
});

export const observableEnrichmentSchema = z.object({
  kind: z.literal('observable_enrichment'),
  observable: observableSchema,
  source: sourceName,
  summary: summary.optional(),
  enrichedAt: isoTimestamp.optional(),
  details: details.optional(),
  rawPayload: rawPayload.optional(),
});

export const ciEnrichmentSchema = z.object({
  kind: z.literal('ci_enrichment'),
  /** The configuration item's name or identifier as the instance knows it (host name, instance id). */
  ci: nonBlank(255),
  ciClass: nonBlank(80).optional(),
  source: sourceName,
  summary: summary.optional(),
  enrichedAt: isoTimestamp.optional(),
  details: details.optional(),
  rawPayload: rawPayload.optional(),
});

export const enrichmentMappingRecordSchema = z.object({
  kind: z.literal('enrichment_mapping'),
  /** sys_id of an existing Security Operations enrichment data map. */
  enrichmentMappingId: z
    .string()
    .regex(/^[0-9a-f]{32}$/, 'must be the 32-character sys_id of an enrichment data map'),
  /** The text the mapping parses, as the mapping expects it (often a JSON document). */
  rawData: z.string().min(1).max(MAX_RAW_PAYLOAD_LENGTH),
});

export const relayRecordSchema = z.discriminatedUnion('kind', [
  threatLookupResultSchema,
  observableEnrichmentSchema,
  ciEnrichmentSchema,
  enrichmentMappingRecordSchema,
]);

export type ThreatLookupResult = z.infer<typeof threatLookupResultSchema>;
export type ObservableEnrichment = z.infer<typeof observableEnrichmentSchema>;
export type CiEnrichment = z.infer<typeof ciEnrichmentSchema>;
export type EnrichmentMappingRecord = z.infer<typeof enrichmentMappingRecordSchema>;
export type RelayRecord = z.infer<typeof relayRecordSchema>;
export type RecordKind = RelayRecord['kind'];

export const RECORD_KINDS = [
  'threat_lookup_result',
  'observable_enrichment',
  'ci_enrichment',
  'enrichment_mapping',
] as const satisfies readonly RecordKind[];
