import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';
import * as z from 'zod';
import { cidrNetwork, compressIpv6, parseCidr, splitHostPort, unmapCidr, unmapIpv4 } from './ip.ts';

export const OBSERVABLE_TYPES = [
  'ipv4',
  'ipv6',
  'domain',
  'url',
  'md5',
  'sha1',
  'sha256',
  'sha512',
  'email',
  'cidr',
] as const;

/** Maximum length of an observable value, in UTF-16 code units. */
export const MAX_OBSERVABLE_LENGTH = 8192;

export const observableTypeSchema = z.enum(OBSERVABLE_TYPES);

export type ObservableType = z.infer<typeof observableTypeSchema>;

export const observableSchema = z.object({
  type: observableTypeSchema,
  value: z.string().min(1).max(MAX_OBSERVABLE_LENGTH),
});

export type Observable = z.infer<typeof observableSchema>;

/** A value that is not a valid observable of the type it was given or detected as. */
export class InvalidObservableError extends TypeError {
  readonly code = 'invalid_observable';
  /** The value as received, before refanging and trimming. */
  readonly value: string;

  constructor(message: string, value: string) {
    super(message);
    this.name = 'InvalidObservableError';
    this.value = value;
  }
}

const HASH_TYPES_BY_LENGTH: Record<number, ObservableType> = {
  32: 'md5',
  40: 'sha1',
  64: 'sha256',
  128: 'sha512',
};

