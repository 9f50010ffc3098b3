import * as z from 'zod';
import { awsErrorBodySchema, isAwsErrorBody, type AwsErrorBody } from '../shared/aws.ts';
import { eventBridgeEventSchema, hasEventDetail } from '../shared/eventbridge.ts';
import { isJsonObject, schemaByShape } from '../schema-by-shape.ts';
import { rejectedForm } from '../shared/rejected-form.ts';
import type { EventBridgeMatch } from '../source.ts';

/*
 * GuardDuty findings as EventBridge delivers them (`detail` of a "GuardDuty Finding" event)
 * and as the GuardDuty API (`GetFindings`) and its S3 export write them: camelCase members
 * (https://docs.aws.amazon.com/guardduty/latest/APIReference/API_Finding.html). Objects are
 * loose because GuardDuty adds members with each feature; only the members typed here are
 * read. Of those, only `id`, `type` and `severity` are required: the relay cannot name,
 * judge or rank a finding without them, and every other member has a fallback.
 */

export const GUARDDUTY_EVENTS: EventBridgeMatch = {
  sources: ['aws.guardduty'],
  detailTypes: ['GuardDuty Finding'],
};

const text = z.string().nullish();
const texts = z.array(z.string()).nullish();
// GuardDuty writes the ASN as a string ("209"), and its sample findings write -1 as a number.
const asn = z.union([z.string(), z.number()]).nullish();
const port = z.looseObject({ port: z.number().nullish(), portName: text }).nullish();

const ipDetailsSchema = z.looseObject({
  ipAddressV4: text,
  ipAddressV6: text,
});

const remoteIpDetailsSchema = z.looseObject({
  ipAddressV4: text,
  ipAddressV6: text,
  organization: z.looseObject({ asn, asnOrg: text, isp: text, org: text }).nullish(),
  country: z.looseObject({ countryCode: text, countryName: text }).nullish(),
});

const actionSchema = z.looseObject({
  actionType: text,
  networkConnectionAction: z
    .looseObject({
      connectionDirection: text,
      protocol: text,
      blocked: z.boolean().nullish(),
      remoteIpDetails: remoteIpDetailsSchema.nullish(),
      localIpDetails: ipDetailsSchema.nullish(),
      remotePortDetails: port,
      localPortDetails: port,
    })
    .nullish(),
  awsApiCallAction: z
    .looseObject({
      api: text,
      serviceName: text,
      callerType: text,
      remoteIpDetails: remoteIpDetailsSchema.nullish(),
    })
    .nullish(),
  dnsRequestAction: z
    .looseObject({ domain: text, protocol: text, blocked: z.boolean().nullish() })
    .nullish(),
  portProbeAction: z
    .looseObject({
      blocked: z.boolean().nullish(),
      portProbeDetails: z
        .array(
          z.looseObject({
            remoteIpDetails: remoteIpDetailsSchema.nullish(),
            localIpDetails: ipDetailsSchema.nullish(),
            localPortDetails: port,
          }),
        )
        .nullish(),
    })
    .nullish(),
  kubernetesApiCallAction: z
    .looseObject({ remoteIpDetails: remoteIpDetailsSchema.nullish(), verb: text })
    .nullish(),
  rdsLoginAttemptAction: z
    .looseObject({ remoteIpDetails: remoteIpDetailsSchema.nullish() })
    .nullish(),
});

const serviceSchema = z.looseObject({
  action: actionSchema.nullish(),
  // Sample findings carry `"sample": true`; older findings kept the threat list name here too.
  additionalInfo: z
    .looseObject({
      sample: z.union([z.boolean(), z.string()]).nullish(),
      threatListName: text,
    })
    .nullish(),
  archived: z.boolean().nullish(),
  count: z.number().nullish(),
  detectorId: text,
  eventFirstSeen: text,
  eventLastSeen: text,
  resourceRole: text,
  evidence: z
    .looseObject({
      threatIntelligenceDetails: z
        .array(z.looseObject({ threatListName: text, threatNames: texts }))
        .nullish(),
    })
    .nullish(),
});

const networkInterfaceSchema = z.looseObject({
  privateIpAddress: text,
  privateIpAddresses: z.array(z.looseObject({ privateIpAddress: text })).nullish(),
  publicIp: text,
  ipv6Addresses: texts,
});

