import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ObservableEnrichment, RelayRecord } from '../../../functions/records/record.ts';
import type { NormalizationError, SourceAdapter } from '../../../functions/sources/source.ts';
import { RECEIVED_AT, runSource, type SourceOutcome } from '../run-source.ts';

/** An item a source reported through `context.skip`. */
export interface Skip {
  reason: string;
  detail: Record<string, unknown>;
}

/**
 * Runs a payload through a source as `runSource` does, and also collects what the source
 * reported through `context.skip`.
 */
export function runWithSkips(
  source: SourceAdapter,
  json: unknown,
): { result: SourceOutcome; skips: Skip[] } {
  const skips: Skip[] = [];
  const collecting: SourceAdapter = {
    ...source,
    normalize: (payload, context) =>
      source.normalize(payload, {
        ...context,
        receivedAt: RECEIVED_AT,
        skip: (reason, detail) => skips.push({ reason, detail }),
      }),
  };
  return { result: runSource(collecting, json), skips };
}

/** Returns the lookup results' findings by observable value. */
export function findingsOf(records: readonly RelayRecord[]): Record<string, string> {
  return Object.fromEntries(
    records.flatMap((record) =>
      record.kind === 'threat_lookup_result' ? [[record.observable.value, record.finding]] : [],
    ),
  );
}

/**
 * Returns the folder of a vendor's real payloads beside the project and its JSON files, or
 * no files with a warning when the folder is absent (a fresh clone has no corpus).
 */
export function corpusFiles(vendor: string): { folder: string; files: string[] } {
  const folder = path.resolve(process.cwd(), '../shared/corpus', vendor);
  if (!existsSync(folder)) {
    console.warn(`Skipping the ${vendor} corpus tests: ${folder} does not exist.`);
    return { folder, files: [] };
  }
  return {
    folder,
    files: readdirSync(folder)
      .filter((name) => name.endsWith('.json'))
      .sort(),
  };
}

/**
 * Returns the sample files in `events/<sourceId>/` and the section of events/README.md
 * about them, so a test can check that every sample is expected and described.
 */
export function samplesOf(sourceId: string): { files: string[]; readmeSection: string } {
  const events = new URL('../../../events/', import.meta.url);
  const files = readdirSync(new URL(`${sourceId}/`, events))
    .filter((name) => name.endsWith('.json'))
    .sort();
  const readme = readFileSync(new URL('README.md', events), 'utf8');
  const start = readme.indexOf(`## \`${sourceId}/\``);
  const end = readme.indexOf('\n## ', start + 1);
  return {
    files,
    readmeSection: start === -1 ? '' : readme.slice(start, end === -1 ? undefined : end),
  };
}

/** Returns record `index`, failing the test when it is not of `kind`. */
export function recordOfKind<Kind extends RelayRecord['kind']>(
  records: readonly RelayRecord[],
  index: number,
  kind: Kind,
): Extract<RelayRecord, { kind: Kind }> {
  const record = records[index];
  if (record?.kind !== kind) throw new Error(`record ${index} is no ${kind}`);
  return record as Extract<RelayRecord, { kind: Kind }>;
}

/** Returns the lookup result of pair `pair`, for sources that give a lookup result and an enrichment per observable. */
export function lookupOf(records: readonly RelayRecord[], pair = 0) {
  return recordOfKind(records, pair * 2, 'threat_lookup_result');
}

/**
 * Returns the enrichment of pair `pair`, for sources that give a lookup result and an
 * enrichment per observable; fails the test when it has no details.
 */
export function enrichmentOf(records: readonly RelayRecord[], pair = 0) {
  return withDetails(recordOfKind(records, pair * 2 + 1, 'observable_enrichment'));
}

/** Returns an enrichment with its details, failing the test when it has none. */
export function withDetails(record: ObservableEnrichment) {
  const { details } = record;
  if (details === undefined) throw new Error('the enrichment has no details');
  return { ...record, details };
}

/** Runs a payload through a source and returns its NormalizationError, failing the test otherwise. */
export function rejectionOf(source: SourceAdapter, json: unknown): NormalizationError {
  const result = runSource(source, json);
  if (result.outcome !== 'rejected')
    throw new Error(`expected a NormalizationError, got ${result.outcome}`);
  return result.error;
}
