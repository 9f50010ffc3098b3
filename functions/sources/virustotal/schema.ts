import * as z from 'zod';
import { isJsonObject, schemaByShape } from '../schema-by-shape.ts';

/*
 * The JSON bodies of the VirusTotal API v3 (https://docs.virustotal.com/reference/overview),
 * as the API returns them. Objects are loose: VirusTotal adds attributes over time, and the
 * relay reads only those typed here. Every attribute is optional because reports differ by
 * type and age (a 2019 IP report has no `last_analysis_stats`, for example).
 */

/** Seconds since the Unix epoch, as VirusTotal gives every date. */
const epochSeconds = z.number().nonnegative();
// Engine counts are whole numbers; a float such as 1e308 is not a VirusTotal answer.
const counts = z.record(z.string(), z.number().int().nonnegative().max(10_000));

const engineResultSchema = z.looseObject({
  category: z.string().nullish(),
  result: z.string().nullish(),
  engine_name: z.string().nullish(),
  method: z.string().nullish(),
});

const gtiAssessmentSchema = z.looseObject({
  verdict: z.looseObject({ value: z.string() }).nullish(),
  threat_score: z.looseObject({ value: z.number() }).nullish(),
  severity: z.looseObject({ value: z.string() }).nullish(),
});

export const virusTotalAttributesSchema = z.looseObject({
  // Report objects (file, url, domain, ip_address)
  last_analysis_stats: counts.nullish(),
  last_analysis_results: z.record(z.string(), engineResultSchema).nullish(),
  last_analysis_date: epochSeconds.nullish(),
  first_submission_date: epochSeconds.nullish(),
  last_submission_date: epochSeconds.nullish(),
  times_submitted: z.number().nullish(),
  reputation: z.number().nullish(),
  total_votes: counts.nullish(),
  tags: z.array(z.string()).nullish(),
  popularity_ranks: z.record(z.string(), z.looseObject({ rank: z.number() })).nullish(),
  categories: z.record(z.string(), z.string()).nullish(),
  gti_assessment: gtiAssessmentSchema.nullish(),
  // Files
  sha256: z.string().nullish(),
  sha1: z.string().nullish(),
  md5: z.string().nullish(),
  ssdeep: z.string().nullish(),
  tlsh: z.string().nullish(),
  meaningful_name: z.string().nullish(),
  names: z.array(z.string()).nullish(),
  type_description: z.string().nullish(),
  size: z.number().nullish(),
  popular_threat_classification: z
    .looseObject({ suggested_threat_label: z.string().nullish() })
    .nullish(),
  crowdsourced_yara_results: z.array(z.unknown()).nullish(),
  sigma_analysis_stats: counts.nullish(),
  crowdsourced_ids_stats: counts.nullish(),
  // IP addresses
  asn: z.number().nullish(),
  as_owner: z.string().nullish(),
  country: z.string().nullish(),
  network: z.string().nullish(),
  // Domains
  registrar: z.string().nullish(),
  creation_date: epochSeconds.nullish(),
  // URLs
  url: z.string().nullish(),
  last_final_url: z.string().nullish(),
  title: z.string().nullish(),
  last_http_response_code: z.number().nullish(),
  // Analyses (GET /api/v3/analyses/{id})
  stats: counts.nullish(),
  results: z.record(z.string(), engineResultSchema).nullish(),
  status: z.string().nullish(),
  date: epochSeconds.nullish(),
});

export const virusTotalObjectSchema = z.looseObject({
  type: z.string().min(1),
  // The analysis descriptor that POST /files/{id}/analyse returns has had a numeric id.
  id: z.union([z.string().min(1), z.number()]),
  attributes: virusTotalAttributesSchema.optional(),
});

const analysisMetaSchema = z.looseObject({
  url_info: z.looseObject({ url: z.string().nullish(), id: z.string().nullish() }).nullish(),
  file_info: z.looseObject({ sha256: z.string().nullish() }).nullish(),
});

/**
 * Most objects accepted in one request. VirusTotal pages collections at 40 objects at most,
 * so a longer list is not a VirusTotal answer, and each object becomes two queue messages.
 */
export const MAX_VIRUSTOTAL_OBJECTS = 500;

const objectList = z
  .array(virusTotalObjectSchema)
  .max(
    MAX_VIRUSTOTAL_OBJECTS,
    `must hold at most ${MAX_VIRUSTOTAL_OBJECTS} objects; split the list`,
  );

const objectOrCollection = schemaByShape(
  { list: objectList, object: virusTotalObjectSchema },
  (input) => (Array.isArray(input) ? 'list' : 'object'),
);

/** An object response (`{"data": {…}}`) or a collection (`{"data": […], "meta": …}`). */
export const virusTotalEnvelopeSchema = z.looseObject(
  {
    data: objectOrCollection,
    meta: analysisMetaSchema.nullish(),
  },
  {
    error:
      'Expected a VirusTotal API v3 response: an object with "data" or "error", or an array of objects.',
  },
);

/** The body VirusTotal returns on failure (https://docs.virustotal.com/reference/errors). */
export const virusTotalErrorBodySchema = z.looseObject({
  error: z.looseObject({ code: z.string().min(1), message: z.string().nullish() }),
});

/** A bare array of objects, as the GTI/VirusTotal IOC stream delivers them. */
export const virusTotalObjectListSchema = objectList;

export const virusTotalPayloadSchema: z.ZodType<VirusTotalPayload, unknown> = schemaByShape(
  {
    list: virusTotalObjectListSchema,
    error: virusTotalErrorBodySchema,
    envelope: virusTotalEnvelopeSchema,
  },
  (input) => {
    if (Array.isArray(input)) return 'list';
    if (isJsonObject(input) && 'error' in input && !('data' in input)) return 'error';
    return 'envelope';
  },
);

export type VirusTotalAttributes = z.infer<typeof virusTotalAttributesSchema>;
export type VirusTotalObject = z.infer<typeof virusTotalObjectSchema>;
export type VirusTotalEnvelope = z.infer<typeof virusTotalEnvelopeSchema>;
export type VirusTotalErrorBody = z.infer<typeof virusTotalErrorBodySchema>;
export type VirusTotalAnalysisMeta = z.infer<typeof analysisMetaSchema>;
export type VirusTotalPayload = VirusTotalEnvelope | VirusTotalErrorBody | VirusTotalObject[];
