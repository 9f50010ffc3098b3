import * as z from 'zod';
import { DISCRIMINATOR_LABEL } from './issue-hints.ts';

/**
 * The relay's one configuration, read by the functions (from the SECOPS_RELAY_CONFIG
 * environment variable that the CDK app sets) and by the local stack (from
 * relay.config.json). Every key has a default, so `{}` is a valid configuration.
 *
 * Every object is a `z.strictObject`, so a misspelled key is an error that `parseConfig`
 * reports with the closest known key. `z.object` would drop the key and leave its setting at
 * the default, which for `auth.timestampHeader` means no replay protection.
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
    .strictObject({
      /** Table the API writes; the sandbox stores accepted records under this name. */
      table: z
        .string()
        .regex(/^[a-z][a-z0-9_]*$/)
        .default(table),
      /** Resource path under `instance.api.basePath`. */
      resource: z
        .string()
        .regex(/^[A-Za-z0-9_\-/]+$/, 'must be a path segment such as "threat_lookup"')
        .default(resource),
      /** Our field name to the instance's column name; null leaves the field out of the request. */
      columns: z.strictObject(columns).prefault({} as z.input<z.ZodObject<Columns>>),
      /** Columns the instance requires; the sandbox rejects records that miss any of them. */
      mandatoryFields: z.array(z.string()).default(mandatoryFields),
    })
    .prefault({});

const column = (name: string) => columnName.default(name);

