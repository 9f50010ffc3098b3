import * as z from 'zod';
import { awsErrorBodySchema, isAwsErrorBody, type AwsErrorBody } from '../shared/aws.ts';
import { ASFF_SEVERITY_LABELS } from '../shared/aws-severity.ts';
import { eventBridgeEventSchema, hasEventDetail } from '../shared/eventbridge.ts';
import { isJsonObject, schemaByShape } from '../schema-by-shape.ts';
import { rejectedForm } from '../shared/rejected-form.ts';
import type { EventBridgeMatch } from '../source.ts';

/*
 * Security Hub findings in the AWS Security Finding Format (ASFF,
 * https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_AwsSecurityFinding.html), as
 * EventBridge delivers them (`detail.findings[]`) and as `GetFindings` returns them. ASFF
 * makes twelve members required, but real exports lack some (`GeneratorId` among them), so
 * the schema requires only what the relay cannot do without: `Id`, `Severity` (with `Label`
 * or `Normalized`) and `Resources` with each resource's `Type` and `Id`. Objects are loose,
 * and members the relay does not read are not checked.
 */

export const SECURITYHUB_IMPORTED = 'Security Hub Findings - Imported';
export const SECURITYHUB_CUSTOM_ACTION = 'Security Hub Findings - Custom Action';

export const SECURITYHUB_EVENTS: EventBridgeMatch = {
  sources: ['aws.securityhub'],
  detailTypes: [SECURITYHUB_IMPORTED, SECURITYHUB_CUSTOM_ACTION],
};

const text = z.string().nullish();
// ASFF writes its required strings with the pattern `.*\S.*`.
const nonBlank = z.string().regex(/\S/, 'must not be empty or only whitespace');
const texts = z.array(z.string()).nullish();
const port = z.looseObject({ Port: z.number().nullish() }).nullish();

const remoteIpDetailsSchema = z.looseObject({
  IpAddressV4: text,
  Organization: z
    .looseObject({ Asn: z.number().nullish(), AsnOrg: text, Isp: text, Org: text })
    .nullish(),
  Country: z.looseObject({ CountryCode: text, CountryName: text }).nullish(),
});

const actionSchema = z.looseObject({
  ActionType: text,
  NetworkConnectionAction: z
    .looseObject({
      ConnectionDirection: text,
      Protocol: text,
      Blocked: z.boolean().nullish(),
      RemoteIpDetails: remoteIpDetailsSchema.nullish(),
      RemotePortDetails: port,
      LocalPortDetails: port,
    })
    .nullish(),
  AwsApiCallAction: z
    .looseObject({ Api: text, ServiceName: text, RemoteIpDetails: remoteIpDetailsSchema.nullish() })
    .nullish(),
  DnsRequestAction: z
    .looseObject({ Domain: text, Protocol: text, Blocked: z.boolean().nullish() })
    .nullish(),
  PortProbeAction: z
    .looseObject({
      Blocked: z.boolean().nullish(),
      PortProbeDetails: z
        .array(
          z.looseObject({
            RemoteIpDetails: remoteIpDetailsSchema.nullish(),
            LocalIpDetails: z.looseObject({ IpAddressV4: text }).nullish(),
            LocalPortDetails: port,
          }),
        )
        .nullish(),
    })
    .nullish(),
});

const networkSchema = z.looseObject({
  Direction: text,
  Protocol: text,
  SourceIpV4: text,
  SourceIpV6: text,
  SourcePort: z.number().nullish(),
  SourceDomain: text,
  DestinationIpV4: text,
  DestinationIpV6: text,
  DestinationPort: z.number().nullish(),
  DestinationDomain: text,
});

const threatIntelIndicatorSchema = z.looseObject({
  Type: text,
  Value: text,
  Category: text,
  Source: text,
  LastObservedAt: text,
});

const resourceSchema = z.looseObject({
  Type: nonBlank,
  Id: nonBlank,
  Partition: text,
  Region: text,
  Details: z
    .looseObject({
      AwsEc2Instance: z.looseObject({ IpV4Addresses: texts, IpV6Addresses: texts }).nullish(),
      AwsIamAccessKey: z.looseObject({ UserName: text, PrincipalName: text }).nullish(),
      AwsIamUser: z.looseObject({ UserId: text, UserName: text }).nullish(),
    })
    .nullish(),
});

