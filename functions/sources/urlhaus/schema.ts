import * as z from 'zod';
import { isJsonObject, schemaByShape } from '../schema-by-shape.ts';
import { taggedSchema } from '../shared/tagged-schema.ts';

// URLhaus writes numbers as strings ("url_count": "124") in most responses and as numbers
// in some (the recent-URLs list's "id"), so both are accepted for every count and id.
const numberOrNumeric = z.union([z.number(), z.string().regex(/^\d+$/, 'must be a number')]);

const blacklistsSchema = z.looseObject({
  spamhaus_dbl: z.string().nullish(),
  surbl: z.string().nullish(),
});

const virusTotalSummarySchema = z.looseObject({
  result: z.string().nullish(),
  percent: z.union([z.string(), z.number()]).nullish(),
  link: z.string().nullish(),
});

/** A payload that a URL served, inside a URL lookup (`payloads[]`). */
const servedPayloadSchema = z.looseObject({
  firstseen: z.string().nullish(),
  file_type: z.string().nullish(),
  response_size: numberOrNumeric.nullish(),
  response_md5: z.string().nullish(),
  response_sha256: z.string().nullish(),
  signature: z.string().nullish(),
  virustotal: virusTotalSummarySchema.nullish(),
});

/**
 * A URL entry: the URL lookup itself and the entries of `urls[]` in host, payload, tag and
 * recent-URLs responses, which carry subsets of these fields under slightly different names.
 */
export const urlhausUrlSchema = z.looseObject({
  url: z.string().min(1),
  url_status: z.string().nullish(),
  id: numberOrNumeric.nullish(),
  url_id: numberOrNumeric.nullish(),
  urlhaus_reference: z.string().nullish(),
  host: z.string().nullish(),
  date_added: z.string().nullish(),
  dateadded: z.string().nullish(),
  firstseen: z.string().nullish(),
  lastseen: z.string().nullish(),
  last_online: z.string().nullish(),
  threat: z.string().nullish(),
  blacklists: blacklistsSchema.nullish(),
  larted: z.union([z.string(), z.boolean()]).nullish(),
  takedown_time_seconds: numberOrNumeric.nullish(),
  tags: z.array(z.string()).nullish(),
  payloads: z.array(servedPayloadSchema).nullish(),
  // Signature lookups list URLs with the hashes of what they served.
  md5_hash: z.string().nullish(),
  sha256_hash: z.string().nullish(),
  signature: z.string().nullish(),
});

/** POST /v1/url/: one URL with its status, threat, blocklists and payloads. */
export const urlhausUrlLookupSchema = urlhausUrlSchema.extend({ query_status: z.literal('ok') });

/** POST /v1/host/: a domain or IP address and the malware URLs URLhaus lists on it. */
export const urlhausHostLookupSchema = z.looseObject({
  query_status: z.literal('ok'),
  host: z.string().min(1),
  urlhaus_reference: z.string().nullish(),
  firstseen: z.string().nullish(),
  url_count: numberOrNumeric.nullish(),
  urls_online: numberOrNumeric.nullish(),
  blacklists: blacklistsSchema.nullish(),
  urls: z.array(urlhausUrlSchema).nullish(),
});

/** A payload (file) that URLhaus collected: the payload lookup and `payloads[]` of recent payloads. */
export const urlhausPayloadSchema = z.looseObject({
  md5_hash: z.string().nullish(),
  sha256_hash: z.string().nullish(),
  file_type: z.string().nullish(),
  file_size: numberOrNumeric.nullish(),
  signature: z.string().nullish(),
  firstseen: z.string().nullish(),
  lastseen: z.string().nullish(),
  url_count: numberOrNumeric.nullish(),
  virustotal: virusTotalSummarySchema.nullish(),
  imphash: z.string().nullish(),
  ssdeep: z.string().nullish(),
  tlsh: z.string().nullish(),
  urls: z.array(urlhausUrlSchema).nullish(),
});

