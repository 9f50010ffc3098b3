import * as z from 'zod';
import { isJsonObject, schemaByShape } from '../schema-by-shape.ts';
import { taggedSchema } from '../shared/tagged-schema.ts';

const text = z.string().nullish();
const flag = z.boolean().nullish();
const texts = z.array(z.string()).nullish();
// RIOT writes trust levels as strings ("1", "2"); some clients turn them into numbers.
const trustLevel = z.union([z.string(), z.number()]).nullish();

/** Fields of a RIOT (business services) record, which context responses may also carry. */
const riotFields = {
  riot: flag,
  category: text,
  name: text,
  description: text,
  reference: text,
  trust_level: trustLevel,
  last_updated: text,
};

const metadataSchema = z.looseObject({
  asn: text,
  organization: text,
  country: text,
  country_code: text,
  city: text,
  region: text,
  rdns: text,
  category: text,
  os: text,
  tor: flag,
  sensor_count: z.number().nullish(),
  sensor_hits: z.number().nullish(),
});

const rawDataSchema = z.looseObject({
  scan: z.array(z.looseObject({ port: z.number().nullish(), protocol: text })).nullish(),
  web: z.looseObject({ paths: texts, useragents: texts }).nullish(),
});

/** GET /v2/noise/context/{ip} (IP context), also as an item of a GNQL query's `data`. */
export const greyNoiseContextSchema = z.looseObject({
  ip: z.string().min(1),
  seen: z.boolean(),
  classification: text,
  first_seen: text,
  last_seen: text,
  actor: text,
  tags: texts,
  cve: texts,
  spoofable: flag,
  bot: flag,
  vpn: flag,
  vpn_service: text,
  noise: flag,
  metadata: metadataSchema.nullish(),
  raw_data: rawDataSchema.nullish(),
  ...riotFields,
});

/** GET /v2/riot/{ip}: whether the address belongs to a known business service. */
export const greyNoiseRiotSchema = z.looseObject({
  ip: z.string().min(1),
  ...riotFields,
  riot: z.boolean(),
});

/** GET /v2/noise/quick/{ip}, also as an item of the POST/GET /v2/noise/multi/quick list. */
export const greyNoiseQuickSchema = z.looseObject({
  ip: z.string().min(1),
  code: z.string().min(1),
  noise: flag,
  riot: flag,
  code_message: text,
});

/**
 * GET /v3/community/{ip}. Responses that are not results (not observed, rate limits, invalid
 * addresses) share this shape and carry only `message`, with `ip`, `noise` and `riot` on some.
 */
export const greyNoiseCommunitySchema = z.looseObject({
  message: z.string(),
  ip: text,
  noise: flag,
  riot: flag,
  classification: text,
  name: text,
  link: text,
  last_seen: text,
});

/** GET /v2/experimental/gnql (GNQL query): context records in `data`, none when nothing matched. */
export const greyNoiseGnqlSchema = z.looseObject({
  data: z.array(greyNoiseContextSchema).nullish(),
  count: z.number().nullish(),
  complete: flag,
  message: text,
  query: text,
});

/** The body GreyNoise v2 sends instead of a context, such as {"error": "commonly spoofed ip"}. */
export const greyNoiseErrorBodySchema = z.looseObject({ error: z.string() });

const EXPECTED =
  'Expected a GreyNoise response: a community (v3) lookup with "message", an IP context with ' +
  '"seen", a RIOT lookup with "riot", a quick check with "code" (or a list of them), a GNQL ' +
  'query with "data", or an error body with "error".';

/** Picks the response form by the members GreyNoise's endpoints always include. */
export const greyNoisePayloadSchema = schemaByShape(
  {
    'quick-list': taggedSchema('quick-list', z.array(greyNoiseQuickSchema)),
    gnql: taggedSchema('gnql', greyNoiseGnqlSchema),
    error: taggedSchema('error', greyNoiseErrorBodySchema),
    quick: taggedSchema('quick', greyNoiseQuickSchema),
    community: taggedSchema('community', greyNoiseCommunitySchema),
    context: taggedSchema('context', greyNoiseContextSchema),
    riot: taggedSchema('riot', greyNoiseRiotSchema),
    unrecognized: taggedSchema('unrecognized', z.never({ error: EXPECTED })),
  },
  (input) => {
    if (Array.isArray(input)) return 'quick-list';
    if (!isJsonObject(input)) return 'unrecognized';
    if ('data' in input) return 'gnql';
    if ('error' in input && !('ip' in input)) return 'error';
    if ('code' in input) return 'quick';
    if ('message' in input) return 'community';
    if ('seen' in input) return 'context';
    if ('riot' in input) return 'riot';
    return 'unrecognized';
  },
);

/** The RIOT fields that RIOT lookups and some IP contexts carry. */
export type GreyNoiseRiotFields = z.infer<z.ZodObject<typeof riotFields>>;
export type GreyNoiseContext = z.infer<typeof greyNoiseContextSchema>;
export type GreyNoiseRiot = z.infer<typeof greyNoiseRiotSchema>;
export type GreyNoiseQuick = z.infer<typeof greyNoiseQuickSchema>;
export type GreyNoiseCommunity = z.infer<typeof greyNoiseCommunitySchema>;
export type GreyNoiseGnql = z.infer<typeof greyNoiseGnqlSchema>;
export type GreyNoisePayload = z.output<typeof greyNoisePayloadSchema>;
