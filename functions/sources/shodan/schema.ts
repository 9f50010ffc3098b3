import * as z from 'zod';
import { isJsonObject, schemaByShape } from '../schema-by-shape.ts';
import { taggedSchema } from '../shared/tagged-schema.ts';

const text = z.string().nullish();
const texts = z.array(z.string()).nullish();
const port = z.number().int().min(0).max(65_535);
// Shodan writes some versions as numbers (a game server's protocol version 47).
const version = z.union([z.string(), z.number()]).nullish();
// Hosts list CVE ids; banners map each CVE id to its details ({"CVE-…": {"cvss": …}}).
const vulns = z.union([z.array(z.string()), z.record(z.string(), z.unknown())]).nullish();

/** One service banner, as a host's `data` and a search's `matches` list them. */
const bannerSchema = z.looseObject({
  ip_str: text,
  port: port.nullish(),
  transport: text,
  product: text,
  version,
  cpe: z.union([z.array(z.string()), z.string()]).nullish(),
  cpe23: z.union([z.array(z.string()), z.string()]).nullish(),
  timestamp: text,
  hostnames: texts,
  domains: texts,
  org: text,
  isp: text,
  asn: text,
  os: text,
  tags: texts,
  vulns,
  location: z.looseObject({ country_code: text, country_name: text, city: text }).nullish(),
  _shodan: z.looseObject({ module: text }).nullish(),
});

/** GET /shodan/host/{ip}: the host summary and its banners in `data`. */
export const shodanHostSchema = z.looseObject({
  ip_str: z.string().min(1),
  ports: z.array(port).nullish(),
  hostnames: texts,
  domains: texts,
  org: text,
  isp: text,
  asn: text,
  country_code: text,
  country_name: text,
  city: text,
  os: text,
  tags: texts,
  vulns,
  last_update: text,
  data: z.array(bannerSchema).nullish(),
});

/** GET https://internetdb.shodan.io/{ip}: the free summary of open ports and known CVEs. */
export const shodanInternetDbSchema = z.looseObject({
  ip: z.string().min(1),
  ports: z.array(port).nullish(),
  hostnames: texts,
  cpes: texts,
  tags: texts,
  vulns: texts,
});

/** GET /shodan/host/search: banners that matched the query, of any number of hosts. */
export const shodanSearchSchema = z.looseObject({
  matches: z.array(bannerSchema.extend({ ip_str: z.string().min(1) })),
  total: z.number().nullish(),
});

/** The body of a failed Shodan API call, such as {"error": "No information available for that IP."}. */
export const shodanErrorBodySchema = z.looseObject({ error: z.string() });

/** The body of a failed InternetDB call, such as {"detail": "No information available"}. */
export const shodanInternetDbErrorBodySchema = z.looseObject({ detail: z.string() });

const EXPECTED =
  'Expected a Shodan response: a host (GET /shodan/host/{ip}) with "ip_str", an InternetDB ' +
  'lookup with "ip", a host search with "matches", or an error body with "error" or "detail".';

/** Picks the response form by the members each Shodan endpoint always includes. */
export const shodanPayloadSchema = schemaByShape(
  {
    search: taggedSchema('search', shodanSearchSchema),
    host: taggedSchema('host', shodanHostSchema),
    error: taggedSchema('error', shodanErrorBodySchema),
    internetdb: taggedSchema('internetdb', shodanInternetDbSchema),
    'internetdb-error': taggedSchema('internetdb-error', shodanInternetDbErrorBodySchema),
    unrecognized: taggedSchema('unrecognized', z.never({ error: EXPECTED })),
  },
  (input) => {
    if (!isJsonObject(input)) return 'unrecognized';
    if ('matches' in input) return 'search';
    if ('ip_str' in input) return 'host';
    if ('error' in input) return 'error';
    if ('ip' in input) return 'internetdb';
    if ('detail' in input) return 'internetdb-error';
    return 'unrecognized';
  },
);

export type ShodanBanner = z.infer<typeof bannerSchema>;
export type ShodanHost = z.infer<typeof shodanHostSchema>;
export type ShodanInternetDb = z.infer<typeof shodanInternetDbSchema>;
export type ShodanSearch = z.infer<typeof shodanSearchSchema>;
export type ShodanPayload = z.output<typeof shodanPayloadSchema>;
