import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';
import { z } from 'zod';

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
// Labels of 1-63 letters, digits, hyphens or underscores (as in "_dmarc"), with no hyphen at
// either end, and a top-level label that starts with a letter, so "192.0.2.1" is no domain.
const DOMAIN =
  /^(?=.{1,253}$)(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const EMAIL_LOCAL_PART = /^[^\s@]{1,64}$/;

/** Returns the hash type that a hex digest of this length is, or undefined. */
export function hashTypeOf(value: string): ObservableType | undefined {
  if (!HEX.test(value)) return undefined;
  return HASH_TYPES_BY_LENGTH[value.length];
}

/**
 * Undoes the usual defanging of threat-intel text: `hxxp` → `http`, `[.]` and `(.)` → `.`,
 * `[:]` → `:`, `[@]` → `@`.
 */
export function refang(value: string): string {
  return value
    .replace(/^hxxp/i, 'http')
    .replace(/\[\.\]|\(\.\)/g, '.')
    .replace(/\[:\]/g, ':')
    .replace(/\[@\]/g, '@');
}

/**
 * Puts an observable into the canonical form the relay sends, so that one observable
 * reported by two vendors lands as the same value. Hashes and e-mail addresses become lower
 * case. Domains become lower-case ASCII (IDNs as punycode) without a trailing dot. IPv6
 * addresses are compressed in lower case. URLs get a lower-case scheme and host and keep the
 * rest as written. Defanged input (`hxxp://example[.]com`) is refanged first.
 *
 * @throws InvalidObservableError naming the value when it is not a valid observable of that type.
 */
export function canonicalizeObservable(type: ObservableType, raw: string): Observable {
  const value = type === 'url' ? raw.trim() : refang(raw.trim());
  const canonical = canonicalValue(type, value, raw);
  if (canonical.length > MAX_OBSERVABLE_LENGTH) {
    throw new InvalidObservableError(
      `The ${type} observable is ${canonical.length} characters long; the limit is ${MAX_OBSERVABLE_LENGTH}.`,
      raw,
    );
  }
  return { type, value: canonical };
}

/**
 * Detects the type of a plain observable string and canonicalizes it. Checks run in this
 * order and the first match wins: IPv4, IPv6, hex digest by length (32 md5, 40 sha1,
 * 64 sha256, 128 sha512), URL with a scheme, e-mail address, domain name.
 *
 * @example parseObservable('hxxps://Example[.]com/a') // { type: 'url', value: 'https://example.com/a' }
 * @throws InvalidObservableError that lists the accepted forms when no type matches.
 */
export function parseObservable(raw: string): Observable {
  const type = detectObservableType(raw);
  if (type === undefined) {
    throw new InvalidObservableError(
      `Cannot tell what kind of observable "${abbreviate(raw)}" is. Expected an IPv4 or IPv6 ` +
        'address, an MD5, SHA-1, SHA-256 or SHA-512 hex digest, an http, https or ftp URL ' +
        'with "://", an e-mail address or a domain name; or give {"type", "value"} instead.',
      raw,
    );
  }
  return canonicalizeObservable(type, raw);
}

/** Returns the observable type a plain string looks like, or undefined; see `parseObservable`. */
export function detectObservableType(raw: string): ObservableType | undefined {
  const value = refang(raw.trim());
  const ipVersion = isIP(value);
  if (ipVersion === 4) return 'ipv4';
  if (ipVersion === 6) return 'ipv6';

  const hashType = hashTypeOf(value);
  if (hashType !== undefined) return hashType;

  if (HAS_SCHEME.test(value)) return 'url';
  if (value.includes('@')) return 'email';
  if (value.includes('.')) return 'domain';
  return undefined;
}

function canonicalValue(type: ObservableType, value: string, raw: string): string {
  switch (type) {
    case 'ipv4':
      // Node rejects octets with leading zeros, which some parsers read as octal.
      if (isIP(value) !== 4)
        throw new InvalidObservableError(`"${abbreviate(raw)}" is not an IPv4 address.`, raw);
      return value;
    case 'ipv6':
      if (isIP(value) !== 6 || value.includes('%')) {
        throw new InvalidObservableError(
          `"${abbreviate(raw)}" is not an IPv6 address without a zone id.`,
          raw,
        );
      }
      // The WHATWG URL parser prints IPv6 hosts compressed and in lower case (RFC 5952).
      return new URL(`http://[${value}]/`).hostname.slice(1, -1);
    case 'domain':
      return canonicalDomain(value, raw);
    case 'url':
      return canonicalUrl(value, raw);
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
      return hash;
    }
    case 'email':
      return canonicalEmail(value, raw);
  }
}

function canonicalDomain(value: string, raw: string): string {
  // domainToASCII lower-cases and converts IDNs to punycode; it returns '' for invalid names.
  const domain = domainToASCII(value.replace(/\.$/, ''));
  if (!DOMAIN.test(domain)) {
    throw new InvalidObservableError(`"${abbreviate(raw)}" is not a domain name.`, raw);
  }
  return domain;
}

function canonicalEmail(value: string, raw: string): string {
  const at = value.lastIndexOf('@');
  const localPart = value.slice(0, at);
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
  // Mail providers treat the local part case-insensitively in practice, so the relay does too.
  return `${localPart.toLowerCase()}@${domain}`;
}

function canonicalUrl(value: string, raw: string): string {
  const schemeEnd = value.indexOf('://');
  const refangedScheme = schemeEnd === -1 ? '' : refang(value.slice(0, schemeEnd + 3));
  const rest = schemeEnd === -1 ? '' : value.slice(schemeEnd + 3);
  const authorityEnd = rest.search(/[/?#]/);
  // Only scheme and authority are refanged; path and query stay byte for byte.
  const authority = refang(authorityEnd === -1 ? rest : rest.slice(0, authorityEnd));
  const tail = authorityEnd === -1 ? '' : rest.slice(authorityEnd);

  let url: URL;
  try {
    url = new URL(`${refangedScheme}${authority}${tail}`);
  } catch {
    throw new InvalidObservableError(`"${abbreviate(raw)}" is not an absolute URL.`, raw);
  }
  if (schemeEnd === -1 || !URL_SCHEMES.has(url.protocol) || url.hostname === '') {
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

function digestLength(type: ObservableType): number {
  const entry = Object.entries(HASH_TYPES_BY_LENGTH).find(([, hashType]) => hashType === type);
  return Number(entry?.[0]);
}

/** Shortens a value quoted in an error message, so a 5 MB string does not become a 5 MB message. */
function abbreviate(value: string): string {
  return value.length <= 120 ? value : `${value.slice(0, 117)}...`;
}
