import * as z from 'zod';
import { isJsonObject, schemaByShape } from '../schema-by-shape.ts';
import { taggedSchema } from '../shared/tagged-schema.ts';

const count = z.number().int().nonnegative();

/** One report of a verbose /check response. Its `comment` is read by no one: see normalize.ts. */
const reportSchema = z.looseObject({
  reportedAt: z.string().nullish(),
  categories: z.array(z.number().int()).nullish(),
  reporterCountryCode: z.string().nullish(),
});

/**
 * The `data` of an AbuseIPDB API v2 `/check` response
 * (https://docs.abuseipdb.com/#check-endpoint); `countryName` and `reports` come only with
 * the `verbose` flag.
 */
export const abuseIpDbCheckSchema = z.looseObject({
  ipAddress: z.string().min(1),
  isPublic: z.boolean().nullish(),
  ipVersion: z.number().int().nullish(),
  isWhitelisted: z.boolean().nullish(),
  abuseConfidenceScore: z.number().int().min(0).max(100),
  countryCode: z.string().nullish(),
  countryName: z.string().nullish(),
  usageType: z.string().nullish(),
  isp: z.string().nullish(),
  domain: z.string().nullish(),
  hostnames: z.array(z.string()).nullish(),
  isTor: z.boolean().nullish(),
  totalReports: count.nullish(),
  // The count's name before API v2, which some cached responses still carry.
  numReports: count.nullish(),
  numDistinctUsers: count.nullish(),
  lastReportedAt: z.string().nullish(),
  reports: z.array(reportSchema).nullish(),
});

export const abuseIpDbCheckResponseSchema = z.looseObject(
  { data: abuseIpDbCheckSchema },
  { error: 'Expected an AbuseIPDB API v2 /check response: an object with "data" or "errors".' },
);

/** The JSON:API error body AbuseIPDB returns with 4xx statuses (https://docs.abuseipdb.com/#error-handling). */
export const abuseIpDbErrorBodySchema = z.looseObject({
  errors: z
    .array(
      z.looseObject({
        detail: z.string().nullish(),
        status: z.union([z.number(), z.string()]).nullish(),
      }),
    )
    .min(1),
});

/** A `/check-block` response, recognized only to reject it with a message that names it. */
export const abuseIpDbCheckBlockSchema = z.looseObject({
  data: z.looseObject({ networkAddress: z.string(), netmask: z.union([z.string(), z.number()]) }),
});

export const abuseIpDbPayloadSchema = schemaByShape(
  {
    error: taggedSchema('error', abuseIpDbErrorBodySchema),
    'check-block': taggedSchema('check-block', abuseIpDbCheckBlockSchema),
    check: taggedSchema('check', abuseIpDbCheckResponseSchema),
  },
  (input) => {
    if (isJsonObject(input) && 'errors' in input && !('data' in input)) return 'error';
    if (isJsonObject(input) && isJsonObject(input.data) && 'networkAddress' in input.data) {
      return 'check-block';
    }
    return 'check';
  },
);

export type AbuseIpDbCheck = z.infer<typeof abuseIpDbCheckSchema>;
export type AbuseIpDbReport = z.infer<typeof reportSchema>;
export type AbuseIpDbErrorBody = z.infer<typeof abuseIpDbErrorBodySchema>;
export type AbuseIpDbPayload = z.output<typeof abuseIpDbPayloadSchema>;
