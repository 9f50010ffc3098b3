import { fitDetails } from '../shared/detail-values.ts';
import type {
  ObservableEnrichment,
  RelayRecord,
  ThreatLookupResult,
} from '../../records/record.ts';
import { toRawPayload } from '../raw-payload.ts';
import { guardNonRoutable } from '../shared/verdict.ts';
import { NormalizationError, type SourceContext } from '../source.ts';
import { analysisDetails, isoFromEpoch, reportDetails } from './details.ts';
import type {
  VirusTotalAnalysisMeta,
  VirusTotalAttributes,
  VirusTotalErrorBody,
  VirusTotalObject,
  VirusTotalPayload,
} from './schema.ts';
import {
  isReportType,
  REPORT_NOUNS,
  REPORT_TYPES,
  subjectOfAnalysis,
  subjectOfReport,
  type ReportSubject,
} from './subject.ts';
import { countEnginesWithResult, decideVerdict, type Verdict } from './verdict.ts';

export const VIRUSTOTAL_VENDOR_NAME = 'VirusTotal';

/** Attributes kept out of raw payloads because they may hold personal data (registrant contacts). */
const PERSONAL_DATA_ATTRIBUTES = new Set(['whois', 'rdap']);

type Path = (string | number)[];

/**
 * Turns a VirusTotal API v3 response into one threat lookup result and one observable
 * enrichment per file, url, domain or ip_address report it holds. An empty collection gives
 * no records. Error bodies, analysis descriptors without results and objects that are not
 * reports (comments, resolutions …) throw a NormalizationError, so that no made-up verdict
 * reaches the instance.
 */
export function normalizeVirusTotal(
  payload: VirusTotalPayload,
  context: SourceContext,
): RelayRecord[] {
  if (Array.isArray(payload)) {
    return payload.flatMap((object, index) => normalizeObject(object, [index], context));
  }
  if (isErrorBody(payload)) throw vendorError(payload);

  const { data, meta } = payload;
  if (Array.isArray(data)) {
    return data.flatMap((object, index) => normalizeObject(object, ['data', index], context));
  }
  if (data.type === 'analysis') return normalizeAnalysis(data, meta, context);
  return normalizeObject(data, ['data'], context);
}

function isErrorBody(payload: VirusTotalPayload): payload is VirusTotalErrorBody {
  return !Array.isArray(payload) && 'error' in payload && !('data' in payload);
}

function vendorError(body: VirusTotalErrorBody): NormalizationError {
  const { code, message } = body.error;
  const detail = message ? `: "${abbreviate(message)}"` : '';
  return new NormalizationError(
    `VirusTotal returned the error ${code}${detail}. An error response contains no verdict, ` +
      'so the relay made no record. Send the report once VirusTotal returns it.',
    ['error', 'code'],
  );
}

function normalizeObject(
  object: VirusTotalObject,
  path: Path,
  context: SourceContext,
): RelayRecord[] {
  const id = String(object.id);
  if (object.type === 'analysis') {
    throw new NormalizationError(
      `The analysis "${id}" is inside a list, where the "meta" member that names its item is ` +
        'missing. Send each GET /api/v3/analyses/{id} response on its own.',
      [...path, 'type'],
    );
  }
  if (!isReportType(object.type)) {
    throw new NormalizationError(
      `VirusTotal object type "${object.type}" is not a report on an observable. Accepted: ` +
        `${REPORT_TYPES.join(', ')} objects (alone, in a collection or in a list) and an ` +
        'analysis as GET /api/v3/analyses/{id} returns it.',
      [...path, 'type'],
    );
  }
  if (object.attributes === undefined) {
    throw new NormalizationError(
      `The ${object.type} object "${id}" has no attributes: it is an object descriptor, not a ` +
        'report. Send the full report, such as GET /api/v3/files/{id} or a relationship ' +
        'fetched without "/relationships/" in its path.',
      [...path, 'attributes'],
    );
  }

  const { attributes } = object;
  const subject = subjectOfReport(object.type, object, path);
  const verdict = decideVerdict({
    type: subject.type,
    stats: attributes.last_analysis_stats ?? undefined,
    popularityRanks: attributes.popularity_ranks ?? undefined,
    yaraMatches: attributes.crowdsourced_yara_results?.length,
    sigmaStats: attributes.sigma_analysis_stats ?? undefined,
    idsStats: attributes.crowdsourced_ids_stats ?? undefined,
    gtiVerdict: attributes.gti_assessment?.verdict?.value,
  });

  return buildRecords({
    subject,
    verdict,
    stats: attributes.last_analysis_stats,
    analysedAt: isoFromEpoch(attributes.last_analysis_date) ?? context.receivedAt.toISOString(),
    details: reportDetails(subject.type, id, attributes),
    rawPayload: toRawPayload(
      { type: object.type, id, attributes: withoutPersonalData(attributes) },
      { prunable: 'attributes' },
    ),
  });
}