export const recordTablesSchema = z
  .strictObject({
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
  .strictObject({
    ipv4: z.string().default('IP address (V4)'),
    ipv6: z.string().default('IP address (V6)'),
    domain: z.string().default('Domain name'),
    url: z.string().default('URL'),
    md5: z.string().default('MD5 hash'),
    sha1: z.string().default('SHA1 hash'),
    sha256: z.string().default('SHA256 hash'),
    sha512: z.string().default('SHA512 hash'),
    email: z.string().default('Email address'),
    cidr: z.string().default('CIDR range'),
  })
  .prefault({});

const headerName = z
  .string()
  .regex(/^[A-Za-z0-9-]+$/, 'must be an HTTP header name')
  .transform((name) => name.toLowerCase());

export const sourceAuthSchema = z
  .discriminatedUnion('type', [
    z.strictObject({
      /** A shared token, sent as `Authorization: Bearer <token>` or as the whole value of `header`. */
      type: z.literal('token'),
      header: headerName.default('authorization'),
    }),
    z.strictObject({
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
    z.strictObject({
      /**
       * The Standard Webhooks scheme (standardwebhooks.com): `webhook-id`, `webhook-timestamp`
       * and `webhook-signature` headers, HMAC-SHA256 over `<id>.<timestamp>.<body>` with a
       * `whsec_` base64 secret, and several `v1,<signature>` values during rotation.
       */
      type: z.literal('standard-webhooks'),
      toleranceSeconds: z.number().int().positive().max(86_400).default(300),
    }),
    z.strictObject({
      /** No request authentication: only for EventBridge sources, which AWS invokes. */
      type: z.literal('none'),
    }),
  ])
  .meta({ [DISCRIMINATOR_LABEL]: 'auth type' });

export const sourceSettingsSchema = z
  .strictObject({
    enabled: z.boolean().default(true),
    /**
     * Secrets Manager secret holding `{"secret": "..."}` or `{"secrets": ["new", "old"]}`;
     * required unless `auth.type` is "none".
     */
    secretName: z.string().min(1).optional(),
    auth: sourceAuthSchema.prefault({ type: 'token' }),
    /**
     * Request header in which the sender puts its own id for a delivery, the same on every
     * retry of it (such as `X-Delivery-Id`). With it, ingest drops a retry by that id; without
     * it, ingest compares each record with the last record queued for its subject.
     */
    deliveryIdHeader: headerName.optional(),
  })
  .superRefine((settings, context) => {
    const ownId = { 'standard-webhooks': 'webhook-id header', none: 'EventBridge event id' };
    if (settings.deliveryIdHeader !== undefined && Object.hasOwn(ownId, settings.auth.type)) {
      const type = settings.auth.type as keyof typeof ownId;
      context.addIssue({
        code: 'custom',
        path: ['deliveryIdHeader'],
        message: `is not used with auth type "${type}", whose deliveries carry the ${ownId[type]}: remove the key`,
      });
    }
    if (settings.auth.type !== 'none' && settings.secretName === undefined) {
      context.addIssue({
        code: 'custom',
        path: ['secretName'],
        message: `is required for auth type "${settings.auth.type}": name the Secrets Manager secret that holds the source's secret`,
      });
    }
  });

/**
 * Default of `deployment.forward.batchSize`, the queue messages per forward invocation.
 * The forwarder posts four at a time and an invocation ends with its slowest record, so a
 * batch of 10 takes three rounds of POSTs, as long as 12 do. A multiple of four keeps every
 * slot busy to the end.
 */
export const DEFAULT_FORWARD_BATCH_SIZE = 8;

const DEFAULT_SOURCES: Record<string, z.input<typeof sourceSettingsSchema>> = {
  virustotal: { secretName: 'secops-relay/source/virustotal', auth: { type: 'token' } },
  generic: { secretName: 'secops-relay/source/generic', auth: { type: 'hmac' } },
};

/** Log retention periods CloudWatch Logs accepts, in days. */
const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
  3653,
] as const;

const sourceId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]*$/, 'must be a source id such as "virustotal"');

/**
 * Deployment settings of the CDK app, which is the only reader of this section. Every key
 * has a default, so a configuration without the section deploys with the values below.
 */
export const deploymentSchema = z
  .strictObject({
    /** Stack name in CloudFormation; one account and region can hold several relays under different names. */
    stackName: z
      .string()
      .regex(
        /^[A-Za-z][A-Za-z0-9-]{0,127}$/,
        'must start with a letter and contain only letters, digits and "-" (at most 128 characters)',
      )
      .default('SecOpsRelay'),
    /** AWS account id to pin the stack to; without it the template is environment-agnostic. */
    account: z
      .string()
      .regex(/^\d{12}$/, 'must be a 12-digit AWS account id')
      .optional(),
    /** AWS region to pin the stack to, such as "eu-west-1". */
    region: z
      .string()
      .regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'must be an AWS region code such as "eu-west-1"')
      .optional(),
    /** Retention of the function and access log groups, in days. */
    logRetentionDays: z
      .number()
      .int()
      .refine((days) => (LOG_RETENTION_DAYS as readonly number[]).includes(days), {
        message: `must be one of the periods CloudWatch Logs accepts: ${LOG_RETENTION_DAYS.join(', ')}`,
      })
      .default(30),
    api: z
      .strictObject({
        /** Requests per second the HTTP API's default stage accepts, averaged over time. */
        throttlingRateLimit: z.number().positive().max(10_000).default(50),
        /** Requests the default stage accepts in a burst above the rate limit. */
        throttlingBurstLimit: z.number().int().min(1).max(5_000).default(100),
      })
      .prefault({}),
    ingest: z
      .strictObject({
        memorySizeMb: z.number().int().min(128).max(10_240).default(512),
        /** API Gateway HTTP APIs end an integration after 30 seconds, so the limit is 29. */
        timeoutSeconds: z.number().int().min(1).max(29).default(10),
      })
      .prefault({}),
    forward: z
      .strictObject({
        memorySizeMb: z.number().int().min(128).max(10_240).default(512),
        /**
         * Time one invocation may take, in seconds. The delivery queue's visibility
         * timeout is six times this value plus the batching window.
         */
        timeoutSeconds: z.number().int().min(5).max(900).default(60),
        /** Messages per invocation; see DEFAULT_FORWARD_BATCH_SIZE. */
        batchSize: z.number().int().min(1).max(100).default(DEFAULT_FORWARD_BATCH_SIZE),
        /** How long Lambda gathers messages before it invokes the forwarder, in seconds. */
        maxBatchingWindowSeconds: z.number().int().min(0).max(300).default(1),
        /**
         * Maximum concurrent forwarder invocations, which bounds the request rate at the
         * instance. SQS event sources accept 2 to 1000.
         */
        maxConcurrency: z.number().int().min(2).max(1000).default(5),
      })
      .refine((forward) => forward.batchSize <= 10 || forward.maxBatchingWindowSeconds >= 1, {
        message: 'a batchSize above 10 needs maxBatchingWindowSeconds of at least 1 (an SQS rule)',
        path: ['maxBatchingWindowSeconds'],
      })
      .prefault({}),
    alarms: z
      .strictObject({
        /** Address the alarm topic mails; AWS sends a confirmation message to it first. */
        email: z.email().optional(),
        /** Age of the oldest message on the delivery queue that raises an alarm, in seconds. */
        maxMessageAgeSeconds: z.number().int().min(60).max(1_209_600).default(900),
      })
      .prefault({}),
    /**
     * A partner event bus (an EventBridge SaaS integration) whose matching events go to the
     * ingest function as events of the source `sourceId`.
     */
    partnerEventBus: z
      .strictObject({
        name: z
          .string()
          .regex(
            /^[A-Za-z0-9._\-/]{1,256}$/,
            'must be an event bus name such as "aws.partner/example.com/123/relay"',
          ),
        sourceId,
        eventPattern: z.strictObject({
          source: z.array(z.string().min(1)).min(1),
          detailType: z.array(z.string().min(1)).min(1).optional(),
        }),
      })
      .optional(),
  })
  .prefault({});