/** POST /v1/payload/: one payload by its MD5 or SHA-256 hash, with the URLs that served it. */
export const urlhausPayloadLookupSchema = urlhausPayloadSchema.extend({
  query_status: z.literal('ok'),
});

/** GET /v1/urls/recent/, POST /v1/tag/ and POST /v1/signature/: a list of URL entries. */
export const urlhausUrlListSchema = z.looseObject({
  query_status: z.literal('ok'),
  urls: z.array(urlhausUrlSchema),
});

/** GET /v1/payloads/recent/: a list of payloads. */
export const urlhausPayloadListSchema = z.looseObject({
  query_status: z.literal('ok'),
  payloads: z.array(urlhausPayloadSchema),
});

/**
 * Any response whose `query_status` is not "ok" (`no_results`, `not_found`, `invalid_url`,
 * `http_post_expected` …), or an "ok" response of a shape the relay does not read. URLhaus
 * sends these with HTTP 200; the normalizer turns them into a 422 naming the status.
 */
export const urlhausStatusSchema = z.looseObject({ query_status: z.string().min(1) });

export type UrlhausUrl = z.infer<typeof urlhausUrlSchema>;
export type UrlhausUrlLookup = z.infer<typeof urlhausUrlLookupSchema>;
export type UrlhausHostLookup = z.infer<typeof urlhausHostLookupSchema>;
export type UrlhausPayload = z.infer<typeof urlhausPayloadSchema>;
export type UrlhausPayloadLookup = z.infer<typeof urlhausPayloadLookupSchema>;
export type UrlhausUrlList = z.infer<typeof urlhausUrlListSchema>;
export type UrlhausPayloadList = z.infer<typeof urlhausPayloadListSchema>;
export type UrlhausStatus = z.infer<typeof urlhausStatusSchema>;

/** A URLhaus response, tagged with the form the schema recognized. */
export type UrlhausResponse =
  | { form: 'url'; body: UrlhausUrlLookup }
  | { form: 'host'; body: UrlhausHostLookup }
  | { form: 'payload'; body: UrlhausPayloadLookup }
  | { form: 'url_list'; body: UrlhausUrlList }
  | { form: 'payload_list'; body: UrlhausPayloadList }
  | { form: 'status'; body: UrlhausStatus };

const anyResponseSchema = z.looseObject(
  { query_status: z.string().min(1) },
  {
    error:
      'Expected a URLhaus API v1 response: a JSON object with "query_status", such as the body ' +
      'of POST https://urlhaus-api.abuse.ch/v1/url/.',
  },
);

/**
 * Picks the response's schema by its members, checked in this order:
 * - a `query_status` other than "ok": a status response;
 * - `url`: a URL lookup, checked first because a URL lookup also has `host` and `payloads`;
 * - `md5_hash` or `sha256_hash`: a payload lookup;
 * - `host`: a host lookup;
 * - `urls` or `payloads`: a URL list or a payload list.
 */
export const urlhausResponseSchema: z.ZodType<UrlhausResponse, unknown> = schemaByShape(
  {
    unrecognized: taggedSchema('status', anyResponseSchema),
    status: taggedSchema('status', urlhausStatusSchema),
    url: taggedSchema('url', urlhausUrlLookupSchema),
    payload: taggedSchema('payload', urlhausPayloadLookupSchema),
    host: taggedSchema('host', urlhausHostLookupSchema),
    url_list: taggedSchema('url_list', urlhausUrlListSchema),
    payload_list: taggedSchema('payload_list', urlhausPayloadListSchema),
  },
  (input) => {
    if (!isJsonObject(input) || input.query_status === undefined) return 'unrecognized';
    if (input.query_status !== 'ok') return 'status';
    if ('url' in input) return 'url';
    if ('md5_hash' in input || 'sha256_hash' in input) return 'payload';
    if ('host' in input) return 'host';
    if ('urls' in input) return 'url_list';
    if ('payloads' in input) return 'payload_list';
    return 'status';
  },
);
