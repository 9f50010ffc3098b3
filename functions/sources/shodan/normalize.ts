import type { Observable } from '../../records/observable.ts';
import type { ObservableEnrichment, RelayRecord } from '../../records/record.ts';
import { formatCount } from '../../shared/format-count.ts';
import { capList, withoutEmpty } from '../shared/detail-values.ts';
import { parseFieldAs, type PayloadPath } from '../shared/observable-field.ts';
import { buildEnrichmentRecord } from '../shared/verdict-records.ts';
import { quoteVendorText, vendorErrorResponse } from '../shared/vendor-error.ts';
import { NormalizationError, type SourceContext } from '../source.ts';
import { viewOfBanners, viewOfHost, viewOfInternetDb, type ShodanHostView } from './host-view.ts';
import type { ShodanPayload, ShodanSearch } from './schema.ts';

export const SHODAN_VENDOR_NAME = 'Shodan';

/** Caps that keep `details` to a few KB even for a host with hundreds of services and CVEs. */
const MAX_LISTED_PORTS = 100;
const MAX_LISTED_NAMES = 20;
const MAX_LISTED_TAGS = 50;
const MAX_LISTED_VULNS = 100;
const MAX_LISTED_CPES = 50;
const MAX_LISTED_SERVICES = 50;

// Shodan's and InternetDB's response for an address they have no data on (HTTP 404).
const NO_INFORMATION = /no information available/i;

/**
 * Turns a Shodan host response, an InternetDB lookup or a host search into one observable
 * enrichment per address. Shodan describes what a host exposes, not whether it is
 * malicious, so it never gives a threat lookup result. Error bodies throw a NormalizationError.
 */
export function normalizeShodan(payload: ShodanPayload, context: SourceContext): RelayRecord[] {
  const receivedAt = context.receivedAt.toISOString();
  switch (payload.form) {
    case 'host': {
      const observable = ipObservable(payload.body.ip_str, ['ip_str']);
      return [enrichment(observable, viewOfHost(payload.body), 'Shodan', receivedAt)];
    }
    case 'internetdb': {
      const observable = ipObservable(payload.body.ip, ['ip']);
      return [
        enrichment(observable, viewOfInternetDb(payload.body), 'Shodan InternetDB', receivedAt),
      ];
    }
    case 'search':
      return normalizeSearch(payload.body, receivedAt);
    case 'error':
      throw errorResponse(payload.body.error, ['error']);
    case 'internetdb-error':
      throw errorResponse(payload.body.detail, ['detail']);
    case 'unrecognized':
      // The schema never lets this form through; the case keeps the switch exhaustive.
      return payload.body;
  }
}

/** Groups the banners of a search by address, so each host gets one enrichment. */
function normalizeSearch(search: ShodanSearch, receivedAt: string): RelayRecord[] {
  const hosts = new Map<string, { observable: Observable; banners: ShodanSearch['matches'] }>();
  for (const [index, banner] of search.matches.entries()) {
    const observable = ipObservable(banner.ip_str, ['matches', index, 'ip_str']);
    const host = hosts.get(observable.value) ?? { observable, banners: [] };
    host.banners.push(banner);
    hosts.set(observable.value, host);
  }
  return [...hosts.values()].map(({ observable, banners }) =>
    enrichment(observable, viewOfBanners(observable.value, banners), 'Shodan search', receivedAt),
  );
}

function enrichment(
  observable: Observable,
  view: ShodanHostView,
  origin: string,
  receivedAt: string,
): ObservableEnrichment {
  return buildEnrichmentRecord({
    source: SHODAN_VENDOR_NAME,
    observable,
    summary: describeHost(observable.value, view, origin),
    observedAt: view.lastUpdate ?? receivedAt,
    reportUrl: `https://www.shodan.io/host/${observable.value}`,
    details: hostDetails(view),
  });
}

/** Picks the enrichment details; banner text (`data`, HTML, certificates) never comes along. */
function hostDetails(view: ShodanHostView): Record<string, unknown> {
  return withoutEmpty({
    ports: capList(view.ports, MAX_LISTED_PORTS),
    hostnames: capList(view.hostnames, MAX_LISTED_NAMES),
    domains: capList(view.domains, MAX_LISTED_NAMES),
    tags: capList(view.tags, MAX_LISTED_TAGS),
    vulns: capList(view.vulns, MAX_LISTED_VULNS),
    // The total only when the list above was cut.
    vulnsTotal: view.vulns.length > MAX_LISTED_VULNS ? view.vulns.length : undefined,
    cpes: capList(view.cpes, MAX_LISTED_CPES),
    services: capList(view.services, MAX_LISTED_SERVICES),
    org: view.org,
    isp: view.isp,
    asn: view.asn,
    countryCode: view.countryCode,
    countryName: view.countryName,
    city: view.city,
    os: view.os,
    lastUpdate: view.lastUpdate,
  });
}

function describeHost(address: string, view: ShodanHostView, origin: string): string {
  const ports =
    view.ports.length === 0
      ? 'no open ports'
      : `${formatCount(view.ports.length, 'open port')} (${view.ports.slice(0, 10).join(', ')}${view.ports.length > 10 ? ', …' : ''})`;
  const vulns =
    view.vulns.length === 0
      ? 'no known vulnerabilities'
      : `${formatCount(view.vulns.length, 'known vulnerability', 'known vulnerabilities')}`;
  const owner = view.org ?? view.isp;
  const ownedBy = owner === undefined ? '' : ` of ${owner}`;
  const updated = view.lastUpdate === undefined ? '' : `; last updated ${view.lastUpdate}`;
  return `${origin} lists ${ports} and ${vulns} on ${address}${ownedBy}${updated}.`;
}

function ipObservable(value: string, path: PayloadPath): Observable {
  return parseFieldAs(['ipv4', 'ipv6'], value, path, 'the IP address');
}

function errorResponse(message: string, path: PayloadPath): NormalizationError {
  if (NO_INFORMATION.test(message)) {
    return new NormalizationError(
      `Shodan has no information on the address looked up (${quoteVendorText(message)}). ` +
        'Shodan gives no verdicts, so there is nothing to record, and the response does not ' +
        'name the address. The relay made no record.',
      path,
    );
  }
  return vendorErrorResponse(
    SHODAN_VENDOR_NAME,
    quoteVendorText(message),
    path,
    'Fix the request to Shodan (API key, credits, query) and send the response it returns.',
  );
}