const resourceSchema = z.looseObject({
  resourceType: text,
  instanceDetails: z
    .looseObject({
      instanceId: text,
      networkInterfaces: z.array(networkInterfaceSchema).nullish(),
    })
    .nullish(),
  accessKeyDetails: z
    .looseObject({ accessKeyId: text, principalId: text, userName: text, userType: text })
    .nullish(),
  s3BucketDetails: z.array(z.looseObject({ arn: text, name: text, type: text })).nullish(),
  eksClusterDetails: z.looseObject({ arn: text, name: text }).nullish(),
  ecsClusterDetails: z.looseObject({ arn: text, name: text }).nullish(),
  rdsDbInstanceDetails: z
    .looseObject({ dbInstanceArn: text, dbInstanceIdentifier: text })
    .nullish(),
  lambdaDetails: z.looseObject({ functionArn: text, functionName: text }).nullish(),
  kubernetesDetails: z
    .looseObject({
      kubernetesUserDetails: z.looseObject({ username: text }).nullish(),
    })
    .nullish(),
  rdsDbUserDetails: z.looseObject({ user: text }).nullish(),
});

export const guardDutyFindingSchema = z.looseObject(
  {
    id: z.string().min(1),
    type: z.string().min(1),
    severity: z.number().min(0).max(10),
    schemaVersion: text,
    accountId: text,
    region: text,
    partition: text,
    arn: text,
    title: text,
    createdAt: text,
    updatedAt: text,
    resource: resourceSchema.nullish(),
    service: serviceSchema.nullish(),
  },
  { error: 'Expected a GuardDuty finding: an object with "id", "type" and "severity".' },
);

/** The `GetFindings` response body of the GuardDuty API. */
export const guardDutyFindingListSchema = z.looseObject({
  findings: z.array(guardDutyFindingSchema),
});

/**
 * Returns the member that shows a finding printed by the AWS CLI or an SDK, which use
 * PascalCase members ("AccountId", "Type") where EventBridge and the API use camelCase.
 */
function looksLikeSdkOutput(input: Record<string, unknown>): string | undefined {
  if ('Findings' in input) return 'Findings';
  if ('Type' in input && 'Id' in input && !('type' in input)) return 'Type';
  return undefined;
}

/**
 * Validates what an event's `detail` or a body posted without an event holds: one finding, a
 * list of findings, a `GetFindings` response or an AWS error body. The local stack wraps a posted
 * body in an event as it is, so `detail` may hold any of these forms, not only one finding.
 */
export const guardDutyItemsSchema: z.ZodType<GuardDutyItems, unknown> = schemaByShape(
  {
    array: z.array(guardDutyFindingSchema),
    finding: guardDutyFindingSchema,
    list: guardDutyFindingListSchema,
    securityhub: rejectedForm(
      'This is a Security Hub finding (AWS Security Finding Format). Send it to the securityhub source.',
      ['ProductArn'],
    ),
    sdk: rejectedForm(
      'These are GuardDuty findings as the AWS CLI or an SDK prints them, with PascalCase ' +
        'members. Send the finding as EventBridge delivers it or as the GuardDuty API and its ' +
        'S3 export write it, with camelCase members ("id", "type", "severity").',
      (input) => [(isJsonObject(input) && looksLikeSdkOutput(input)) || ''],
    ),
    error: awsErrorBodySchema,
  },
  (input) => {
    if (Array.isArray(input)) return 'array';
    if (!isJsonObject(input)) return 'finding';
    if ('findings' in input) return 'list';
    if ('SchemaVersion' in input && 'ProductArn' in input) return 'securityhub';
    if (looksLikeSdkOutput(input) !== undefined) return 'sdk';
    if (isAwsErrorBody(input)) return 'error';
    return 'finding';
  },
);

export const guardDutyEventSchema = eventBridgeEventSchema(GUARDDUTY_EVENTS, guardDutyItemsSchema);

export const guardDutyPayloadSchema: z.ZodType<GuardDutyPayload, unknown> = schemaByShape(
  { event: guardDutyEventSchema, items: guardDutyItemsSchema },
  (input) => (hasEventDetail(input) ? 'event' : 'items'),
);

export type GuardDutyFinding = z.infer<typeof guardDutyFindingSchema>;
export type GuardDutyFindingList = z.infer<typeof guardDutyFindingListSchema>;
export type GuardDutyItems =
  GuardDutyFinding | GuardDutyFinding[] | GuardDutyFindingList | AwsErrorBody;
export type GuardDutyEvent = z.infer<typeof guardDutyEventSchema>;
export type GuardDutyResource = NonNullable<GuardDutyFinding['resource']>;
export type GuardDutyService = NonNullable<GuardDutyFinding['service']>;
export type GuardDutyRemoteIpDetails = z.infer<typeof remoteIpDetailsSchema>;
export type GuardDutyPayload = GuardDutyEvent | GuardDutyItems;
