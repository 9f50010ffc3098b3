import { splitHostPort } from '../../records/ip.ts';
import type { Observable, ObservableType } from '../../records/observable.ts';
import { canonicalizeField, parseFieldAs, type PayloadPath } from '../shared/observable-field.ts';
import { NormalizationError } from '../source.ts';
import type { ThreatFoxIoc } from './schema.ts';

/** ThreatFox `ioc_type` values and the observable type each becomes; `ip:port` is read apart. */
const OBSERVABLE_TYPES: Readonly<Record<string, ObservableType>> = {
  domain: 'domain',
  url: 'url',
  md5_hash: 'md5',
  sha1_hash: 'sha1',
  sha256_hash: 'sha256',
  envelope_from: 'email',
  body_from: 'email',
};

/** IOC types the relay reads; others (such as `sha3_384_hash`) have no observable type. */
export const SUPPORTED_IOC_TYPES: readonly string[] = ['ip:port', ...Object.keys(OBSERVABLE_TYPES)];

/** An IOC with the observable it names and, for `ip:port`, the port. */
export interface ReadIoc {
  ioc: ThreatFoxIoc;
  observable: Observable;
  port?: number;
}

/**
 * Reads the observable of an IOC. An `ip:port` value is split on its last colon, so the
 * bare IPv6 form `2001:db8::1:443` gives the address `2001:db8::1` and port 443; the
 * bracketed form `[2001:db8::1]:443` works too. Returns undefined for an `ioc_type` the
 * relay has no observable type for.
 *
 * @throws NormalizationError naming `ioc` when the value is not valid for its type.
 */
export function readIoc(ioc: ThreatFoxIoc, path: PayloadPath): ReadIoc | undefined {
  const valuePath = [...path, 'ioc'];
  if (ioc.ioc_type === 'ip:port') return readIpPort(ioc, valuePath);

  const type = Object.hasOwn(OBSERVABLE_TYPES, ioc.ioc_type)
    ? OBSERVABLE_TYPES[ioc.ioc_type]
    : undefined;
  if (type === undefined) return undefined;
  return { ioc, observable: canonicalizeField(type, ioc.ioc, valuePath, 'the IOC') };
}

function readIpPort(ioc: ThreatFoxIoc, path: PayloadPath): ReadIoc {
  const endpoint = splitHostPort(ioc.ioc);
  if (endpoint === undefined) {
    throw new NormalizationError(
      `Cannot read the ip:port IOC "${abbreviate(ioc.ioc)}": expected an IP address, a colon ` +
        'and a port from 0 to 65535, such as 192.0.2.1:443 or 2001:db8::1:443.',
      path,
    );
  }
  const host = endpoint.host.replace(/^\[(.*)\]$/, '$1');
  const observable = parseFieldAs(['ipv4', 'ipv6'], host, path, 'the address of the ip:port IOC');
  return { ioc, observable, port: endpoint.port };
}

function abbreviate(value: string): string {
  return value.length <= 120 ? value : `${value.slice(0, 117)}...`;
}
