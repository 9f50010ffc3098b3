import { capList, truncate, withoutEmpty } from '../shared/detail-values.ts';
import { httpUrlOnly } from '../shared/report-url.ts';
import { toUtcIso } from '../shared/timestamps.ts';
import type {
  GreyNoiseCommunity,
  GreyNoiseContext,
  GreyNoiseQuick,
  GreyNoiseRiotFields,
} from './schema.ts';
import { QUICK_CODES } from './verdict.ts';

/** Caps that keep `details` to a few KB even for a scanner with hundreds of tags and ports. */
const MAX_LISTED_TAGS = 50;
const MAX_LISTED_CVES = 50;
const MAX_LISTED_PORTS = 50;
const MAX_LISTED_PATHS = 20;
const MAX_DESCRIPTION_LENGTH = 500;

/**
 * Picks the context of an IP context record, which is also the form of a GNQL item. That is
 * the classification, first and last seen, actor, tags, CVEs, spoofable, bot, VPN and Tor.
 * Then come the network owner and location, the ports and web paths it scanned, and the RIOT
 * fields when the record has them.
 */
export function contextDetails(context: GreyNoiseContext): Record<string, unknown> {
  const metadata = context.metadata ?? undefined;
  const scans = context.raw_data?.scan ?? [];
  return withoutEmpty({
    classification: context.classification,
    seen: context.seen,
    noise: context.noise,
    firstSeen: context.first_seen,
    lastSeen: context.last_seen,
    actor: context.actor === 'unknown' ? undefined : context.actor,
    tags: capList(context.tags, MAX_LISTED_TAGS),
    cves: capList(context.cve, MAX_LISTED_CVES),
    spoofable: context.spoofable,
    bot: context.bot,
    vpn: context.vpn,
    vpnService: context.vpn_service === 'N/A' ? undefined : context.vpn_service,
    tor: metadata?.tor,
    asn: metadata?.asn,
    organization: metadata?.organization,
    country: metadata?.country,
    countryCode: metadata?.country_code,
    city: metadata?.city,
    rdns: metadata?.rdns,
    networkCategory: metadata?.category,
    os: metadata?.os === 'unknown' ? undefined : metadata?.os,
    sensorHits: metadata?.sensor_hits,
    scannedPorts: capList(
      scans.map((scan) =>
        scan.port === undefined || scan.port === null
          ? undefined
          : `${scan.port}/${scan.protocol ?? '?'}`,
      ),
      MAX_LISTED_PORTS,
    ),
    webPaths: capList(context.raw_data?.web?.paths, MAX_LISTED_PATHS),
    ...riotDetails(context),
  });
}

/** Picks what a RIOT record tells about the business service behind an address. */
export function riotDetails(riot: GreyNoiseRiotFields): Record<string, unknown> {
  return withoutEmpty({
    riot: riot.riot,
    riotName: riot.name,
    riotCategory: riot.category,
    riotTrustLevel:
      riot.trust_level === undefined || riot.trust_level === null
        ? undefined
        : String(riot.trust_level),
    riotDescription:
      riot.description === undefined || riot.description === null
        ? undefined
        : truncate(riot.description, MAX_DESCRIPTION_LENGTH),
    riotReference: httpUrlOnly(riot.reference),
    riotLastUpdated: toUtcIso(riot.last_updated),
  });
}

export function communityDetails(community: GreyNoiseCommunity): Record<string, unknown> {
  return withoutEmpty({
    classification: community.classification,
    noise: community.noise,
    riot: community.riot,
    name: community.name,
    lastSeen: community.last_seen,
    message: community.message,
  });
}

export function quickDetails(quick: GreyNoiseQuick): Record<string, unknown> {
  return withoutEmpty({
    noise: quick.noise,
    riot: quick.riot,
    code: quick.code,
    codeMessage: quickCodeMessage(quick),
  });
}

/** Returns GreyNoise's explanation of a quick-check code, from the response or the known list. */
export function quickCodeMessage(quick: GreyNoiseQuick): string | undefined {
  return quick.code_message ?? QUICK_CODES[quick.code.toLowerCase()];
}
