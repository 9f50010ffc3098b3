import { hashTypeOf, type Observable, type ObservableType } from '../../records/observable.ts';
import { canonicalizeField } from '../shared/observable-field.ts';
import { NormalizationError } from '../source.ts';
import type { OtxGeneral } from './schema.ts';

/** An indicator of a general section, with the page that shows it in the OTX web interface. */
export interface OtxIndicator {
  observable: Observable;
  reportUrl: string;
}

/**
 * OTX indicator types (the general section's `type`, compared in lower case) and the
 * observable type and web-interface path of each. OTX writes a file's type as the hash name
 * ("sha256") or as "FileHash-SHA256"; "file" alone is read by the digest's length.
 */
const INDICATOR_TYPES: Readonly<Record<string, { type: ObservableType | 'file'; page: string }>> = {
  ipv4: { type: 'ipv4', page: 'ip' },
  ipv6: { type: 'ipv6', page: 'ip' },
  domain: { type: 'domain', page: 'domain' },
  hostname: { type: 'domain', page: 'hostname' },
  url: { type: 'url', page: 'url' },
  email: { type: 'email', page: 'email' },
  md5: { type: 'md5', page: 'file' },
  sha1: { type: 'sha1', page: 'file' },
  sha256: { type: 'sha256', page: 'file' },
  'filehash-md5': { type: 'md5', page: 'file' },
  'filehash-sha1': { type: 'sha1', page: 'file' },
  'filehash-sha256': { type: 'sha256', page: 'file' },
  file: { type: 'file', page: 'file' },
};

/**
 * Reads the observable of a general section from its `type` and `indicator`. Hostnames are
 * recorded as domains, the only host-name type the relay has.
 *
 * @throws NormalizationError for a type without an observable type (cve, CIDR, mutex …) or
 * an indicator that is not valid for its type.
 */
export function readIndicator(general: OtxGeneral): OtxIndicator {
  const key = general.type.trim().toLowerCase();
  const known = Object.hasOwn(INDICATOR_TYPES, key) ? INDICATOR_TYPES[key] : undefined;
  if (known === undefined) {
    throw new NormalizationError(
      `OTX indicator type "${general.type}" is not an observable the relay records. Accepted: ` +
        'IPv4, IPv6, domain, hostname, url, email and file hashes (MD5, SHA-1, SHA-256).',
      ['type'],
    );
  }
  const type = known.type === 'file' ? fileHashType(general.indicator) : known.type;
  const observable = canonicalizeField(type, general.indicator, ['indicator'], 'the indicator');
  return { observable, reportUrl: otxPage(known.page, observable.value) };
}

/** Builds the page of an indicator in the OTX web interface, such as https://otx.alienvault.com/indicator/ip/192.0.2.1. */
export function otxPage(page: string, value: string): string {
  // Colons may stand in a path segment (RFC 3986), so IPv6 addresses stay readable.
  const segment = encodeURIComponent(value).replace(/%3A/gi, ':');
  return `https://otx.alienvault.com/indicator/${page}/${segment}`;
}

function fileHashType(indicator: string): ObservableType {
  const type = hashTypeOf(indicator.trim());
  if (type === undefined) {
    throw new NormalizationError(
      `The file indicator "${indicator.slice(0, 120)}" is not an MD5, SHA-1, SHA-256 or SHA-512 ` +
        'hex digest.',
      ['indicator'],
    );
  }
  return type;
}
