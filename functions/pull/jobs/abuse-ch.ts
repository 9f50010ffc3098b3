import { isNoDataStatus } from '../../sources/shared/abuse-ch.ts';
import { quoteRedacted } from '../../shared/redact.ts';
import { PullError } from '../errors.ts';
import { quoteBody } from './response.ts';

/**
 * Reads the `query_status` of an abuse.ch (ThreatFox, URLhaus) response, which abuse.ch
 * sends with HTTP 200 whatever the outcome. Returns false for "no data" (`no_result`,
 * `no_results`), which is an empty window, and true for "ok".
 *
 * @param detail the vendor's own text about the status, when it sent one (ThreatFox's `data`)
 * @throws PullError `vendor_rejected` for any other status, such as `unknown_auth_key`, quoting
 *   the status and the detail with the job's secrets redacted.
 */
export function hasAbuseChResults(
  vendorName: string,
  status: string,
  secrets: readonly string[],
  detail?: unknown,
): boolean {
  if (status === 'ok') return true;
  if (isNoDataStatus(status)) return false;
  const quoted = typeof detail === 'string' ? quoteBody(detail, secrets) : '';
  throw new PullError(
    'vendor_rejected',
    `${vendorName} returned query_status "${quoteRedacted(status, secrets)}"${quoted}. For "unknown_auth_key", put a ` +
      "valid Auth-Key in the job's secret.",
  );
}
