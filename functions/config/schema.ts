import { z } from 'zod';

/**
 * The relay's one configuration, read by the functions (from the SECOPS_RELAY_CONFIG
 * environment variable that the CDK app sets) and by the local stack (from
 * relay.config.json). Every key has a default, so `{}` is a valid configuration.
 *
 * Resource paths and column names are defined per instance by the "SecOps Integration
 * Capabilities" scripted REST API and the table dictionaries, and ServiceNow publishes
 * them only as screenshots. The defaults below are this project's best reading; an
 * administrator confirms the real ones as docs/configuration.md describes.
 */

const columnName = z
  .string()
  .regex(/^[a-z][a-z0-9_]*$/, 'must be a ServiceNow column name such as "u_finding"')
  .nullable();

const tableSettings = <Columns extends z.ZodRawShape>(
  table: string,
  resource: string,
  columns: Columns,
  mandatoryFields: string[],
) =>
  z
    .object({
      /** Table the API writes; the sandbox stores accepted records under this name. */
      table: z.string().regex(/^[a-z][a-z0-9_]*$/).default(table),
      /** Resource path under `instance.api.basePath`. */
      resource: z
        .string()
        .regex(/^[A-Za-z0-9_\-/]+$/, 'must be a path segment such as "threat_lookup"')
        .default(resource),
      /** Our field name to the instance's column name; null leaves the field out of the request. */
      columns: z.object(columns).prefault({} as z.input<z.ZodObject<Columns>>),
      /** Columns the instance requires; the sandbox rejects records that miss any of them. */
      mandatoryFields: z.array(z.string()).default(mandatoryFields),
    })
    .prefault({});

const column = (name: string) => columnName.default(name);

export const recordTablesSchema = z
  .object({
    threat_lookup_result: tableSettings(
      'sn_ti_lookup_result',
      'threat_lookup_result',
      {
        observable: column('observable'),
        observableType: column('observable_type'),
        finding: column('finding'),
        source: column('source'),
        summary: column('result'),
        reportUrl: column('report_url'),
        lookedUpAt: column('lookup_date'),
        rawPayload: column('raw_payload'),
      },
      ['observable', 'finding', 'source'],
    ),
    observable_enrichment: tableSettings(
      'sn_ti_observable_enrichment_result',
      'observable_enrichment',
      {
        observable: column('observable'),
        observableType: column('observable_type'),
        source: column('source'),
        summary: column('summary'),
        enrichedAt: column('enrichment_date'),
        details: column('enrichment_data'),
        rawPayload: column('raw_payload'),
      },
      ['observable', 'source'],
    ),
    ci_enrichment: tableSettings(
      'sn_sec_cmn_ci_enrichment_result',
      'ci_enrichment',
      {
        ci: column('configuration_item'),
        ciClass: column('ci_class'),
        source: column('source'),
        summary: column('summary'),
        enrichedAt: column('enrichment_date'),
        details: column('enrichment_data'),
        rawPayload: column('raw_payload'),
      },
      ['configuration_item', 'source'],
    ),
    // Records created through an enrichment mapping land in the observable enrichment table.
    enrichment_mapping: tableSettings(
      'sn_ti_observable_enrichment_result',
      'observable_enrichment',
      {
        enrichmentMappingId: column('enrichment_mapping_id'),
        rawData: column('raw_data'),
      },
      ['enrichment_mapping_id', 'raw_data'],
    ),
  })
  .prefault({});

/** The observable type names the relay sends; ServiceNow shows e.g. "IP address (V4)". */
export const observableTypeNamesSchema = z
  .object({
    ipv4: z.string().default('IP address (V4)'),
    ipv6: z.string().default('IP address (V6)'),
    domain: z.string().default('Domain name'),
    url: z.string().default('URL'),
    md5: z.string().default('MD5 hash'),
    sha1: z.string().default('SHA1 hash'),
    sha256: z.string().default('SHA256 hash'),
    sha512: z.string().default('SHA512 hash'),
    email: z.string().default('Email address'),
  })
  .prefault({});

const headerName = z
  .string()
  .regex(/^[A-Za-z0-9-]+$/, 'must be an HTTP header name')
  .transform((name) => name.toLowerCase());