function normalizeAnalysis(
  data: VirusTotalObject,
  meta: VirusTotalAnalysisMeta | null | undefined,
  context: SourceContext,
): RelayRecord[] {
  const id = String(data.id);
  const attributes = data.attributes;
  if (attributes === undefined) {
    throw new NormalizationError(
      `This is an analysis descriptor without results (analysis id "${id}"), as POST ` +
        '/api/v3/files/{id}/analyse and POST /api/v3/urls return it. Fetch ' +
        `GET https://www.virustotal.com/api/v3/analyses/${encodeURIComponent(id)} once its ` +
        'status is "completed" and send that response.',
      ['data'],
    );
  }
  if (attributes.status !== 'completed') {
    throw new NormalizationError(
      `The analysis "${id}" has status "${attributes.status ?? '(none)'}", not "completed", so ` +
        'its results are partial. Fetch GET /api/v3/analyses/{id} again until its status is ' +
        '"completed" and send that response.',
      ['data', 'attributes', 'status'],
    );
  }

  const subject = subjectOfAnalysis(id, meta);
  return buildRecords({
    subject,
    verdict: decideVerdict({ type: subject.type, stats: attributes.stats ?? undefined }),
    stats: attributes.stats,
    analysedAt: isoFromEpoch(attributes.date) ?? context.receivedAt.toISOString(),
    details: analysisDetails(subject.type, id, attributes),
    rawPayload: toRawPayload(
      { type: data.type, id, attributes: withoutPersonalData(attributes), meta },
      { prunable: 'attributes' },
    ),
  });
}

interface RecordParts {
  subject: ReportSubject;
  verdict: Verdict;
  stats: VirusTotalAttributes['last_analysis_stats'];
  analysedAt: string;
  details: Record<string, unknown>;
  rawPayload: string;
}

function buildRecords(parts: RecordParts): [ThreatLookupResult, ObservableEnrichment] {
  const { subject } = parts;
  const verdict = guardNonRoutable(subject.observable, parts.verdict);
  const detections = describeDetections(REPORT_NOUNS[subject.type], parts.stats ?? undefined);
  const lookup: ThreatLookupResult = {
    kind: 'threat_lookup_result',
    observable: subject.observable,
    finding: verdict.finding,
    source: VIRUSTOTAL_VENDOR_NAME,
    summary: `${detections} ${verdict.reason}`,
    lookedUpAt: parts.analysedAt,
    rawPayload: parts.rawPayload,
    ...(subject.reportUrl !== undefined && { reportUrl: subject.reportUrl }),
  };
  const enrichment: ObservableEnrichment = {
    kind: 'observable_enrichment',
    observable: subject.observable,
    source: VIRUSTOTAL_VENDOR_NAME,
    summary: detections,
    enrichedAt: parts.analysedAt,
    // Engine names and results are vendor text of any length; the budget keeps details small.
    details: fitDetails(parts.details),
  };
  return [lookup, enrichment];
}

/** Says how many engines flagged the observable, as "12/94 engines flagged this file as malicious." */
export function describeDetections(
  noun: string,
  stats: Readonly<Record<string, number>> | undefined,
): string {
  if (stats === undefined || countEnginesWithResult(stats) === 0) {
    return `No VirusTotal engine returned a result for this ${noun}.`;
  }
  const total = Object.values(stats).reduce((sum, count) => sum + count, 0);
  const suspicious = stats.suspicious ?? 0;
  const alsoSuspicious = suspicious > 0 ? ` and ${suspicious} as suspicious` : '';
  return `${stats.malicious ?? 0}/${total} engines flagged this ${noun} as malicious${alsoSuspicious}.`;
}

function withoutPersonalData(attributes: VirusTotalAttributes): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(attributes).filter(([key]) => !PERSONAL_DATA_ATTRIBUTES.has(key)),
  );
}

function abbreviate(text: string): string {
  return text.length <= 300 ? text : `${text.slice(0, 297)}...`;
}
