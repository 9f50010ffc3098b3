import { toUtcIso } from '../shared/timestamps.ts';
import type { ShodanBanner, ShodanHost, ShodanInternetDb } from './schema.ts';

/** A service Shodan found on a port, from one banner. */
export interface ShodanService {
  port: number;
  transport?: string;
  product?: string;
  version?: string;
  /** Shodan's crawler module, such as "http" or "ssh". */
  module?: string;
}

/**
 * Shodan's data on one address, read alike from a host response, an InternetDB
 * lookup or the banners of a search. Lists are deduplicated and sorted.
 */
export interface ShodanHostView {
  address: string;
  ports: number[];
  hostnames: string[];
  domains: string[];
  tags: string[];
  /** CVE ids Shodan associates with the software it saw, newest first. */
  vulns: string[];
  cpes: string[];
  services: ShodanService[];
  org?: string;
  isp?: string;
  asn?: string;
  countryCode?: string;
  countryName?: string;
  city?: string;
  os?: string;
  /** When Shodan last updated the host, or its newest banner in a search; ISO 8601 UTC. */
  lastUpdate?: string;
}

export function viewOfHost(host: ShodanHost): ShodanHostView {
  const banners = host.data ?? [];
  return {
    address: host.ip_str,
    ports: sortedNumbers([...(host.ports ?? []), ...portsOf(banners)]),
    hostnames: sortedTexts([host.hostnames, ...banners.map((banner) => banner.hostnames)]),
    domains: sortedTexts([host.domains, ...banners.map((banner) => banner.domains)]),
    tags: sortedTexts([host.tags, ...banners.map((banner) => banner.tags)]),
    vulns: newestCvesFirst([
      vulnIds(host.vulns),
      ...banners.map((banner) => vulnIds(banner.vulns)),
    ]),
    cpes: sortedTexts(banners.map(cpesOf)),
    services: servicesOf(banners),
    ...optional({
      org: host.org,
      isp: host.isp,
      asn: host.asn,
      countryCode: host.country_code,
      countryName: host.country_name,
      city: host.city,
      os: host.os,
      lastUpdate: toUtcIso(host.last_update),
    }),
  };
}

export function viewOfInternetDb(lookup: ShodanInternetDb): ShodanHostView {
  return {
    address: lookup.ip,
    ports: sortedNumbers(lookup.ports ?? []),
    hostnames: sortedTexts([lookup.hostnames]),
    domains: [],
    tags: sortedTexts([lookup.tags]),
    vulns: newestCvesFirst([lookup.vulns]),
    cpes: sortedTexts([lookup.cpes]),
    services: [],
  };
}

/**
 * Builds the view of one address from its banners in a search. Owner and location come from
 * the newest banner, as Shodan's host view does.
 */
export function viewOfBanners(address: string, banners: readonly ShodanBanner[]): ShodanHostView {
  const newestFirst = [...banners].sort((a, b) =>
    (toUtcIso(b.timestamp) ?? '').localeCompare(toUtcIso(a.timestamp) ?? ''),
  );
  const newest = newestFirst[0];
  return {
    address,
    ports: sortedNumbers(portsOf(banners)),
    hostnames: sortedTexts(banners.map((banner) => banner.hostnames)),
    domains: sortedTexts(banners.map((banner) => banner.domains)),
    tags: sortedTexts(banners.map((banner) => banner.tags)),
    vulns: newestCvesFirst(banners.map((banner) => vulnIds(banner.vulns))),
    cpes: sortedTexts(banners.map(cpesOf)),
    services: servicesOf(banners),
    ...optional({
      org: newest?.org,
      isp: newest?.isp,
      asn: newest?.asn,
      countryCode: newest?.location?.country_code,
      countryName: newest?.location?.country_name,
      city: newest?.location?.city,
      os: newestFirst.find((banner) => banner.os)?.os,
      lastUpdate: toUtcIso(newest?.timestamp),
    }),
  };
}

function portsOf(banners: readonly ShodanBanner[]): number[] {
  return banners.flatMap((banner) =>
    banner.port === undefined || banner.port === null ? [] : [banner.port],
  );
}

function servicesOf(banners: readonly ShodanBanner[]): ShodanService[] {
  const services = new Map<string, ShodanService>();
  for (const banner of banners) {
    if (banner.port === undefined || banner.port === null) continue;
    const service: ShodanService = {
      port: banner.port,
      ...optional({
        transport: banner.transport,
        product: banner.product,
        version:
          banner.version === undefined || banner.version === null
            ? undefined
            : String(banner.version),
        module: banner._shodan?.module,
      }),
    };
    services.set(JSON.stringify(service), service);
  }
  return [...services.values()].sort((a, b) => a.port - b.port);
}

function cpesOf(banner: ShodanBanner): string[] {
  return [banner.cpe23, banner.cpe].flatMap((value) =>
    value === undefined || value === null ? [] : Array.isArray(value) ? value : [value],
  );
}

function vulnIds(vulns: ShodanHost['vulns']): string[] {
  if (vulns === undefined || vulns === null) return [];
  return Array.isArray(vulns) ? vulns : Object.keys(vulns);
}

function sortedNumbers(values: readonly number[]): number[] {
  return [...new Set(values)].sort((a, b) => a - b);
}

function sortedTexts(lists: readonly (readonly string[] | null | undefined)[]): string[] {
  const values = lists.flatMap((list) => list ?? []).filter((value) => value.trim() !== '');
  return [...new Set(values)].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

/** Sorts CVE ids by year and number, newest first, so a capped list keeps the recent ones. */
function newestCvesFirst(lists: readonly (readonly string[] | null | undefined)[]): string[] {
  return sortedTexts(lists).reverse();
}

/** Keeps only the members that have a value, so optional view fields stay absent. */
function optional<T extends Record<string, string | null | undefined>>(
  values: T,
): { [K in keyof T]?: string } {
  return Object.fromEntries(
    Object.entries(values).filter(
      ([, value]) => value !== undefined && value !== null && value !== '',
    ),
  ) as { [K in keyof T]?: string };
}