export const sourceAuthSchema = z.discriminatedUnion('type', [
  z.object({
    /** A shared token, sent as `Authorization: Bearer <token>` or as the whole value of `header`. */
    type: z.literal('token'),
    header: headerName.default('authorization'),
  }),
  z.object({
    /** An HMAC over the raw body (or `<timestamp>.<body>` when `timestampHeader` is set). */
    type: z.literal('hmac'),
    header: headerName.default('x-signature'),
    algorithm: z.enum(['sha256', 'sha512', 'sha1']).default('sha256'),
    /** Text before the digest in the header, such as "sha256=". */
    prefix: z.string().max(32).default(''),
    timestampHeader: headerName.optional(),
    /** How far a timestamp may lie in the past or the future, in seconds. */
    toleranceSeconds: z.number().int().positive().max(86_400).default(300),
  }),
]);

export const sourceSettingsSchema = z.object({
  enabled: z.boolean().default(true),
  /** Secrets Manager secret holding `{"secret": "..."}` or `{"secrets": ["new", "old"]}`. */
  secretName: z.string().min(1),
  auth: sourceAuthSchema.prefault({ type: 'token' }),
});

const DEFAULT_SOURCES: Record<string, z.input<typeof sourceSettingsSchema>> = {
  virustotal: { secretName: 'secops-relay/source/virustotal', auth: { type: 'token' } },
  generic: { secretName: 'secops-relay/source/generic', auth: { type: 'hmac' } },
};

export const relayConfigSchema = z.object({
  instance: z
    .object({
      /** Secrets Manager secret with the instance URL and its credentials. */
      secretName: z.string().min(1).default('secops-relay/instance'),
      /**
       * Hosts besides *.service-now.com and *.servicenow.com that the relay may call,
       * for instances behind a custom domain. Entries are exact host names.
       */
      allowedHosts: z.array(z.string().min(1)).default([]),
      api: z
        .object({
          basePath: z
            .string()
            .regex(/^\/[A-Za-z0-9_\-/]*[^/]$/, 'must start with "/" and not end with "/"')
            .default('/api/sn_sec_cmn/secops_integration_capabilities'),
          ignoreMandatoryFields: z.boolean().default(false),
          includeWrap: z.boolean().default(false),
          simpleResponse: z.boolean().default(false),
        })
        .prefault({}),
      /** Time one HTTP attempt may take, in milliseconds. */
      requestTimeoutMs: z.number().int().min(100).max(60_000).default(10_000),
      /** Attempts per record within one function invocation, before SQS redelivery takes over. */
      maxAttempts: z.number().int().min(1).max(10).default(4),
      /** How long instance credentials are cached before they are read again, in seconds. */
      credentialsTtlSeconds: z.number().int().min(0).max(86_400).default(300),
    })
    .prefault({}),
  records: recordTablesSchema,
  observableTypeNames: observableTypeNamesSchema,
  sources: z
    .record(
      z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be a source id such as "virustotal"'),
      sourceSettingsSchema,
    )
    .prefault(DEFAULT_SOURCES),
  ingest: z
    .object({
      /** Largest accepted request body, in bytes after base64 decoding. */
      maxBodyBytes: z.number().int().min(1024).max(6 * 1024 * 1024).default(1024 * 1024),
    })
    .prefault({}),
  delivery: z
    .object({
      /** Receives after which the forwarder dead-letters a record itself, with its last error. */
      maxReceiveCount: z.number().int().min(1).max(1000).default(5),
    })
    .prefault({}),
  /**
   * Local mode only: secret values by secret name, standing in for Secrets Manager.
   * The CDK app refuses a configuration that sets this.
   */
  local: z
    .object({
      secrets: z.record(z.string(), z.record(z.string(), z.unknown())).default({}),
    })
    .optional(),
});

export type RelayConfig = z.infer<typeof relayConfigSchema>;
export type RelayConfigInput = z.input<typeof relayConfigSchema>;
export type SourceSettings = z.infer<typeof sourceSettingsSchema>;
export type SourceAuth = z.infer<typeof sourceAuthSchema>;
export type RecordTables = z.infer<typeof recordTablesSchema>;
