import { isIP } from 'node:net';

/** Rules for the hosts an instance URL may name besides ServiceNow's own domains. */
export interface InstanceUrlPolicy {
  /** Exact host names (no port) of instances behind a custom domain; see `instance.allowedHosts`. */
  allowedHosts: readonly string[];
  /** True only in local mode, where plain http to a loopback sandbox is allowed. */
  localMode: boolean;
}

/** Rules for any URL the relay sends credentials to: an instance, or a vendor's API. */
export interface OutboundUrlPolicy extends InstanceUrlPolicy {
  /** Domains whose subdomains may be called, each with its leading dot, such as ".service-now.com". */
  allowedDomains: readonly string[];
  /** The configuration key that lists `allowedHosts`, named in error messages. */
  allowedHostsKey: string;
}

export const SERVICENOW_DOMAINS: readonly string[] = ['.service-now.com', '.servicenow.com'];

/**
 * Names that resolve to this machine or to a private network: `localhost` and
 * `*.localhost` (RFC 6761), and `*.local` (multicast DNS). ICANN reserved `*.internal` for
 * private use in 2024, and cloud metadata names such as metadata.google.internal use it.
 */
const INTERNAL_NAME = /(?:^|\.)(?:localhost|internal|local)$/;

/**
 * Checks an instance URL and returns its origin (`https://acme.service-now.com`, no
 * trailing slash). The relay sends credentials to this URL, so it must pass
 * `checkOutboundUrl` with ServiceNow's domains and `instance.allowedHosts`, and name no
 * path, query or fragment. Throws a TypeError whose message names what to change, and the
 * caller adds which secret the URL came from.
 */
export function checkInstanceUrl(value: string, policy: InstanceUrlPolicy): string {
  const url = checkOutboundUrl(value, {
    ...policy,
    allowedDomains: SERVICENOW_DOMAINS,
    allowedHostsKey: 'instance.allowedHosts',
  });
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '') {
    throw new TypeError(
      `must be the instance address without a path, query or fragment, such as "${url.origin}"`,
    );
  }
  return url.origin;
}

/**
 * Checks a URL the relay is about to call with credentials, so that neither a bad
 * configuration nor a crafted value makes it call an internal address. It must be https
 * on a subdomain of `allowedDomains` or on a host listed exactly in `allowedHosts`, and
 * carry no user name or password. Plain http is allowed only to a loopback host in local
 * mode. IP addresses are never allowed otherwise, in any notation the WHATWG URL parser
 * reads (`2852039166`, `0xa9.0xfe.0xa9.0xfe`, `[::ffff:a9fe:a9fe]` all name
 * 169.254.169.254), and neither are local names such as `localhost.` or
 * `metadata.google.internal`, even when listed in `allowedHosts`.
 *
 * NOTE: the check reads the URL, not the addresses its name resolves to, so a host in
 * `allowedHosts` whose DNS record points at a private address is still called. Lambda
 * functions outside a VPC reach no private network, which limits what such a record can do.
 *
 * @returns the parsed URL, with the host in lower case.
 * @throws TypeError whose message names what to change.
 */
export function checkOutboundUrl(value: string, policy: OutboundUrlPolicy): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(
      'is not an absolute URL; set it to the full address, such as "https://acme.service-now.com"',
    );
  }

  if (url.username !== '' || url.password !== '') {
    throw new TypeError(
      'must not contain a user name or password; put the credentials in the secret\'s "username" and "password" keys',
    );
  }

  const host = url.hostname.toLowerCase();
  if (url.protocol === 'http:') {
    if (!policy.localMode || !isLoopbackHost(host)) {
      throw new TypeError(
        `uses plain http, which the relay allows only for a loopback sandbox in local mode; use "https://${url.host}"`,
      );
    }
    return url;
  }
  if (url.protocol !== 'https:') {
    throw new TypeError(`uses the scheme "${url.protocol}"; use https`);
  }

  const listed = policy.allowedHosts.some((entry) => canonicalHost(entry) === host);
  if (isIpHost(host)) {
    if (policy.localMode && listed && isLoopbackHost(host)) return url;
    throw new TypeError(
      `has the IP address ${host} as its host; the relay calls only host names, so use the service's name ` +
        `(for a custom domain, list the exact name in ${policy.allowedHostsKey})`,
    );
  }
  if (host.endsWith('.')) {
    throw new TypeError(`has the host "${host}", which ends with a dot; remove the trailing dot`);
  }
  if (INTERNAL_NAME.test(host) || !host.includes('.')) {
    throw new TypeError(
      `has the host "${host}", a local or internal name that the relay never calls; use the service's public host name`,
    );
  }
  if (!listed && !isInDomains(host, policy.allowedDomains)) {
    throw new TypeError(
      `has the host "${host}", which is not a ${policy.allowedDomains.map((domain) => `*${domain}`).join(' or ')} host; ` +
        `for a custom domain, add the exact host to ${policy.allowedHostsKey} in the configuration`,
    );
  }
  return url;
}

function isInDomains(host: string, domains: readonly string[]): boolean {
  return domains.some((domain) => host.endsWith(domain) && host.length > domain.length);
}

/** Returns the host as the URL parser writes it, so "ServiceNow.Example.org" matches its URL, or undefined for no host. */
function canonicalHost(entry: string): string | undefined {
  if (/[/?#@\\\s]/.test(entry)) return undefined;
  try {
    return new URL(`https://${entry}/`).hostname;
  } catch {
    return undefined;
  }
}

function isIpHost(host: string): boolean {
  return isIP(stripBrackets(host)) !== 0;
}

/** True for localhost (with or without the trailing dot), 127.0.0.0/8 and ::1, the hosts a local sandbox listens on. */
export function isLoopbackHost(host: string): boolean {
  const bare = stripBrackets(host);
  if (bare === 'localhost' || bare === 'localhost.') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) return bare === '::1';
  return false;
}

/** URL keeps IPv6 hosts in brackets, as in "[::1]". */
function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}
