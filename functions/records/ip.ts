import { BlockList, isIP } from 'node:net';

/**
 * Where an IP address belongs, after the IANA special-purpose address registries
 * (RFC 6890 and its updates). Only `public` and `documentation` addresses are worth a
 * reputation verdict: the others are not routed on the internet, so a vendor's
 * "malicious" about them describes a misuse of the address, not a host.
 */
export type IpScope =
  | 'public'
  | 'documentation'
  | 'private'
  | 'shared'
  | 'loopback'
  | 'link_local'
  | 'multicast'
  | 'broadcast'
  | 'unspecified'
  | 'reserved';

const RANGES: [IpScope, 'ipv4' | 'ipv6', string, number][] = [
  ['unspecified', 'ipv4', '0.0.0.0', 8],
  ['private', 'ipv4', '10.0.0.0', 8],
  ['shared', 'ipv4', '100.64.0.0', 10],
  ['loopback', 'ipv4', '127.0.0.0', 8],
  ['link_local', 'ipv4', '169.254.0.0', 16],
  ['private', 'ipv4', '172.16.0.0', 12],
  ['reserved', 'ipv4', '192.0.0.0', 24],
  ['documentation', 'ipv4', '192.0.2.0', 24],
  ['private', 'ipv4', '192.168.0.0', 16],
  ['reserved', 'ipv4', '198.18.0.0', 15],
  ['documentation', 'ipv4', '198.51.100.0', 24],
  ['documentation', 'ipv4', '203.0.113.0', 24],
  ['multicast', 'ipv4', '224.0.0.0', 4],
  ['reserved', 'ipv4', '240.0.0.0', 4],
  ['loopback', 'ipv6', '::1', 128],
  ['unspecified', 'ipv6', '::', 128],
  ['documentation', 'ipv6', '2001:db8::', 32],
  ['private', 'ipv6', 'fc00::', 7],
  ['link_local', 'ipv6', 'fe80::', 10],
  ['multicast', 'ipv6', 'ff00::', 8],
];

// One BlockList per scope; node's BlockList does the prefix arithmetic for both families.
const LISTS = new Map<IpScope, BlockList>();
for (const [scope, family, network, prefix] of RANGES) {
  const list = LISTS.get(scope) ?? new BlockList();
  list.addSubnet(network, prefix, family);
  LISTS.set(scope, list);
}

const IPV4_MAPPED = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;

/** Returns the IPv4 address inside an IPv4-mapped IPv6 address (`::ffff:192.0.2.1`), or the input. */
export function unmapIpv4(address: string): string {
  const match = IPV4_MAPPED.exec(address);
  return match?.[1] !== undefined && isIP(match[1]) === 4 ? match[1] : address;
}

/**
 * Returns the scope of a valid IPv4 or IPv6 address; IPv4-mapped IPv6 addresses get the
 * scope of their IPv4 address. Throws a TypeError for a value that is not an IP address.
 */
export function ipScope(address: string): IpScope {
  const bare = unmapIpv4(address);
  const version = isIP(bare);
  if (version === 0) throw new TypeError(`"${address}" is not an IP address`);
  if (bare === '255.255.255.255') return 'broadcast';
  const family = version === 4 ? 'ipv4' : 'ipv6';
  for (const [scope, list] of LISTS) {
    if (list.check(bare, family)) return scope;
  }
  return 'public';
}

/** True when a reputation verdict on the address can describe an internet host. */
export function isRoutableIp(address: string): boolean {
  const scope = ipScope(address);
  return scope === 'public' || scope === 'documentation';
}

/**
 * Splits `host:port` on the last colon, as vendors write endpoints: `192.0.2.1:443`,
 * `[2001:db8::1]:443`, and the bare `2001:db8::1:443` that some feeds use for IPv6, where
 * the group after the last colon is the port. Returns undefined when there is no port.
 */
export function splitHostPort(value: string): { host: string; port: number } | undefined {
  const text = value.trim();
  const bracketed = /^\[([^\]]+)\]:(\d{1,5})$/.exec(text);
  const [host, portText] = bracketed
    ? [bracketed[1]!, bracketed[2]!]
    : [text.slice(0, text.lastIndexOf(':')), text.slice(text.lastIndexOf(':') + 1)];
  if (host === '' || !/^\d{1,5}$/.test(portText)) return undefined;
  const port = Number(portText);
  if (port > 65_535) return undefined;
  return { host, port };
}

/**
 * Parses CIDR notation (`198.51.100.0/24`, `2001:db8::/32`) into its network address and
 * prefix length, or returns undefined when the value is not CIDR.
 */
export function parseCidr(
  value: string,
): { address: string; prefix: number; version: 4 | 6 } | undefined {
  const match = /^([^/\s]+)\/(\d{1,3})$/.exec(value.trim());
  if (match === null) return undefined;
  const version = isIP(match[1]!);
  const prefix = Number(match[2]);
  if (version === 0 || prefix > (version === 4 ? 32 : 128)) return undefined;
  return { address: match[1]!, prefix, version: version as 4 | 6 };
}
