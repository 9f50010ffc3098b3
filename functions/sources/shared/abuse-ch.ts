import { NormalizationError } from '../source.ts';

/**
 * Builds the error for an abuse.ch (URLhaus, ThreatFox) response whose `query_status` is
 * not "ok", which abuse.ch sends with HTTP 200. A "no data" status (`no_results`,
 * `no_result`, `…not_found`) cannot become an Unknown lookup result, because the response
 * does not name the value that was looked up. Any other status is an error. Either way the
 * relay makes no record, and ingest responds 422 with this message.
 *
 * @param detail the vendor's own text about the status, when it sent one (ThreatFox's `data`)
 */
export function queryStatusError(
  vendor: string,
  status: string,
  detail?: string,
): NormalizationError {
  const quoted = detail === undefined || detail.trim() === '' ? '' : ` ("${abbreviate(detail)}")`;
  const message = isNoDataStatus(status)
    ? `${vendor} returned query_status "${status}"${quoted}: it has no entry for the value ` +
      'looked up. The response does not name that value, so the relay cannot record an ' +
      'Unknown result for it and made no record.'
    : `${vendor} returned query_status "${status}"${quoted} instead of a result. An error ` +
      'response contains no verdict, so the relay made no record. Fix the request to ' +
      `${vendor} and send a response whose query_status is "ok".`;
  return new NormalizationError(message, ['query_status']);
}

/** True for the statuses abuse.ch uses when it has nothing on the value looked up. */
export function isNoDataStatus(status: string): boolean {
  return status === 'no_results' || status === 'no_result' || status.endsWith('not_found');
}

function abbreviate(text: string): string {
  return text.length <= 200 ? text : `${text.slice(0, 197)}...`;
}
