import { isIP } from 'node:net';
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

export const observableTypeSchema = z.enum(OBSERVABLE_TYPES);

export type ObservableType = z.infer<typeof observableTypeSchema>;

export const observableSchema = z.object({
  type: observableTypeSchema,
  value: z.string().min(1).max(8192),
});

export type Observable = z.infer<typeof observableSchema>;

const HASH_TYPES_BY_LENGTH: Record<number, ObservableType> = {
  32: 'md5',
  40: 'sha1',
  64: 'sha256',
  128: 'sha512',
};

const URL_SCHEMES = new Set(['http:', 'https:', 'ftp:']);
const HEX = /^[0-9a-f]+$/i;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
// A hostname label is 1-63 letters, digits or hyphens, not starting or ending with a hyphen.
const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}$/i;

/** Returns the hash type that a hex digest of this length is, or undefined. */
export function hashTypeOf(value: string): ObservableType | undefined {
  if (!HEX.test(value)) return undefined;
  return HASH_TYPES_BY_LENGTH[value.length];
}

/**
 * Puts an observable into the canonical form the relay sends, so that one observable
 * reported by two vendors lands as the same value: lower-case hashes, domains without a
 * trailing dot, IPv6 compressed in lower case, URLs with a lower-case scheme and host.
 * Throws an error that names the value when it is not a valid observable of that type.
 */
export function canonicalizeObservable(type: ObservableType, raw: string): Observable {
  const value = raw.trim();
  switch (type) {
    case 'ipv4':
      if (isIP(value) !== 4) throw new TypeError(`"${value}" is not an IPv4 address`);
      return { type, value };
    case 'ipv6':
      if (isIP(value) !== 6 || value.includes('%')) {
        throw new TypeError(`"${value}" is not an IPv6 address without a zone id`);
      }
      // The WHATWG URL parser prints IPv6 hosts compressed and in lower case.
      return { type, value: new URL(`http://[${value}]/`).hostname.slice(1, -1) };
    case 'domain': {
      const domain = value.replace(/\.$/, '').toLowerCase();
      if (!DOMAIN.test(domain)) throw new TypeError(`"${value}" is not a domain name`);
      return { type, value: domain };
    }
    case 'url': {
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        throw new TypeError(`"${value}" is not an absolute URL`);
      }
      const schemeEnd = value.indexOf('://');
      if (schemeEnd === -1 || !URL_SCHEMES.has(url.protocol)) {
        throw new TypeError(`"${value}" is not an http, https or ftp URL`);
      }
      // Only scheme and host are case-insensitive; path and query stay byte for byte.
      const prefix = `${url.protocol}//`;
      const rest = value.slice(schemeEnd + 3);
      const authorityEnd = rest.search(/[/?#]/);
      const authority = authorityEnd === -1 ? rest : rest.slice(0, authorityEnd);
      const tail = authorityEnd === -1 ? '' : rest.slice(authorityEnd);
      return { type, value: `${prefix}${authority.toLowerCase()}${tail}` };
    }
    case 'md5':
    case 'sha1':
    case 'sha256':
    case 'sha512': {
      const hash = value.toLowerCase();
      if (hashTypeOf(hash) !== type) throw new TypeError(`"${value}" is not a ${type} digest`);
      return { type, value: hash };
    }
    case 'email':
      if (!EMAIL.test(value)) throw new TypeError(`"${value}" is not an e-mail address`);
      return { type, value: value.toLowerCase() };
  }
}
