import { isIP } from 'node:net';

/** Rules for the hosts an instance URL may name besides ServiceNow's own domains. */
export interface InstanceUrlPolicy {
  /** Exact host names (no port) of instances behind a custom domain; see `instance.allowedHosts`. */
  allowedHosts: readonly string[];
  /** True only in local mode, where plain http to a loopback sandbox is allowed. */
  localMode: boolean;
}

const SERVICENOW_DOMAINS = ['.service-now.com', '.servicenow.com'];

/**
 * Checks an instance URL and returns its origin (`https://acme.service-now.com`, no
 * trailing slash). The relay sends credentials to this URL, so it must be https on a
 * ServiceNow domain or on a host listed in `instance.allowedHosts`. Plain http is allowed
 * only for a loopback sandbox in local mode. Throws a TypeError whose message says what to
 * change, and the caller adds which secret the URL came from.
 */
export function checkInstanceUrl(value: string, policy: InstanceUrlPolicy): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(
      'is not an absolute URL; set it to the instance address, such as "https://acme.service-now.com"',
    );
  }

  if (url.username !== '' || url.password !== '') {
    throw new TypeError(
      'must not contain a user name or password; put the credentials in the secret\'s "username" and "password" keys',
    );
  }
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '') {
    throw new TypeError(
      `must be the instance address without a path, query or fragment, such as "${url.origin}"`,
    );
  }

  const host = url.hostname.toLowerCase();
  if (url.protocol === 'http:') {
    if (!policy.localMode || !isLoopbackHost(host)) {
      throw new TypeError(
        `uses plain http, which the relay allows only for a loopback sandbox in local mode; use "https://${url.host}"`,
      );
    }
    return url.origin;
  }
  if (url.protocol !== 'https:') {
    throw new TypeError(`uses the scheme "${url.protocol}"; use https`);
  }

  const allowed = policy.allowedHosts.some((entry) => entry.toLowerCase() === host);
  if (!allowed && !isServiceNowHost(host)) {
    throw new TypeError(
      `has the host "${host}", which is neither a *.service-now.com nor a *.servicenow.com host; ` +
        'for an instance behind a custom domain, add the exact host to instance.allowedHosts in the configuration',
    );
  }
  return url.origin;
}

function isServiceNowHost(host: string): boolean {
  return SERVICENOW_DOMAINS.some((domain) => host.endsWith(domain) && host.length > domain.length);
}

/** True for localhost, 127.0.0.0/8 and ::1, the hosts a local sandbox listens on. */
export function isLoopbackHost(host: string): boolean {
  // URL keeps IPv6 hosts in brackets, as in "[::1]".
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (bare === 'localhost') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) return bare === '::1';
  return false;
}
