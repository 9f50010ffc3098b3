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

type Family = 'ipv4' | 'ipv6';

const RANGES: [IpScope, Family, string, number][] = [
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
  // 255.255.255.255 (broadcast) lies in here; ipScope checks it first.
  ['reserved', 'ipv4', '240.0.0.0', 4],
  ['loopback', 'ipv6', '::1', 128],
  ['unspecified', 'ipv6', '::', 128],
  // Discard-only (RFC 6666) and benchmarking (RFC 5180), like 198.18.0.0/15 for IPv4.
  ['reserved', 'ipv6', '100::', 64],
  ['reserved', 'ipv6', '2001:2::', 48],
  ['documentation', 'ipv6', '2001:db8::', 32],
  ['documentation', 'ipv6', '3fff::', 20],
  ['private', 'ipv6', 'fc00::', 7],
  // fec0::/10 is the site-local block that RFC 3879 deprecated; networks still use it privately.
  ['private', 'ipv6', 'fec0::', 10],
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

// As the WHATWG URL parser compresses it, an IPv4-mapped address is "::ffff:" and two hex groups.
const IPV4_MAPPED_COMPRESSED = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/;

/**
 * Returns the IPv4 address inside an IPv4-mapped IPv6 address (`::ffff:192.0.2.1`, also
 * written `::ffff:c000:201` or `0:0:0:0:0:ffff:192.0.2.1`), or the input unchanged.
 */
export function unmapIpv4(address: string): string {
  if (isIP(address) !== 6 || address.includes('%')) return address;
  const match = IPV4_MAPPED_COMPRESSED.exec(compressIpv6(address));
  if (match === null) return address;
  const high = Number.parseInt(match[1]!, 16);
  const low = Number.parseInt(match[2]!, 16);
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}

/**
 * Returns an IPv6 address compressed and in lower case as RFC 5952 writes it
 * (`2001:DB8:0::1` → `2001:db8::1`). The input must be a valid IPv6 address without a zone id.
 */
export function compressIpv6(address: string): string {
  // The WHATWG URL parser serializes IPv6 hosts in exactly this form.
  return new URL(`http://[${address}]/`).hostname.slice(1, -1);
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
  return isRoutableScope(ipScope(address));
}

/**
 * True when every address of the range is public or documentation, so a verdict on the
 * range cannot land on a private, loopback, multicast or other special-purpose address.
 * `198.51.100.0/24` is routable. `10.0.0.0/8` is not, and neither is `8.0.0.0/6`, which contains it.
 */
export function isRoutableCidr(cidr: Cidr): boolean {
  const { address, prefix, version } = unmapCidr(cidr);
  // Two ranges overlap when one contains the other's network address.
  if (!isRoutableIp(cidrNetwork({ address, prefix, version }))) return false;
  const family = version === 4 ? 'ipv4' : 'ipv6';
  const range = new BlockList();
  range.addSubnet(address, prefix, family);
  return RANGES.every(
    ([scope, rangeFamily, network]) =>
      isRoutableScope(scope) || rangeFamily !== family || !range.check(network, family),
  );
}

function isRoutableScope(scope: IpScope): boolean {
  return scope === 'public' || scope === 'documentation';
}

/**
 * Splits `host:port` on the last colon, as vendors write endpoints: `192.0.2.1:443`,
 * `[2001:db8::1]:443`, and the bare `2001:db8::1:443` that some feeds use for IPv6, where
 * the group after the last colon is the port. Returns undefined when there is no port or the
 * port is outside 1-65535. It also returns undefined when a host with a colon is not an IPv6
 * address, so a bare `2001:db8::1` without a port is not read as host `2001:db8:` and port 1.
 */
export function splitHostPort(value: string): { host: string; port: number } | undefined {
  const text = value.trim();
  const bracketed = /^\[([^\]]+)\]:(\d{1,5})$/.exec(text);
  const [host, portText] = bracketed
    ? [bracketed[1]!, bracketed[2]!]
    : [text.slice(0, text.lastIndexOf(':')), text.slice(text.lastIndexOf(':') + 1)];
  if (host === '' || !/^\d{1,5}$/.test(portText)) return undefined;
  if ((bracketed !== null || host.includes(':')) && isIP(host) !== 6) return undefined;
  const port = Number(portText);
  if (port < 1 || port > 65_535) return undefined;
  return { host, port };
}

/** An IP range in CIDR notation, as `parseCidr` reads it. */
export interface Cidr {
  /** The address as written before the slash, which may have host bits set. */
  address: string;
  prefix: number;
  version: 4 | 6;
}

/**
 * Parses CIDR notation (`198.51.100.0/24`, `2001:db8::/32`) into its address and prefix
 * length, or returns undefined when the value is not CIDR. The address is returned as
 * written; `cidrNetwork` gives the network address with the host bits zeroed.
 */
export function parseCidr(value: string): Cidr | undefined {
  const match = /^([^/\s%]+)\/(\d{1,3})$/.exec(value.trim());
  if (match === null) return undefined;
  const version = isIP(match[1]!);
  const prefix = Number(match[2]);
  if (version === 0 || prefix > (version === 4 ? 32 : 128)) return undefined;
  return { address: match[1]!, prefix, version: version as 4 | 6 };
}

/**
 * Returns an IPv4-mapped IPv6 range of prefix 96 or longer as the IPv4 range it covers
 * (`::ffff:192.0.2.0/120` → `192.0.2.0/24`), and any other range unchanged.
 */
export function unmapCidr(cidr: Cidr): Cidr {
  if (cidr.version !== 6 || cidr.prefix < 96) return cidr;
  const address = unmapIpv4(cidr.address);
  return address === cidr.address ? cidr : { address, prefix: cidr.prefix - 96, version: 4 };
}

/**
 * Returns the network address of a CIDR range: its address with the host bits zeroed, IPv6
 * compressed in lower case (`198.51.100.7/24` → `198.51.100.0`, `2001:DB8::1/32` → `2001:db8::`).
 */
export function cidrNetwork(cidr: Cidr): string {
  const bits = cidr.version === 4 ? 32 : 128;
  const value = cidr.version === 4 ? ipv4ToBigInt(cidr.address) : ipv6ToBigInt(cidr.address);
  const hostBits = BigInt(bits - cidr.prefix);
  const network = (value >> hostBits) << hostBits;
  return cidr.version === 4 ? bigIntToIpv4(network) : compressIpv6(bigIntToIpv6(network));
}

function ipv4ToBigInt(address: string): bigint {
  return address.split('.').reduce((sum, octet) => (sum << 8n) | BigInt(Number(octet)), 0n);
}

function bigIntToIpv4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join('.');
}

function ipv6ToBigInt(address: string): bigint {
  // Compressing first turns a dotted IPv4 tail into two hex groups, so only "::" needs expanding.
  const [head = '', tail] = compressIpv6(address).split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const zeros = Array<string>(8 - headGroups.length - tailGroups.length).fill('0');
  const groups = tail === undefined ? headGroups : [...headGroups, ...zeros, ...tailGroups];
  return groups.reduce((sum, group) => (sum << 16n) | BigInt(Number.parseInt(group, 16)), 0n);
}

function bigIntToIpv6(value: bigint): string {
  const groups: string[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) {
    groups.push(((value >> shift) & 0xffffn).toString(16));
  }
  return groups.join(':');
}
