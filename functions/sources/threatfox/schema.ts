import * as z from 'zod';
import { isJsonObject, schemaByShape } from '../schema-by-shape.ts';
import { taggedSchema } from '../shared/tagged-schema.ts';

const malwareSampleSchema = z.looseObject({
  time_stamp: z.string().nullish(),
  md5_hash: z.string().nullish(),
  sha256_hash: z.string().nullish(),
  malware_bazaar: z.string().nullish(),
});

/**
 * One IOC as ThreatFox API v1 returns it (`get_iocs`, `search_ioc`, `search_hash`, `ioc`,
 * `taginfo`, `malwareinfo`), also as one line of the NDJSON that some exports write.
 */
export const threatFoxIocSchema = z.looseObject({
  id: z.union([z.string(), z.number()]).nullish(),
  ioc: z.string().min(1),
  ioc_type: z.string().min(1),
  threat_type: z.string().nullish(),
  threat_type_desc: z.string().nullish(),
  malware: z.string().nullish(),
  malware_printable: z.string().nullish(),
  malware_alias: z.string().nullish(),
  malware_malpedia: z.string().nullish(),
  confidence_level: z.number().min(0).max(100).nullish(),
  is_compromised: z.boolean().nullish(),
  first_seen: z.string().nullish(),
  last_seen: z.string().nullish(),
  reference: z.string().nullish(),
  tags: z.array(z.string()).nullish(),
  malware_samples: z.array(malwareSampleSchema).nullish(),
});

const iocListSchema = z.array(threatFoxIocSchema);

/**
 * `data` of an "ok" response: a list of IOCs, one IOC (query `ioc` by id), or another object
 * (the `submit_ioc` result), which the normalizer rejects with its reason.
 */
const dataSchema = schemaByShape(
  {
    list: iocListSchema,
    ioc: threatFoxIocSchema,
    other: z.looseObject(
      {},
      { error: 'Expected "data" to be a list of IOCs or one IOC with "ioc" and "ioc_type".' },
    ),
  },
  (input) => {
    if (Array.isArray(input)) return 'list';
    if (isJsonObject(input) && 'ioc' in input) return 'ioc';
    return 'other';
  },
);

/** A response with `query_status` "ok" and its `data`. */
export const threatFoxResultSchema = z.looseObject({
  query_status: z.literal('ok'),
  data: dataSchema,
});

/**
 * A response whose `query_status` is not "ok" (`no_result`, `illegal_search_term`,
 * `illegal_hash`, `id_not_found` …); ThreatFox puts its explanation in `data` as text.
 */
export const threatFoxStatusSchema = z.looseObject({
  query_status: z.string().min(1),
  data: z.unknown().optional(),
});

export type ThreatFoxIoc = z.infer<typeof threatFoxIocSchema>;
export type ThreatFoxResult = z.infer<typeof threatFoxResultSchema>;
export type ThreatFoxStatus = z.infer<typeof threatFoxStatusSchema>;

/** A ThreatFox body, tagged with the form the schema recognized. */
export type ThreatFoxPayload =
  | { form: 'result'; body: ThreatFoxResult }
  | { form: 'status'; body: ThreatFoxStatus }
  | { form: 'ioc'; body: ThreatFoxIoc }
  | { form: 'ioc_list'; body: ThreatFoxIoc[] };

const notThreatFoxSchema = z.looseObject(
  { query_status: z.string().min(1) },
  {
    error:
      'Expected a ThreatFox API v1 response (an object with "query_status" and "data"), an ' +
      'IOC object with "ioc" and "ioc_type", or an array of IOC objects.',
  },
);

/**
 * Picks the schema by the body's shape. An array is a list of IOCs, and an object with `ioc`
 * is one IOC. An object with `query_status` is an API response: "ok" with `data`, or another
 * status.
 */
export const threatFoxPayloadSchema: z.ZodType<ThreatFoxPayload, unknown> = schemaByShape(
  {
    ioc_list: taggedSchema('ioc_list', iocListSchema),
    ioc: taggedSchema('ioc', threatFoxIocSchema),
    result: taggedSchema('result', threatFoxResultSchema),
    status: taggedSchema('status', threatFoxStatusSchema),
    unrecognized: taggedSchema('status', notThreatFoxSchema),
  },
  (input) => {
    if (Array.isArray(input)) return 'ioc_list';
    if (isJsonObject(input) && 'ioc' in input && !('query_status' in input)) return 'ioc';
    if (isJsonObject(input) && input.query_status === 'ok') return 'result';
    if (isJsonObject(input) && input.query_status !== undefined) return 'status';
    return 'unrecognized';
  },
);