const severitySchema = z
  .looseObject({
    Label: z.enum(ASFF_SEVERITY_LABELS).nullish(),
    Normalized: z.number().int().min(0).max(100).nullish(),
  })
  .refine((severity) => severity.Label != null || severity.Normalized != null, {
    error:
      'Severity needs a Label (INFORMATIONAL, LOW, MEDIUM, HIGH or CRITICAL) or a Normalized score from 0 to 100.',
    path: ['Label'],
  });

export const asffFindingSchema = z.looseObject(
  {
    Id: nonBlank,
    Severity: severitySchema,
    Resources: z.array(resourceSchema),
    SchemaVersion: text,
    ProductArn: text,
    ProductName: text,
    CompanyName: text,
    GeneratorId: text,
    AwsAccountId: text,
    Region: text,
    Types: texts,
    Title: text,
    FirstObservedAt: text,
    LastObservedAt: text,
    CreatedAt: text,
    UpdatedAt: text,
    SourceUrl: text,
    Sample: z.boolean().nullish(),
    RecordState: text,
    Workflow: z.looseObject({ Status: text }).nullish(),
    Compliance: z.looseObject({ Status: text, SecurityControlId: text }).nullish(),
    Remediation: z
      .looseObject({ Recommendation: z.looseObject({ Url: text }).nullish() })
      .nullish(),
    // A map of strings by the ASFF definition; other values are kept but not read.
    ProductFields: z.record(z.string(), z.unknown()).nullish(),
    Network: networkSchema.nullish(),
    Action: actionSchema.nullish(),
    ThreatIntelIndicators: z.array(threatIntelIndicatorSchema).nullish(),
  },
  {
    error:
      'Expected a Security Hub finding in the AWS Security Finding Format: an object with "Id", "Severity" and "Resources".',
  },
);

/**
 * The `detail` of a Security Hub event, `{"findings": [...]}` (Custom Action events add the
 * action's name), or a `GetFindings` response, which the API writes as `{"Findings": [...]}`.
 */
const findingListSchema = schemaByShape(
  {
    event: z.looseObject({
      findings: z.array(asffFindingSchema),
      // Custom Action events name the action an analyst chose in the console.
      actionName: text,
    }),
    api: z.looseObject({ Findings: z.array(asffFindingSchema) }),
  },
  (input) =>
    isJsonObject(input) && 'findings' in input && !('Findings' in input) ? 'event' : 'api',
);

/**
 * Validates what an event's `detail` or a body posted without an event holds: one finding, a
 * list of findings, a findings list or an AWS error body. The local stack wraps a posted body in
 * an event as it is, so `detail` may hold any of these forms, not only `{"findings": [...]}`.
 */
export const securityHubItemsSchema: z.ZodType<SecurityHubItems, unknown> = schemaByShape(
  {
    array: z.array(asffFindingSchema),
    finding: asffFindingSchema,
    list: findingListSchema,
    guardduty: rejectedForm(
      "This is a GuardDuty finding in GuardDuty's own format. Send it to the guardduty source, or send the finding as Security Hub imported it.",
      ['type'],
    ),
    error: awsErrorBodySchema,
  },
  (input) => {
    if (Array.isArray(input)) return 'array';
    if (!isJsonObject(input)) return 'finding';
    if ('Findings' in input || 'findings' in input) return 'list';
    if ('schemaVersion' in input && 'type' in input && !('Id' in input)) return 'guardduty';
    if (isAwsErrorBody(input)) return 'error';
    return 'finding';
  },
);

export const securityHubEventSchema = eventBridgeEventSchema(
  SECURITYHUB_EVENTS,
  securityHubItemsSchema,
);

export const securityHubPayloadSchema: z.ZodType<SecurityHubPayload, unknown> = schemaByShape(
  { event: securityHubEventSchema, items: securityHubItemsSchema },
  (input) => (hasEventDetail(input) ? 'event' : 'items'),
);

export type AsffFinding = z.infer<typeof asffFindingSchema>;
export type AsffResource = z.infer<typeof resourceSchema>;
export type AsffRemoteIpDetails = z.infer<typeof remoteIpDetailsSchema>;
export type AsffFindingList = z.infer<typeof findingListSchema>;
export type SecurityHubItems = AsffFinding | AsffFinding[] | AsffFindingList | AwsErrorBody;
export type SecurityHubEvent = z.infer<typeof securityHubEventSchema>;
export type SecurityHubPayload = SecurityHubEvent | SecurityHubItems;
