import type { Observable } from '../../records/observable.ts';
import type { RelayRecord } from '../../records/record.ts';
import { toRawPayload } from '../raw-payload.ts';
import { queryStatusError } from '../shared/abuse-ch.ts';
import { readEachItem } from '../shared/list-items.ts';
import { canonicalizeField, parseFieldAs, type PayloadPath } from '../shared/observable-field.ts';
import { withoutMembers } from '../shared/personal-data.ts';
import { vendorReportUrl } from '../shared/report-url.ts';
import { buildVerdictRecords } from '../shared/verdict-records.ts';
import { NormalizationError, type SourceContext } from '../source.ts';
import { hostDetails, payloadDetails, toCount, urlDetails } from './details.ts';
import type {
  UrlhausHostLookup,
  UrlhausPayload,
  UrlhausResponse,
  UrlhausStatus,
  UrlhausUrl,
} from './schema.ts';
import { decideHostVerdict, decidePayloadVerdict, decideUrlVerdict } from './verdict.ts';

export const URLHAUS_VENDOR_NAME = 'URLhaus';

const URLHAUS_HOST = 'urlhaus.abuse.ch';

/**
 * Members kept out of raw payloads: `reporter` is the handle of the person who reported the
 * URL, and `filename` is the lure name of a payload, which can name the person it targeted.
 */
const PERSONAL_DATA_MEMBERS = new Set(['reporter', 'filename']);

/**
 * Turns a URLhaus API v1 response into records: a threat lookup result and an observable
 * enrichment for a URL, host or payload lookup, and two records per entry of a recent-URLs,
 * tag, signature or recent-payloads list. An entry of a list whose URL or hash is invalid is
 * skipped and reported through `context.skip`; an empty list gives no records. A response
 * whose `query_status` is not "ok" throws a NormalizationError naming the status.
 */
export function normalizeUrlhaus(response: UrlhausResponse, context: SourceContext): RelayRecord[] {
  const observedAt = context.receivedAt.toISOString();
  switch (response.form) {
    case 'url':
      return urlRecords(response.body, [], observedAt);
    case 'host':
      return hostRecords(response.body, observedAt);
    case 'payload':
      return payloadRecords(response.body, [], observedAt);
    case 'url_list':
      return readEachItem(response.body.urls, ['urls'], context, (entry, path) =>
        urlRecords(entry, path, observedAt),
      ).flat();
    case 'payload_list':
      return readEachItem(response.body.payloads, ['payloads'], context, (payload, path) =>
        payloadRecords(payload, path, observedAt),
      ).flat();
    case 'status':
      throw statusError(response.body);
  }
}

function urlRecords(entry: UrlhausUrl, path: PayloadPath, observedAt: string): RelayRecord[] {
  const observable = canonicalizeField('url', entry.url, [...path, 'url'], 'the URL');
  const details = urlDetails(entry);
  const threat = entry.threat ? ` for ${entry.threat}` : '';
  const status = entry.url_status ?? 'of unknown status';
  return buildVerdictRecords({
    source: URLHAUS_VENDOR_NAME,
    observable,
    verdict: decideUrlVerdict(entry.url_status),
    summary: `URLhaus lists this URL${threat}; it is ${status}.`,
    observedAt,
    details,
    reportUrl: vendorReportUrl(entry.urlhaus_reference, URLHAUS_HOST) ?? urlPage(entry),
    rawPayload: rawPayloadOf(entry),
  });
}

function hostRecords(body: UrlhausHostLookup, observedAt: string): RelayRecord[] {
  const observable = parseFieldAs(['ipv4', 'ipv6', 'domain'], body.host, ['host'], 'the host');
  const urls = body.urls ?? [];
  const urlCount = toCount(body.url_count) ?? urls.length;
  const urlsOnline =
    toCount(body.urls_online) ?? urls.filter((entry) => entry.url_status === 'online').length;
  const dbl = body.blacklists?.spamhaus_dbl ?? 'not reported';
  const surbl = body.blacklists?.surbl ?? 'not reported';
  return buildVerdictRecords({
    source: URLHAUS_VENDOR_NAME,
    observable,
    verdict: decideHostVerdict({
      spamhausDbl: body.blacklists?.spamhaus_dbl,
      surbl: body.blacklists?.surbl,
      urlCount,
    }),
    summary:
      `URLhaus lists ${urlCount} malware ${urlCount === 1 ? 'URL' : 'URLs'} on this host, ` +
      `${urlsOnline} online; Spamhaus DBL: ${dbl}, SURBL: ${surbl}.`,
    observedAt,
    details: hostDetails(body, { urlCount, urlsOnline }),
    reportUrl: vendorReportUrl(body.urlhaus_reference, URLHAUS_HOST) ?? hostPage(observable),
    rawPayload: rawPayloadOf(body),
  });
}

function payloadRecords(
  payload: UrlhausPayload,
  path: PayloadPath,
  observedAt: string,
): RelayRecord[] {
  const observable = payloadObservable(payload, path);
  const fileType = payload.file_type ? `${payload.file_type} ` : '';
  const urlCount = toCount(payload.url_count) ?? payload.urls?.length;
  const fromUrls =
    urlCount === undefined ? '' : ` from ${urlCount} ${urlCount === 1 ? 'URL' : 'URLs'}`;
  const family = payload.signature ? `; malware family ${payload.signature}` : '';
  return buildVerdictRecords({
    source: URLHAUS_VENDOR_NAME,
    observable,
    verdict: decidePayloadVerdict(payload.signature),
    summary: `URLhaus collected this ${fileType}file${fromUrls}${family}.`,
    observedAt,
    details: payloadDetails(payload),
    rawPayload: rawPayloadOf(payload),
  });
}

/** Reads a payload's observable: its SHA-256, the hash other vendors report too, else its MD5. */
function payloadObservable(payload: UrlhausPayload, path: PayloadPath): Observable {
  if (payload.sha256_hash) {
    return canonicalizeField(
      'sha256',
      payload.sha256_hash,
      [...path, 'sha256_hash'],
      'the payload',
    );
  }
  if (payload.md5_hash) {
    return canonicalizeField('md5', payload.md5_hash, [...path, 'md5_hash'], 'the payload');
  }
  throw new NormalizationError(
    'The payload has neither sha256_hash nor md5_hash, so the file it describes is unknown. ' +
      'Send the response as POST https://urlhaus-api.abuse.ch/v1/payload/ returns it.',
    [...path, 'sha256_hash'],
  );
}

function statusError(body: UrlhausStatus): NormalizationError {
  if (body.query_status !== 'ok') return queryStatusError(URLHAUS_VENDOR_NAME, body.query_status);
  return new NormalizationError(
    'This URLhaus response has query_status "ok" but none of the members the relay reads: ' +
      'url (URL lookup), host (host lookup), md5_hash or sha256_hash (payload lookup), ' +
      'urls (recent URLs, tag or signature list) or payloads (recent payloads).',
    [],
  );
}

function urlPage(entry: UrlhausUrl): string | undefined {
  const id = toCount(entry.id ?? entry.url_id);
  return id === undefined ? undefined : `https://${URLHAUS_HOST}/url/${id}/`;
}

function hostPage(observable: Observable): string {
  return `https://${URLHAUS_HOST}/host/${encodeURIComponent(observable.value).replace(/%3A/gi, ':')}/`;
}

function rawPayloadOf(value: object): string {
  return toRawPayload(withoutMembers(value, PERSONAL_DATA_MEMBERS) as Record<string, unknown>);
}