const pullJobId = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9-]{0,39}$/,
    'must be a job id such as "threatfox-recent": lower-case letters, digits and "-", at most 40 characters',
  );

/** The two EventBridge Scheduler forms the relay accepts: `rate(…)` and `cron(…)` with six fields. */
const scheduleExpression = z
  .string()
  .regex(
    /^(rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\(\S+( \S+){5}\))$/,
    'must be an EventBridge Scheduler expression such as "rate(15 minutes)" or "cron(0 */6 * * ? *)"',
  );

const queryValue = z.union([z.string(), z.number(), z.boolean()]);

/**
 * Settings of the vendor API a job calls. `baseUrl` must be on the vendor's own domain or a
 * host in `pulls.allowedHosts`, and plain http to a loopback address is accepted only in
 * local mode. `reserved` names the parameters that the job type sets itself and `query`
 * cannot override.
 */
const pullApi = (
  baseUrl: string,
  endpoint: string,
  reserved: readonly string[],
  defaultQuery: Record<string, string | number | boolean> = {},
) =>
  z
    .strictObject({
      baseUrl: z
        .string()
        .regex(
          /^https?:\/\/[^/?#]+$/,
          'must be a scheme and host without a path, such as "https://api.example.com"',
        )
        .default(baseUrl),
      endpoint: z
        .string()
        .regex(/^\/[A-Za-z0-9_\-./]*$/, 'must be a path that starts with "/"')
        .default(endpoint),
      /** Extra parameters sent with every request: in the JSON body for ThreatFox, in the query string for the others. */
      query: z
        .record(z.string().regex(/^[A-Za-z0-9_]+$/, 'must be a parameter name'), queryValue)
        .default(defaultQuery)
        .refine((query) => reserved.every((key) => !Object.hasOwn(query, key)), {
          message: `must not set ${reserved.map((key) => `"${key}"`).join(', ')}: the job sets them itself`,
        }),
    })
    .prefault({});

const pullJobFields = (defaults: { schedule: string; requestIntervalMs: number }) => ({
  id: pullJobId,
  enabled: z.boolean().default(true),
  schedule: scheduleExpression.default(defaults.schedule),
  /** Secrets Manager secret holding `{"apiKey": "..."}`, the vendor API key. */
  secretName: z.string().min(1),
  /** Items a run enqueues at most; the next run goes on from where this one stopped. */
  maxItemsPerRun: z.number().int().min(1).max(100_000).default(1000),
  /** Minimum wait between two requests to the vendor, in milliseconds, to stay under its rate limit. */
  requestIntervalMs: z.number().int().min(0).max(600_000).default(defaults.requestIntervalMs),
});

const HOURLY = { schedule: 'rate(1 hour)', requestIntervalMs: 0 };

/** How far back the first run of a job reads, in hours, before any checkpoint exists. */
const lookbackHours = (max: number) => z.number().int().min(1).max(max).default(24);

/** One scheduled pull; `source` picks the vendor API and the adapter that normalizes its items. */
export const pullJobSchema = z
  .discriminatedUnion('source', [
    z.strictObject({
      ...pullJobFields(HOURLY),
      source: z.literal('threatfox'),
      api: pullApi('https://threatfox-api.abuse.ch', '/api/v1/', ['query', 'days']),
      // ThreatFox's get_iocs reads at most 7 days back.
      lookbackHours: lookbackHours(168),
    }),
    z.strictObject({
      ...pullJobFields(HOURLY),
      source: z.literal('urlhaus'),
      api: pullApi('https://urlhaus-api.abuse.ch', '/v1/urls/recent/', []),
      /** URLs per request (`/limit/N/`); URLhaus returns at most 1000 URLs of the last 3 days. */
      pageSize: z.number().int().min(1).max(1000).default(1000),
      lookbackHours: lookbackHours(72),
    }),
    z.strictObject({
      // The free plan allows 5 blacklist requests a day.
      ...pullJobFields({ schedule: 'rate(6 hours)', requestIntervalMs: 0 }),
      source: z.literal('abuseipdb'),
      // 100 is the API's own default; lower minimums need a subscription.
      api: pullApi('https://api.abuseipdb.com', '/api/v2/blacklist', ['limit'], {
        confidenceMinimum: 100,
      }),
      /** Addresses per request (`limit`); the free plan returns at most 10,000. */
      pageSize: z.number().int().min(1).max(500_000).default(10_000),
      lookbackHours: lookbackHours(24 * 30),
    }),
    z.strictObject({
      ...pullJobFields(HOURLY),
      source: z.literal('otx'),
      api: pullApi('https://otx.alienvault.com', '/api/v1/pulses/subscribed', [
        'modified_since',
        'limit',
        'page',
      ]),
      /** Pulses per page (`limit`). */
      pageSize: z.number().int().min(1).max(500).default(50),
      lookbackHours: lookbackHours(24 * 30),
    }),
    z.strictObject({
      // The public API allows 4 requests a minute, so one lookup every 15 seconds.
      ...pullJobFields({ schedule: 'rate(1 day)', requestIntervalMs: 15_000 }),
      source: z.literal('virustotal'),
      api: pullApi('https://www.virustotal.com', '/api/v3', []),
      /** IP addresses, domains, URLs and file hashes to look up again on every run. */
      observables: z.array(z.string().min(1).max(2048)).min(1).max(500),
    }),
  ])
  .meta({ [DISCRIMINATOR_LABEL]: 'job source' });

/**
 * Scheduled pulls. The section is absent unless a configuration sets it, so functions that
 * do not pull carry none of it in their environment. Within it, every key except the jobs'
 * own settings has a default.
 */
export const pullsSchema = z.strictObject({
  jobs: z
    .array(pullJobSchema)
    .default([])
    .superRefine((jobs, context) => {
      const seen = new Set<string>();
      for (const [index, job] of jobs.entries()) {
        if (seen.has(job.id)) {
          context.addIssue({
            code: 'custom',
            path: [index, 'id'],
            message: `"${job.id}" is the id of an earlier job; give every job its own id`,
          });
        }
        seen.add(job.id);
      }
    }),
  /** Hosts besides each vendor's own API host that `api.baseUrl` may name, such as a proxy. Exact host names. */
  allowedHosts: z.array(z.string().regex(/^[a-z0-9.-]+$/i, 'must be a host name')).default([]),
  /** How long an item's dedupe key is kept, in days; an item fetched again later is sent again. */
  dedupeTtlDays: z.number().int().min(1).max(365).default(30),
  /** Time one vendor request may take, in milliseconds. */
  requestTimeoutMs: z.number().int().min(1000).max(120_000).default(20_000),
  /** Attempts per vendor request on 429, 5xx, timeouts and resets. */
  maxAttempts: z.number().int().min(1).max(10).default(4),
  /**
   * Largest vendor response body a run reads, in bytes, counted after decompression. Reading
   * and parsing a JSON body takes about six times its size in memory (measured on Node 22,
   * x86_64: a 34 MB ThreatFox response added about 200 MB), so the default of 32 MiB fits the
   * default memorySizeMb of 512. The maximum of 256 MiB stays below V8's longest string
   * (buffer.constants.MAX_STRING_LENGTH, about 512 MiB).
   */
  maxResponseBytes: z
    .number()
    .int()
    .min(64 * 1024)
    .max(256 * 1024 * 1024)
    .default(32 * 1024 * 1024),
  /** The pull function; a run stops cleanly before this timeout and the next run goes on. */
  timeoutSeconds: z.number().int().min(30).max(900).default(300),
  memorySizeMb: z.number().int().min(128).max(10_240).default(512),
});

export const relayConfigSchema = z.strictObject({
  instance: z
    .strictObject({
      /** Secrets Manager secret with the instance URL and its credentials. */
      secretName: z.string().min(1).default('secops-relay/instance'),
      /**
       * Hosts besides *.service-now.com and *.servicenow.com that the relay may call,
       * for instances behind a custom domain. Entries are exact host names.
       */
      allowedHosts: z.array(z.string().min(1)).default([]),
      api: z
        .strictObject({
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
    .strictObject({
      /** Largest accepted request body, in bytes after base64 decoding. */
      maxBodyBytes: z
        .number()
        .int()
        .min(1024)
        .max(6 * 1024 * 1024)
        .default(1024 * 1024),
      /**
       * Deepest nesting of JSON objects and arrays accepted in a body; deeper bodies get 400
       * `json_too_deep`. The deepest vendor payload in the project's samples nests 12 levels.
       */
      maxJsonDepth: z.number().int().min(8).max(512).default(64),
    })
    .prefault({}),
  delivery: z
    .strictObject({
      /** Receives after which the forwarder dead-letters a record itself, with its last error. */
      maxReceiveCount: z.number().int().min(1).max(1000).default(5),
      /**
       * The per-instance circuit breaker: after `failureThreshold` consecutive requests
       * answered with 429, 5xx or the hibernation page, or with no answer, the forwarder
       * stops calling the instance for `coolDownMs`, then lets one probe through. Each
       * failed probe doubles the wait, up to `maxCoolDownMs`.
       */
      circuitBreaker: z
        .strictObject({
          failureThreshold: z.number().int().min(1).max(1000).default(5),
          coolDownMs: z.number().int().min(100).max(600_000).default(10_000),
          maxCoolDownMs: z.number().int().min(100).max(3_600_000).default(300_000),
        })
        .refine((breaker) => breaker.maxCoolDownMs >= breaker.coolDownMs, {
          message: 'must be at least coolDownMs',
          path: ['maxCoolDownMs'],
        })
        .prefault({}),
    })
    .prefault({}),
  /**
   * Duplicate deliveries: a delivery id (Standard Webhooks `webhook-id`, EventBridge event
   * id) or, without one, a hash of each normalized record is remembered for `ttlSeconds`,
   * and a delivery or record seen within that time is answered 202 and not queued again.
   */
  dedupe: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** How long a delivery id or record hash is remembered, in seconds. */
      ttlSeconds: z.number().int().min(60).max(1_209_600).default(172_800),
    })
    .prefault({}),
  deployment: deploymentSchema,
  /** Scheduled pulls from vendor APIs; docs/pulls.md describes each job type. */
  pulls: pullsSchema.optional(),
  /**
   * Local mode only: secret values by secret name, standing in for Secrets Manager.
   * The CDK app removes this section, so its values never reach a template or a function.
   */
  local: z
    .strictObject({
      secrets: z.record(z.string(), z.record(z.string(), z.unknown())).default({}),
    })
    .optional(),
});

export type RelayConfig = z.infer<typeof relayConfigSchema>;
export type RelayConfigInput = z.input<typeof relayConfigSchema>;
export type SourceSettings = z.infer<typeof sourceSettingsSchema>;
export type SourceAuth = z.infer<typeof sourceAuthSchema>;
export type RecordTables = z.infer<typeof recordTablesSchema>;
export type DeploymentSettings = z.infer<typeof deploymentSchema>;
export type PullsSettings = z.infer<typeof pullsSchema>;
export type PullJob = z.infer<typeof pullJobSchema>;
