import { capList, withoutEmpty } from '../shared/detail-values.ts';
import { toUtcIso } from '../shared/timestamps.ts';
import type { UrlhausHostLookup, UrlhausPayload, UrlhausUrl } from './schema.ts';

/** Caps that keep `details` to a few KB: a host lookup lists up to 100 URLs. */
const MAX_TAGS = 50;
const MAX_LISTED_URLS = 20;
const MAX_LISTED_PAYLOADS = 10;
const MAX_THREATS = 10;

/**
 * Picks the context of a URL entry: status, threat, dates, tags, blocklists, takedown and
 * the payloads it served (hashes, type, malware family, VirusTotal score). File names and
 * the reporter's handle are left out: the first are lure text, the second a username.
 */
export function urlDetails(entry: UrlhausUrl): Record<string, unknown> {
  return withoutEmpty({
    urlhausId: toCount(entry.id ?? entry.url_id),
    url: entry.url,
    urlStatus: entry.url_status,
    host: entry.host,
    threat: entry.threat,
    dateAdded: toUtcIso(entry.date_added ?? entry.dateadded),
    firstSeen: toUtcIso(entry.firstseen),
    lastOnline: toUtcIso(entry.last_online),
    lastSeen: toUtcIso(entry.lastseen),
    tags: capList(entry.tags, MAX_TAGS),
    spamhausDbl: entry.blacklists?.spamhaus_dbl,
    surbl: entry.blacklists?.surbl,
    larted: toBoolean(entry.larted),
    takedownTimeSeconds: toCount(entry.takedown_time_seconds),
    signature: entry.signature,
    md5: entry.md5_hash,
    sha256: entry.sha256_hash,
    payloadCount: entry.payloads?.length,
    payloads: capList(
      (entry.payloads ?? []).map((payload) =>
        withoutEmpty({
          firstSeen: toUtcIso(payload.firstseen),
          fileType: payload.file_type,
          size: toCount(payload.response_size),
          md5: payload.response_md5,
          sha256: payload.response_sha256,
          signature: payload.signature,
          virusTotalResult: payload.virustotal?.result,
          virusTotalPercent: toPercent(payload.virustotal?.percent),
        }),
      ),
      MAX_LISTED_PAYLOADS,
    ),
  });
}

/**
 * Picks the context of a host lookup: URL counts, first seen, blocklists, and the threats,
 * tags and first MAX_LISTED_URLS of the URLs listed on the host.
 */
export function hostDetails(
  body: UrlhausHostLookup,
  counts: { urlCount: number; urlsOnline: number },
): Record<string, unknown> {
  const urls = body.urls ?? [];
  return withoutEmpty({
    host: body.host,
    urlCount: counts.urlCount,
    urlsOnline: counts.urlsOnline,
    urlsListed: urls.length,
    firstSeen: toUtcIso(body.firstseen),
    spamhausDbl: body.blacklists?.spamhaus_dbl,
    surbl: body.blacklists?.surbl,
    threats: capList(
      urls.map((entry) => entry.threat),
      MAX_THREATS,
    ),
    tags: capList(
      urls.flatMap((entry) => entry.tags ?? []),
      MAX_TAGS,
    ),
    urls: listedUrls(urls),
  });
}

/** Picks the context of a payload: hashes, file type and size, malware family, dates, URLs. */
export function payloadDetails(payload: UrlhausPayload): Record<string, unknown> {
  return withoutEmpty({
    md5: payload.md5_hash,
    sha256: payload.sha256_hash,
    fileType: payload.file_type,
    fileSize: toCount(payload.file_size),
    signature: payload.signature,
    firstSeen: toUtcIso(payload.firstseen),
    lastSeen: toUtcIso(payload.lastseen),
    urlCount: toCount(payload.url_count),
    virusTotalResult: payload.virustotal?.result,
    virusTotalPercent: toPercent(payload.virustotal?.percent),
    imphash: payload.imphash,
    ssdeep: payload.ssdeep,
    tlsh: payload.tlsh,
    urls: listedUrls(payload.urls ?? []),
  });
}

/** Reads a URLhaus count, which is a number or a string of digits. */
export function toCount(value: string | number | null | undefined): number | undefined {
  if (value === undefined || value === null) return undefined;
  const count = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(count) ? count : undefined;
}

function listedUrls(urls: readonly UrlhausUrl[]): Record<string, unknown>[] {
  return urls.slice(0, MAX_LISTED_URLS).map((entry) =>
    withoutEmpty({
      url: entry.url,
      status: entry.url_status,
      threat: entry.threat,
      dateAdded: toUtcIso(entry.date_added ?? entry.dateadded),
      firstSeen: toUtcIso(entry.firstseen),
      lastSeen: toUtcIso(entry.lastseen),
    }),
  );
}

function toBoolean(value: string | boolean | null | undefined): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  return undefined;
}

function toPercent(value: string | number | null | undefined): number | undefined {
  if (value === undefined || value === null) return undefined;
  const percent = typeof value === 'number' ? value : Number.parseFloat(value);
  return Number.isFinite(percent) ? percent : undefined;
}
