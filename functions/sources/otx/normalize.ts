import type { RelayRecord } from '../../records/record.ts';
import { toRawPayload } from '../raw-payload.ts';
import { buildEnrichmentRecord, buildVerdictRecords } from '../shared/verdict-records.ts';
import { NormalizationError, type SourceContext } from '../source.ts';
import { generalDetails, generalRawPayload } from './details.ts';
import { otxPage, readIndicator } from './indicator.ts';
import { describePassiveDns, passiveDnsDetails, queriedIndicators } from './passive-dns.ts';
import type { OtxError, OtxGeneral, OtxPassiveDns, OtxPayload } from './schema.ts';
import { decideOtxVerdict } from './verdict.ts';

export const OTX_VENDOR_NAME = 'AlienVault OTX';

/**
 * Turns an AlienVault OTX indicator response into records. A general section gives a threat
 * lookup result and an observable enrichment. A passive DNS section gives an observable
 * enrichment of the indicator it was fetched for, without a verdict, or nothing when it
 * lists no resolution. An error body throws a NormalizationError naming OTX's message.
 */
export function normalizeOtx(payload: OtxPayload, context: SourceContext): RelayRecord[] {
  const observedAt = context.receivedAt.toISOString();
  switch (payload.form) {
    case 'general':
      return generalRecords(payload.body, observedAt);
    case 'passive_dns':
      return passiveDnsRecords(payload.body, observedAt);
    case 'error':
      throw otxError(payload.body);
  }
}

function generalRecords(general: OtxGeneral, observedAt: string): RelayRecord[] {
  const { observable, reportUrl } = readIndicator(general);
  const count = general.pulse_info.count;
  return buildVerdictRecords({
    source: OTX_VENDOR_NAME,
    observable,
    verdict: decideOtxVerdict(general),
    summary: `OTX lists this indicator in ${count} ${count === 1 ? 'pulse' : 'pulses'}.`,
    observedAt,
    details: generalDetails(general),
    reportUrl,
    rawPayload: toRawPayload(generalRawPayload(general)),
  });
}

function passiveDnsRecords(answer: OtxPassiveDns, observedAt: string): RelayRecord[] {
  if (answer.passive_dns.length === 0) return [];
  return queriedIndicators(answer).map(({ side, observable }) =>
    buildEnrichmentRecord({
      source: OTX_VENDOR_NAME,
      observable,
      summary: describePassiveDns(answer, side),
      observedAt,
      details: passiveDnsDetails(answer, side),
      reportUrl: otxPage(observable.type === 'domain' ? 'domain' : 'ip', observable.value),
    }),
  );
}

function otxError(body: OtxError): NormalizationError {
  const detail = body.detail.length <= 200 ? body.detail : `${body.detail.slice(0, 197)}...`;
  return new NormalizationError(
    `OTX returned the error "${detail}" instead of an indicator. An error response contains ` +
      'no verdict, so the relay made no record. Send the response once OTX returns the indicator.',
    ['detail'],
  );
}
