import { isIP } from 'node:net';
import { isLoopbackHost } from '../credentials/instance-url.ts';
import { PullError } from './errors.ts';

/** Hosts a job may call: the vendor's own, those an operator added, and loopback in local mode. */
export interface VendorUrlPolicy {
  /** The vendor's API hosts, such as "threatfox-api.abuse.ch"; exact names. */
  vendorHosts: readonly string[];
  /** `pulls.allowedHosts`: exact host names such as a proxy in front of the vendor. */
  allowedHosts: readonly string[];
  /** True only when the relay runs locally, where a loopback test server may stand in for the vendor. */
  localMode: boolean;
}

/**
 * Checks a job's `api.baseUrl` and returns its origin. `jobPath` names the job in the
 * message, such as `pulls.jobs[0]` or `pulls.jobs["threatfox-recent"]`. The relay sends the vendor API key to
 * this URL, so it must be https on one of the vendor's hosts or on a host in
 * `pulls.allowedHosts`. Plain http is accepted only for a loopback host in local mode, and IP
 * addresses only for loopback in local mode, so a configuration cannot aim the function at the
 * metadata service or a private range.
 *
 * @throws PullError `vendor_url_not_allowed`, naming the job, the value and the fix.
 */
export function checkVendorBaseUrl(
  jobPath: string,
  value: string,
  policy: VendorUrlPolicy,
): string {
  const reject = (problem: string) =>
    new PullError('vendor_url_not_allowed', `${jobPath}.api.baseUrl "${value}" ${problem}`);

  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw reject(
      'is not an absolute URL; use the vendor API address, such as "https://threatfox-api.abuse.ch"',
    );
  }
  if (url.username !== '' || url.password !== '') {
    throw reject("must not contain a user name or password; the API key goes in the job's secret");
  }

  const host = url.hostname.toLowerCase();
  if (
    policy.localMode &&
    isLoopbackHost(host) &&
    (url.protocol === 'http:' || url.protocol === 'https:')
  ) {
    return url.origin;
  }
  if (url.protocol !== 'https:') {
    throw reject(
      `uses ${url.protocol.replace(':', '')}; use https (plain http is accepted only for a loopback test server in local mode)`,
    );
  }
  const bare = host.startsWith('[') ? host.slice(1, -1) : host;
  if (isIP(bare) !== 0) {
    throw reject(
      'names an IP address; use the vendor host name (loopback addresses are accepted only in local mode)',
    );
  }
  const allowed = [...policy.vendorHosts, ...policy.allowedHosts].map((entry) =>
    entry.toLowerCase(),
  );
  if (!allowed.includes(host)) {
    throw reject(
      `has the host "${host}", which is not the vendor's (${policy.vendorHosts.join(', ')}); ` +
        'for a proxy in front of the vendor, add the exact host to pulls.allowedHosts',
    );
  }
  return url.origin;
}
