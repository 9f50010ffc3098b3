import type { Observable } from '../../records/observable.ts';
import { capList, withoutEmpty } from '../shared/detail-values.ts';
import { canonicalizeField, parseFieldAs } from '../shared/observable-field.ts';
import { timeSpan, toUtcIso } from '../shared/timestamps.ts';
import { NormalizationError } from '../source.ts';
import type { OtxPassiveDns, OtxResolution } from './schema.ts';

/** Caps that keep `details` to a few KB: a busy address has thousands of resolutions. */
const MAX_LISTED_RESOLUTIONS = 10;
const MAX_NAMES = 50;

/** Side of the resolutions (host name or address) that the queried indicator is on. */
export type QueriedSide = 'hostname' | 'address';

/** An indicator a passive DNS answer is about, inferred from its resolutions. */
export interface QueriedIndicator {
  side: QueriedSide;
  observable: Observable;
}

/**
 * Infers the indicator a passive DNS response was fetched for, because the response does
 * not name it. The candidates, in order: the address every resolution shares (an IP
 * query), the hostname every resolution shares, and the longest domain of two or more
 * labels that every hostname ends in (a domain query, whose response includes subdomains).
 * When every resolution has the same hostname and address, the response fits either query,
 * so both are returned.
 *
 * @throws NormalizationError when the resolutions share neither an address nor a domain.
 */
export function queriedIndicators(response: OtxPassiveDns): QueriedIndicator[] {
  const entries = response.passive_dns;
  const hostnames = distinct(entries.map((entry) => normalizeName(entry.hostname)));
  const addresses = distinct(entries.map((entry) => normalizeName(entry.address)));
  const hostname = (value: string): QueriedIndicator => ({
    side: 'hostname',
    observable: canonicalizeField('domain', value, ['passive_dns', 0, 'hostname'], 'the hostname'),
  });
  const address = (value: string): QueriedIndicator => ({
    side: 'address',
    // A CNAME or NS record's address is a host name, not an IP address.
    observable: parseFieldAs(
      ['ipv4', 'ipv6', 'domain'],
      value,
      ['passive_dns', 0, 'address'],
      'the address',
    ),
  });

  if (hostnames.length === 1 && addresses.length === 1) {
    return [hostname(hostnames[0]!), address(addresses[0]!)];
  }
  if (addresses.length === 1) return [address(addresses[0]!)];
  if (hostnames.length === 1) return [hostname(hostnames[0]!)];

  const domain = commonDomain(hostnames);
  if (domain !== undefined) return [hostname(domain)];
  throw new NormalizationError(
    'The passive DNS resolutions share neither an address nor a domain, so the indicator ' +
      'they were fetched for is unknown. Send the passive_dns section of one indicator as ' +
      'GET /api/v1/indicators/{type}/{indicator}/passive_dns returns it.',
    ['passive_dns'],
  );
}

/**
 * Picks the context of a passive DNS response for the indicator on `side`: resolution count,
 * first and last seen, the names on the other side, and the most recent resolutions.
 */
export function passiveDnsDetails(
  response: OtxPassiveDns,
  side: QueriedSide,
): Record<string, unknown> {
  const entries = response.passive_dns;
  const others = entries.map((entry) => (side === 'hostname' ? entry.address : entry.hostname));
  return withoutEmpty({
    queriedAs: side,
    resolutionCount: response.count ?? entries.length,
    firstSeen: timeSpan(entries.map((entry) => entry.first)).earliest,
    lastSeen: timeSpan(entries.map((entry) => entry.last)).latest,
    [side === 'hostname' ? 'addresses' : 'hostnames']: capList(others, MAX_NAMES),
    resolutions: mostRecent(entries)
      .slice(0, MAX_LISTED_RESOLUTIONS)
      .map((entry) =>
        withoutEmpty({
          hostname: entry.hostname,
          address: entry.address,
          recordType: entry.record_type,
          firstSeen: toUtcIso(entry.first),
          lastSeen: toUtcIso(entry.last),
          asn: entry.asn?.trim(),
          country: entry.flag_title,
        }),
      ),
  });
}

/** Describes the resolutions, as "OTX passive DNS lists 4 resolutions of this host name to 4 addresses." */
export function describePassiveDns(response: OtxPassiveDns, side: QueriedSide): string {
  const count = response.count ?? response.passive_dns.length;
  const plural = count === 1 ? 'resolution' : 'resolutions';
  if (side === 'hostname') {
    const addresses = distinct(response.passive_dns.map((entry) => normalizeName(entry.address)));
    return `OTX passive DNS lists ${count} ${plural} of this host name to ${addresses.length} ${addresses.length === 1 ? 'address' : 'addresses'}.`;
  }
  const hostnames = distinct(response.passive_dns.map((entry) => normalizeName(entry.hostname)));
  return `OTX passive DNS lists ${count} ${plural} of ${hostnames.length} ${hostnames.length === 1 ? 'host name' : 'host names'} to this address.`;
}

function commonDomain(hostnames: readonly string[]): string | undefined {
  const labelLists = hostnames.map((name) => name.split('.').reverse());
  const shared: string[] = [];
  for (const [index, label] of labelLists[0]!.entries()) {
    if (!labelLists.every((labels) => labels[index] === label)) break;
    shared.push(label);
  }
  return shared.length >= 2 ? shared.reverse().join('.') : undefined;
}

function mostRecent(entries: readonly OtxResolution[]): OtxResolution[] {
  const last = (entry: OtxResolution) => toUtcIso(entry.last ?? entry.first) ?? '';
  return [...entries].sort((a, b) => last(b).localeCompare(last(a)));
}

function normalizeName(value: string): string {
  return value.trim().toLowerCase().replace(/\.$/, '');
}

function distinct(values: readonly string[]): string[] {
  return [...new Set(values)];
}
