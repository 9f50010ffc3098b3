import * as z from 'zod';
import { isJsonObject } from '../schema-by-shape.ts';
import { NormalizationError } from '../source.ts';

/** The parts of an Amazon Resource Name, `arn:partition:service:region:account-id:resource`. */
export interface Arn {
  partition: string;
  service: string;
  /** Empty for global resources such as S3 buckets and IAM users. */
  region: string;
  /** Empty for S3 buckets; "aws" for AWS-managed IAM policies. */
  accountId: string;
  /** Everything after the fifth colon, such as "instance/i-0abc" or "my-bucket". */
  resource: string;
}

const ARN = /^arn:(aws(?:-[a-z]+)*):([a-z0-9-]+):([a-z0-9-]*):([a-z0-9-]*):(.+)$/;
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;
const ACCOUNT_ID = /^\d{12}$/;

/**
 * Splits an ARN into its parts, or returns undefined when the value is not an ARN. Only the
 * ARN syntax is checked, not whether the service or resource exists.
 *
 * @example parseArn('arn:aws:s3:::example-bucket') // { partition: 'aws', service: 's3', region: '', accountId: '', resource: 'example-bucket' }
 */
export function parseArn(value: string): Arn | undefined {
  const match = ARN.exec(value);
  if (match === null) return undefined;
  const [, partition, service, region, accountId, resource] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  return { partition, service, region, accountId, resource };
}

/** True for an AWS region code such as "eu-west-1" or "us-gov-west-1". */
export function isAwsRegion(value: string | null | undefined): value is string {
  return typeof value === 'string' && REGION.test(value);
}

/** True for a 12-digit AWS account id. */
export function isAwsAccountId(value: string | null | undefined): value is string {
  return typeof value === 'string' && ACCOUNT_ID.test(value);
}

/** The partition and region of a finding, for console links. The partition defaults to "aws". */
export interface AwsLocation {
  partition?: string | undefined;
  region?: string | undefined;
}

/**
 * Returns the console origin for a region, or undefined for a partition without a public
 * console or a region that is not a region code. The region is checked because it comes from
 * the payload and becomes part of a host name.
 */
function consoleOrigin(location: AwsLocation): string | undefined {
  const { region } = location;
  if (!isAwsRegion(region)) return undefined;
  switch (location.partition ?? 'aws') {
    case 'aws':
      return `https://${region}.console.aws.amazon.com`;
    // NOTE: these China and GovCloud console hosts were not tried with deep links.
    case 'aws-cn':
      return 'https://console.amazonaws.cn';
    case 'aws-us-gov':
      return 'https://console.amazonaws-us-gov.com';
    default:
      return undefined;
  }
}

/**
 * Builds the GuardDuty console link of a finding, in the form GuardDuty itself writes into the
 * `SourceUrl` of the findings it sends to Security Hub.
 *
 * @example guardDutyFindingUrl({ region: 'us-east-1' }, '46ba0ac2845071e23ccdeb2ae03bfdea')
 * // 'https://us-east-1.console.aws.amazon.com/guardduty/home?region=us-east-1#/findings?macros=current&fId=46ba0ac2845071e23ccdeb2ae03bfdea'
 */
export function guardDutyFindingUrl(location: AwsLocation, findingId: string): string | undefined {
  const origin = consoleOrigin(location);
  if (origin === undefined) return undefined;
  return (
    `${origin}/guardduty/home?region=${location.region}` +
    `#/findings?macros=current&fId=${encodeURIComponent(findingId)}`
  );
}

/**
 * Builds the Security Hub console link that opens the findings list filtered to one finding id.
 * The console reads the filter `Id=\operator\:EQUALS\:<id>` from the URL fragment, URL-encoded
 * twice, which is why the fixed part reads `%255C`.
 * NOTE: this is the link the console itself produces, not a documented API, so AWS may change it.
 */
export function securityHubFindingUrl(
  location: AwsLocation,
  findingId: string,
): string | undefined {
  const origin = consoleOrigin(location);
  if (origin === undefined) return undefined;
  const id = encodeURIComponent(encodeURIComponent(findingId));
  return (
    `${origin}/securityhub/home?region=${location.region}` +
    `#/findings?search=Id%3D%255Coperator%255C%253AEQUALS%255C%253A${id}`
  );
}

/**
 * The error body of an AWS JSON API: GuardDuty writes `{"__type", "message"}`, Security Hub
 * `{"Code", "Message"}`, and API Gateway in front of them `{"message"}` alone.
 */
export const awsErrorBodySchema = z.looseObject({
  __type: z.string().nullish(),
  code: z.string().nullish(),
  Code: z.string().nullish(),
  message: z.string().nullish(),
  Message: z.string().nullish(),
});

export type AwsErrorBody = z.infer<typeof awsErrorBodySchema>;

/** Members that only findings and the responses that list them have. */
const FINDING_MEMBERS = ['detail', 'findings', 'Findings', 'id', 'Id', 'type', 'Types'];

/** True when a JSON value looks like an AWS API error body rather than findings. */
export function isAwsErrorBody(input: unknown): boolean {
  if (!isJsonObject(input)) return false;
  if (FINDING_MEMBERS.some((member) => member in input)) return false;
  return 'message' in input || 'Message' in input || '__type' in input;
}

/**
 * Returns the error to throw for an AWS API error body: it names the service's error code and
 * message, so that no record is made from a response without findings.
 */
export function awsServiceError(service: string, body: AwsErrorBody): NormalizationError {
  // A `__type` may carry a namespace prefix, as in "com.amazonaws.guardduty#BadRequestException".
  const code = (body.__type ?? body.Code ?? body.code ?? 'an error').replace(/^.*#/, '');
  const message = body.message ?? body.Message;
  const detail = message ? `: "${abbreviate(message)}"` : '';
  const key = ['__type', 'Code', 'code', 'message', 'Message'].find((member) => member in body);
  return new NormalizationError(
    `${service} returned ${code}${detail}. An error response contains no finding, so the ` +
      'relay made no record. Send the findings once the API returns them.',
    key === undefined ? [] : [key],
  );
}

function abbreviate(text: string): string {
  return text.length <= 300 ? text : `${text.slice(0, 297)}...`;
}
