import * as z from 'zod';
import { isJsonObject, schemaByShape } from '../schema-by-shape.ts';
import { taggedSchema } from '../shared/tagged-schema.ts';

// OTX lists families and ATT&CK techniques as objects ({"id", "display_name"}) in pulses and
// as plain strings in older responses and in pulse_info.related.
const namedEntrySchema = z.union([
  z.string(),
  z.looseObject({
    id: z.string().nullish(),
    display_name: z.string().nullish(),
    name: z.string().nullish(),
  }),
]);

export const otxPulseSchema = z.looseObject({
  id: z.string().nullish(),
  name: z.string().nullish(),
  created: z.string().nullish(),
  modified: z.string().nullish(),
  tags: z.array(z.string()).nullish(),
  adversary: z.string().nullish(),
  malware_families: z.array(namedEntrySchema).nullish(),
  attack_ids: z.array(namedEntrySchema).nullish(),
  industries: z.array(z.string()).nullish(),
  targeted_countries: z.array(z.string()).nullish(),
  TLP: z.string().nullish(),
});

const relatedSchema = z.looseObject({
  adversary: z.array(z.string()).nullish(),
  malware_families: z.array(namedEntrySchema).nullish(),
  industries: z.array(z.string()).nullish(),
});

export const otxValidationSchema = z.looseObject({
  source: z.string().nullish(),
  name: z.string().nullish(),
  message: z.string().nullish(),
});

export const otxFalsePositiveSchema = z.looseObject({
  assessment: z.string().nullish(),
  assessment_date: z.string().nullish(),
  report_date: z.string().nullish(),
});

/**
 * The `general` section of an indicator (GET /api/v1/indicators/{IPv4|IPv6|domain|hostname|
 * url|file}/{indicator}/general): pulses, validation, false-positive reports, reputation,
 * and for addresses the ASN and country.
 */
export const otxGeneralSchema = z.looseObject(
  {
    indicator: z.string().min(1),
    type: z.string().min(1),
    type_title: z.string().nullish(),
    reputation: z.number().nullish(),
    pulse_info: z.looseObject(
      {
        count: z.number().int().min(0),
        pulses: z.array(otxPulseSchema).nullish(),
        related: z
          .looseObject({ alienvault: relatedSchema.nullish(), other: relatedSchema.nullish() })
          .nullish(),
      },
      {
        error:
          'Expected pulse_info, which every general section has: send the body of ' +
          'GET /api/v1/indicators/{type}/{indicator}/general.',
      },
    ),
    validation: z.array(otxValidationSchema).nullish(),
    false_positive: z.array(otxFalsePositiveSchema).nullish(),
    asn: z.string().nullish(),
    country_code: z.string().nullish(),
    country_name: z.string().nullish(),
    domain: z.string().nullish(),
    hostname: z.string().nullish(),
  },
  {
    error:
      'Expected an AlienVault OTX indicator response: the general or passive_dns section of ' +
      'GET /api/v1/indicators/{type}/{indicator}/{section}, as a JSON object.',
  },
);

export const otxResolutionSchema = z.looseObject({
  hostname: z.string().min(1),
  address: z.string().min(1),
  first: z.string().nullish(),
  last: z.string().nullish(),
  record_type: z.string().nullish(),
  asn: z.string().nullish(),
  flag_title: z.string().nullish(),
});

/** The `passive_dns` section of a domain, hostname or IP address. */
export const otxPassiveDnsSchema = z.looseObject({
  passive_dns: z.array(otxResolutionSchema),
  count: z.number().int().min(0).nullish(),
});

/**
 * The body OTX sends with an HTTP error status (such as 400 for an invalid indicator or 404),
 * read in the Django REST framework's form `{"detail": "..."}`.
 * NOTE: no captured OTX error body confirms this form. A body of another form fails the
 * general section's schema instead, which is still a 422 and never a verdict.
 */
export const otxErrorSchema = z.looseObject({ detail: z.string() });

export type OtxPulse = z.infer<typeof otxPulseSchema>;
export type OtxGeneral = z.infer<typeof otxGeneralSchema>;
export type OtxResolution = z.infer<typeof otxResolutionSchema>;
export type OtxPassiveDns = z.infer<typeof otxPassiveDnsSchema>;
export type OtxError = z.infer<typeof otxErrorSchema>;
export type OtxNamedEntry = z.infer<typeof namedEntrySchema>;

/** An OTX body, tagged with the form the schema recognized. */
export type OtxPayload =
  | { form: 'general'; body: OtxGeneral }
  | { form: 'passive_dns'; body: OtxPassiveDns }
  | { form: 'error'; body: OtxError };

/**
 * Picks the schema by the body's members: `passive_dns` is the passive DNS section, a
 * `detail` without `indicator` is an error body, anything else must be a general section.
 */
export const otxPayloadSchema: z.ZodType<OtxPayload, unknown> = schemaByShape(
  {
    passive_dns: taggedSchema('passive_dns', otxPassiveDnsSchema),
    error: taggedSchema('error', otxErrorSchema),
    general: taggedSchema('general', otxGeneralSchema),
  },
  (input) => {
    if (isJsonObject(input) && 'passive_dns' in input) return 'passive_dns';
    if (isJsonObject(input) && 'detail' in input && !('indicator' in input)) return 'error';
    return 'general';
  },
);
