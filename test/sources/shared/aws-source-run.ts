import { expect } from 'vitest';
import { isRoutableIp } from '../../../functions/records/ip.ts';
import type { RelayRecord } from '../../../functions/records/record.ts';
import type { SourceAdapter } from '../../../functions/sources/source.ts';
import { findingsOf, runWithSkips, type Skip } from './run-with-skips.ts';

/**
 * Runs a payload through a source and returns its records and the items it skipped, failing
 * the test when the payload gave no records outcome. Shared by the guardduty and securityhub
 * tests.
 */
export function recordsAndSkips(
  source: SourceAdapter,
  json: unknown,
): { records: RelayRecord[]; skips: Skip[] } {
  const { result, skips } = runWithSkips(source, json);
  if (result.outcome !== 'records') {
    throw new Error(`expected records, got ${result.outcome}: ${result.error.message}`);
  }
  return { records: result.records, skips };
}

/** Returns the record of a kind for an observable value or CI, failing when there is none. */
export function recordFor<Kind extends RelayRecord['kind']>(
  records: readonly RelayRecord[],
  kind: Kind,
  key: string,
): Extract<RelayRecord, { kind: Kind }> {
  const found = records.find(
    (record) =>
      record.kind === kind &&
      (('observable' in record && record.observable.value === key) ||
        ('ci' in record && record.ci === key)),
  );
  if (found === undefined) throw new Error(`no ${kind} record for ${key}`);
  return found as Extract<RelayRecord, { kind: Kind }>;
}

/** Returns the first CI enrichment of the records, failing when there is none. */
export function firstCi(
  records: readonly RelayRecord[],
): Extract<RelayRecord, { kind: 'ci_enrichment' }> {
  const found = records.find((record) => record.kind === 'ci_enrichment');
  if (found?.kind !== 'ci_enrichment') throw new Error('no ci_enrichment record');
  return found;
}

/** The records of one payload in short form, for tables of expected outcomes. */
export interface RecordOutline {
  /** CI enrichments as "ci (ciClass)". */
  cis: string[];
  /** Observable values of the observable enrichments. */
  observables: string[];
  /** Lookup findings by observable value. */
  findings: Record<string, string>;
  /** Reasons reported through `context.skip`. */
  skipped: string[];
}

/** Runs a payload and outlines its records, failing the test when it gave no records outcome. */
export function outlineOf(source: SourceAdapter, json: unknown): RecordOutline {
  const { records, skips } = recordsAndSkips(source, json);
  return {
    cis: records.flatMap((record) =>
      record.kind === 'ci_enrichment' ? [`${record.ci} (${record.ciClass})`] : [],
    ),
    observables: records.flatMap((record) =>
      record.kind === 'observable_enrichment' ? [record.observable.value] : [],
    ),
    findings: findingsOf(records),
    skipped: skips.map((skip) => skip.reason),
  };
}

/**
 * Runs a payload and checks that no lookup result judges an address that is not routed on
 * the internet Malicious or Suspicious. Payloads that give no records pass.
 */
export function expectNoVerdictOnUnroutedAddresses(source: SourceAdapter, json: unknown): void {
  const { result } = runWithSkips(source, json);
  if (result.outcome !== 'records') return;

  for (const record of result.records) {
    if (record.kind !== 'threat_lookup_result') continue;
    const { type, value } = record.observable;
    if ((type === 'ipv4' || type === 'ipv6') && !isRoutableIp(value)) {
      expect(record.finding).toBe('Unknown');
    }
  }
}

/**
 * Runs a payload and checks that it gave records, a schema failure or a NormalizationError.
 * Any other error propagates out of `runWithSkips` and fails the test.
 */
export function expectRecordsOrClearRejection(source: SourceAdapter, json: unknown): void {
  const { result } = runWithSkips(source, json);

  expect(['records', 'invalid', 'rejected']).toContain(result.outcome);
}
