import type { RelayRecord } from '../../records/record.ts';
import { toRawPayload } from '../raw-payload.ts';
import { isJsonObject } from '../schema-by-shape.ts';
import { queryStatusError } from '../shared/abuse-ch.ts';
import { readEachItem } from '../shared/list-items.ts';
import type { PayloadPath } from '../shared/observable-field.ts';
import { withoutMembers } from '../shared/personal-data.ts';
import { buildVerdictRecords } from '../shared/verdict-records.ts';
import { NormalizationError, type SourceContext } from '../source.ts';
import { iocDetails, iocPage, maxConfidence } from './details.ts';
import { readIoc, SUPPORTED_IOC_TYPES, type ReadIoc } from './ioc.ts';
import type { ThreatFoxIoc, ThreatFoxPayload, ThreatFoxResult } from './schema.ts';
import { decideIocVerdict } from './verdict.ts';

export const THREATFOX_VENDOR_NAME = 'ThreatFox';

/**
 * Members kept out of raw payloads: `reporter` and `credits` name the people who shared
 * the IOC, and `comment` is their free text.
 */
const PERSONAL_DATA_MEMBERS = new Set(['reporter', 'credits', 'comment']);

const OBSERVABLE_NOUNS: Record<string, string> = {
  ipv4: 'IP address',
  ipv6: 'IP address',
  domain: 'domain',
  url: 'URL',
  md5: 'file',
  sha1: 'file',
  sha256: 'file',
  email: 'e-mail address',
};

/**
 * Turns ThreatFox IOCs into one threat lookup result and one observable enrichment per
 * observable. IOCs that name the same observable (one address on several ports) are merged,
 * and the highest confidence decides. IOCs of a type without an observable type
 * (`sha3_384_hash`) and invalid IOCs in a list are skipped and reported through
 * `context.skip`. An invalid IOC on its own throws. Responses whose `query_status` is not "ok", and
 * the result of submitting IOCs, throw a NormalizationError.
 */
export function normalizeThreatFox(
  payload: ThreatFoxPayload,
  context: SourceContext,
): RelayRecord[] {
  const observedAt = context.receivedAt.toISOString();
  switch (payload.form) {
    case 'ioc':
      return recordsPerObservable(readSingle(payload.body, [], context), observedAt);
    case 'ioc_list':
      return recordsPerObservable(readList(payload.body, [], context), observedAt);
    case 'result':
      return recordsPerObservable(readResult(payload.body, context), observedAt);
    case 'status':
      throw queryStatusError(
        THREATFOX_VENDOR_NAME,
        payload.body.query_status,
        typeof payload.body.data === 'string' ? payload.body.data : undefined,
      );
  }
}

function readResult(body: ThreatFoxResult, context: SourceContext): ReadIoc[] {
  const { data } = body;
  if (Array.isArray(data)) return readList(data, ['data'], context);
  if ('ioc' in data) return readSingle(data as ThreatFoxIoc, ['data'], context);
  if (['ok', 'ignored', 'duplicated'].some((key) => key in data)) {
    throw new NormalizationError(
      'This is the result of submitting IOCs to ThreatFox (query submit_ioc): it lists which ' +
        'IOCs were accepted, not what ThreatFox knows about them. Send a search_ioc, ' +
        'search_hash, ioc or get_iocs response instead.',
      ['data'],
    );
  }
  throw new NormalizationError(
    `ThreatFox "data" has the members ${describeMembers(data)} but no IOC. Send a search_ioc, ` +
      'search_hash, ioc or get_iocs response.',
    ['data'],
  );
}

function readSingle(ioc: ThreatFoxIoc, path: PayloadPath, context: SourceContext): ReadIoc[] {
  const read = readIoc(ioc, path);
  if (read === undefined) {
    skipUnsupported(ioc, path, context);
    return [];
  }
  return [read];
}

function readList(
  iocs: readonly ThreatFoxIoc[],
  path: PayloadPath,
  context: SourceContext,
): ReadIoc[] {
  return readEachItem(iocs, path, context, (ioc, itemPath) =>
    readSingle(ioc, itemPath, context),
  ).flat();
}

function skipUnsupported(ioc: ThreatFoxIoc, path: PayloadPath, context: SourceContext): void {
  context.skip?.('unsupported_ioc_type', {
    path: [...path, 'ioc_type'],
    iocType: ioc.ioc_type,
    iocId: ioc.id,
    supported: SUPPORTED_IOC_TYPES,
  });
}

function recordsPerObservable(iocs: readonly ReadIoc[], observedAt: string): RelayRecord[] {
  const groups = new Map<string, ReadIoc[]>();
  for (const read of iocs) {
    const key = `${read.observable.type}:${read.observable.value}`;
    groups.set(key, [...(groups.get(key) ?? []), read]);
  }
  return [...groups.values()].flatMap((group) => groupRecords(group, observedAt));
}

function groupRecords(group: readonly ReadIoc[], observedAt: string): RelayRecord[] {
  const { observable } = group[0]!;
  const all = group.map((read) => read.ioc);
  const confidence = maxConfidence(all);
  // The IOC with the highest confidence leads: its page is the report link.
  const leading = all.find((ioc) => ioc.confidence_level === confidence) ?? all[0]!;
  return buildVerdictRecords({
    source: THREATFOX_VENDOR_NAME,
    observable,
    verdict: decideIocVerdict({
      confidence,
      compromised: all.some((ioc) => ioc.is_compromised === true),
      observableType: observable.type,
    }),
    summary: describeIocs(all, OBSERVABLE_NOUNS[observable.type] ?? observable.type, confidence),
    observedAt,
    details: iocDetails(group),
    reportUrl: iocPage(leading),
    rawPayload: toRawPayload({ iocs: withoutMembers(all, PERSONAL_DATA_MEMBERS) }),
  });
}

/** Says what ThreatFox lists, as "ThreatFox lists this IP address as botnet_cc of AsyncRAT (confidence 75)." */
function describeIocs(
  iocs: readonly ThreatFoxIoc[],
  noun: string,
  confidence: number | undefined,
): string {
  const families = [...new Set(iocs.map((ioc) => ioc.malware_printable).filter(Boolean))];
  const threats = [...new Set(iocs.map((ioc) => ioc.threat_type).filter(Boolean))];
  const listed = `${threats.join(', ') || 'an IOC'}${families.length > 0 ? ` of ${families.slice(0, 5).join(', ')}` : ''}`;
  const level = confidence === undefined ? 'no confidence level' : `confidence ${confidence}`;
  if (iocs.length === 1) return `ThreatFox lists this ${noun} as ${listed} (${level}).`;
  return `ThreatFox lists ${iocs.length} IOCs for this ${noun} as ${listed} (highest ${level}).`;
}

function describeMembers(data: object): string {
  const keys = isJsonObject(data) ? Object.keys(data).slice(0, 5) : [];
  return keys.length === 0 ? '(none)' : keys.map((key) => `"${key}"`).join(', ');
}