const URL_SCHEMES = new Set(['http:', 'https:', 'ftp:']);
const HEX = /^[0-9a-f]+$/i;
const HAS_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
// A scheme and "://", also defanged as "[:]//" or "[://]".
const URL_START = /^([a-z][a-z0-9+.-]*)(?::\/\/|\[:\]\/\/|\[:\/\/\])/i;
// Labels of 1-63 letters, digits, hyphens or underscores (as in "_dmarc"), with no hyphen at
// either end, and a top-level label that starts with a letter, so "192.0.2.1" is no domain.
const DOMAIN =
  /^(?=.{1,253}$)(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const EMAIL_LOCAL_PART = /^[^\s@]{1,64}$/;
// C0 controls and DEL: no observable contains them, and the WHATWG URL parser would drop or
// encode them, so a URL that keeps its path as written would differ from the URL a browser opens.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

/** Returns the hash type that a hex digest of this length is, or undefined. */
export function hashTypeOf(value: string): ObservableType | undefined {
  if (!HEX.test(value)) return undefined;
  return HASH_TYPES_BY_LENGTH[value.length];
}

/**
 * Undoes the usual defanging of threat-intel text: `hxxp` and `hxxps` before a colon →
 * `http` and `https`; `[.]`, `(.)` and `[dot]` → `.`; `[:]` → `:`; `[://]` → `://`;
 * `[@]` and `[at]` → `@`. The bracketed words match in any case. One pass: `[[.]]` becomes `[.]`.
 */
export function refang(value: string): string {
  return value
    .replace(/^hxxp(?=s?(?::|\[:))/i, 'http')
    .replace(/\[\.\]|\(\.\)|\[dot\]/gi, '.')
    .replace(/\[:\/\/\]/g, '://')
    .replace(/\[:\]/g, ':')
    .replace(/\[@\]|\[at\]/gi, '@');
}

/**
 * Puts an observable into the canonical form the relay sends, so that one observable
 * reported by two vendors lands as the same value. Defanged input (`hxxp://example[.]com`) is
 * refanged first, and canonicalizing a canonical value returns it unchanged.
 *
 * - Hashes and e-mail addresses become lower case.
 * - Domains become lower-case ASCII (IDNs as punycode) without a trailing dot.
 * - IPv6 addresses are compressed in lower case. An IPv4-mapped IPv6 address
 *   (`::ffff:198.51.100.1`) given as ipv4 or ipv6 becomes the ipv4 observable `198.51.100.1`,
 *   so the returned type can differ from the requested one.
 * - CIDR ranges become their network address (host bits zeroed) and prefix:
 *   `198.51.100.7/24` → `198.51.100.0/24`, `2001:DB8::1/32` → `2001:db8::/32`, and an IPv4-mapped
 *   range of prefix 96 or longer the IPv4 range it covers.
 * - URLs get a lower-case scheme and host (from the WHATWG URL parser) and keep the rest as written.
 *
 * @throws InvalidObservableError naming the value when it is not a valid observable of that type,
 *   is defanged twice over (`[[.]]`), contains a control character, or is longer than
 *   MAX_OBSERVABLE_LENGTH once canonical.
 */
export function canonicalizeObservable(type: ObservableType, raw: string): Observable {
  const trimmed = raw.trim();
  if (CONTROL_CHARACTER.test(trimmed)) {
    throw new InvalidObservableError(
      `The ${type} observable "${abbreviate(raw)}" contains a control character. Remove it and send the value again.`,
      raw,
    );
  }
  const observable =
    type === 'url'
      ? { type, value: canonicalUrl(trimmed, raw) }
      : canonicalObservable(type, refangOnce(trimmed, raw), raw);
  if (observable.value.length > MAX_OBSERVABLE_LENGTH) {
    throw new InvalidObservableError(
      `The ${type} observable is ${observable.value.length} characters long; the limit is ${MAX_OBSERVABLE_LENGTH}.`,
      raw,
    );
  }
  return observable;
}

/**
 * Detects the type of a plain observable string and canonicalizes it. Checks run in this
 * order and the first match wins: CIDR range, IPv4 (also IPv4-mapped IPv6), IPv6, hex digest
 * by length (32 md5, 40 sha1, 64 sha256, 128 sha512), URL with a scheme, e-mail address,
 * domain name.
 *
 * @example parseObservable('hxxps://Example[.]com/a') // { type: 'url', value: 'https://example.com/a' }
 * @throws InvalidObservableError that lists the accepted forms when no type matches.
 */
export function parseObservable(raw: string): Observable {
  const type = detectObservableType(raw);
  if (type === undefined) {
    rejectPort(refang(raw.trim()), raw);
    throw new InvalidObservableError(
      `Cannot tell what kind of observable "${abbreviate(raw)}" is. Expected an IPv4 or IPv6 ` +
        'address, a CIDR range, an MD5, SHA-1, SHA-256 or SHA-512 hex digest, an http, https ' +
        'or ftp URL with "://", an e-mail address or a domain name; or give {"type", "value"} instead.',
      raw,
    );
  }
  return canonicalizeObservable(type, raw);
}

/** Returns the observable type a plain string looks like, or undefined; see `parseObservable`. */
export function detectObservableType(raw: string): ObservableType | undefined {
  const value = refang(raw.trim());
  if (parseCidr(value) !== undefined) return 'cidr';
  const ipVersion = isIP(value);
  if (ipVersion === 4) return 'ipv4';
  if (ipVersion === 6) return unmapIpv4(value) === value ? 'ipv6' : 'ipv4';

  const hashType = hashTypeOf(value);
  if (hashType !== undefined) return hashType;

  if (HAS_SCHEME.test(value)) return 'url';
  if (value.includes('@')) return 'email';
  if (value.includes('.')) return 'domain';
  return undefined;
}

/** Refangs a value and rejects one that a second pass would change, which keeps canonicalization idempotent. */
function refangOnce(value: string, raw: string): string {
  const refanged = refang(value);
  if (refang(refanged) !== refanged) {
    throw new InvalidObservableError(
      `"${abbreviate(raw)}" is defanged twice over, as in "[[.]]". Send it defanged once or not at all.`,
      raw,
    );
  }
  return refanged;
}

function canonicalObservable(type: ObservableType, value: string, raw: string): Observable {
  switch (type) {
    case 'ipv4':
    case 'ipv6':
      return canonicalIp(type, value, raw);
    case 'cidr':
      return { type, value: canonicalCidr(value, raw) };
    case 'domain':
      return { type, value: canonicalDomain(value, raw) };
    case 'url':
      return { type, value: canonicalUrl(value, raw) };
    case 'md5':
    case 'sha1':
    case 'sha256':
    case 'sha512': {
      const hash = value.toLowerCase();
      if (hashTypeOf(hash) !== type) {
        throw new InvalidObservableError(
          `"${abbreviate(raw)}" is not a ${type} digest: expected ${digestLength(type)} hex characters.`,
          raw,
        );
      }
      return { type, value: hash };
    }
    case 'email':
      return { type, value: canonicalEmail(value, raw) };
  }
}

function canonicalIp(type: 'ipv4' | 'ipv6', value: string, raw: string): Observable {
  // Node rejects IPv4 octets with leading zeros, which some parsers read as octal.
  const version = value.includes('%') ? 0 : isIP(value);
  if (version === 6) {
    const ipv4 = unmapIpv4(value);
    if (ipv4 !== value) return { type: 'ipv4', value: ipv4 };
    if (type === 'ipv6') return { type, value: compressIpv6(value) };
  }
  if (version === 4 && type === 'ipv4') return { type, value };
  rejectPort(value, raw);
  const expected =
    type === 'ipv4'
      ? 'an IPv4 address (or an IPv4-mapped IPv6 address)'
      : 'an IPv6 address without a zone id';
  throw new InvalidObservableError(`"${abbreviate(raw)}" is not ${expected}.`, raw);
}

function canonicalCidr(value: string, raw: string): string {
  const cidr = parseCidr(value);
  if (cidr === undefined) {
    throw new InvalidObservableError(
      `"${abbreviate(raw)}" is not a CIDR range: expected an IPv4 address and a prefix of ` +
        '0-32, or an IPv6 address and a prefix of 0-128, such as "198.51.100.0/24".',
      raw,
    );
  }
  const range = unmapCidr(cidr);
  return `${cidrNetwork(range)}/${range.prefix}`;
}

function canonicalDomain(value: string, raw: string): string {
  // domainToASCII lower-cases and converts IDNs to punycode; it returns '' for invalid names.
  const domain = domainToASCII(value.replace(/\.$/, ''));
  if (!DOMAIN.test(domain)) {
    rejectPort(value, raw);
    throw new InvalidObservableError(`"${abbreviate(raw)}" is not a domain name.`, raw);
  }
  return domain;
}

function canonicalEmail(value: string, raw: string): string {
  const at = value.lastIndexOf('@');
  // Mail providers treat the local part case-insensitively in practice, so the relay does too.
  const localPart = value.slice(0, at).toLowerCase();
  if (at === -1 || !EMAIL_LOCAL_PART.test(localPart)) {
    throw new InvalidObservableError(`"${abbreviate(raw)}" is not an e-mail address.`, raw);
  }
  let domain: string;
  try {
    domain = canonicalDomain(value.slice(at + 1), raw);
  } catch {
    throw new InvalidObservableError(
      `"${abbreviate(raw)}" is not an e-mail address: the part after "@" is not a domain name.`,
      raw,
    );
  }
  return `${localPart}@${domain}`;
}

function canonicalUrl(value: string, raw: string): string {
  const start = URL_START.exec(value);
  const scheme = start === null ? '' : refang(`${start[1]}://`);
  // As in WHATWG URL parsing of http, https and ftp URLs, extra slashes before the authority
  // are skipped, and a backslash ends the authority as a slash does.
  const rest = start === null ? '' : value.slice(start[0].length).replace(/^[/\\]+/, '');
  const authorityEnd = rest.search(/[/\\?#]/);
  // Only scheme and authority are refanged; path and query stay byte for byte.
  const authority = refangOnce(authorityEnd === -1 ? rest : rest.slice(0, authorityEnd), raw);
  const tail = authorityEnd === -1 ? '' : rest.slice(authorityEnd);

  let url: URL | undefined;
  try {
    url = new URL(`${scheme}${authority}${tail}`);
  } catch {
    url = undefined;
  }
  if (
    url === undefined ||
    start === null ||
    !URL_SCHEMES.has(url.protocol) ||
    url.hostname === ''
  ) {
    throw new InvalidObservableError(
      `"${abbreviate(raw)}" is not an http, https or ftp URL of the form scheme://host/...`,
      raw,
    );
  }

  // User info stays as written because it is case-sensitive. The host comes from the WHATWG
  // parser, which lower-cases it, converts IDNs to punycode and compresses IPv6 addresses.
  const userInfoEnd = authority.lastIndexOf('@');
  const userInfo = userInfoEnd === -1 ? '' : authority.slice(0, userInfoEnd + 1);
  const port = url.port === '' ? '' : `:${url.port}`;
  // As WHATWG serializes it, an empty path is "/", so "http://example.com" and "http://example.com/" match.
  const path = tail === '' || tail.startsWith('?') || tail.startsWith('#') ? `/${tail}` : tail;
  return `${url.protocol}//${userInfo}${url.hostname}${port}${path}`;
}

/**
 * Throws an InvalidObservableError naming the port when the value is an IP address or a
 * domain name with a port (`192.0.2.1:8080`, `[2001:db8::1]:443`, `example.com:8443`).
 * Observables of those types have no port, and dropping it silently would widen a verdict
 * about one service to the whole host. A bare IPv6 address such as `2001:db8::1:443` is a
 * valid address and never gets here.
 */
function rejectPort(value: string, raw: string): void {
  const endpoint = splitHostPort(value);
  if (endpoint === undefined) return;
  const version = isIP(endpoint.host);
  const kind =
    version === 4 || version === 6
      ? { value: 'an IP address', observables: 'IP observables' }
      : DOMAIN.test(domainToASCII(endpoint.host.replace(/\.$/, '')))
        ? { value: 'a domain name', observables: 'Domain observables' }
        : undefined;
  if (kind === undefined) return;
  const hostInUrl = version === 6 ? `[${endpoint.host}]` : endpoint.host;
  throw new InvalidObservableError(
    `"${abbreviate(raw)}" is ${kind.value} with port ${endpoint.port}. ${kind.observables} ` +
      `have no port: send "${abbreviate(endpoint.host)}" alone, or a URL such as ` +
      `"http://${abbreviate(hostInUrl)}:${endpoint.port}/" when the port matters.`,
    raw,
  );
}

function digestLength(type: ObservableType): number {
  const entry = Object.entries(HASH_TYPES_BY_LENGTH).find(([, hashType]) => hashType === type);
  return Number(entry?.[0]);
}

/** Shortens a value quoted in an error message, so a 5 MB string does not become a 5 MB message. */
function abbreviate(value: string): string {
  return value.length <= 120 ? value : `${value.slice(0, 117)}...`;
}
