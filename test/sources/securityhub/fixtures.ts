/** Builders of Security Hub findings (ASFF) for the tests, shaped as Security Hub writes them. */

type Json = Record<string, unknown>;

export const FINDING_ID =
  'arn:aws:securityhub:us-east-1:123456789012:security-control/EC2.19/finding/0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e';
export const GUARDDUTY_FINDING_ID =
  'arn:aws:guardduty:us-east-1:123456789012:detector/0ec5f0e2d1c4b3a29f8e7d6c5b4a3921/finding/f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9';
export const INSTANCE_ID = 'i-0a1b2c3d4e5f60718';
export const INSTANCE_ARN = `arn:aws:ec2:us-east-1:123456789012:instance/${INSTANCE_ID}`;

/** Builds a failed security control on an EC2 instance, with top-level members replaced by `overrides`. */
export function asffFinding(overrides: Json = {}): Json {
  return {
    SchemaVersion: '2018-10-08',
    Id: FINDING_ID,
    ProductArn: 'arn:aws:securityhub:us-east-1::product/aws/securityhub',
    ProductName: 'Security Hub',
    CompanyName: 'AWS',
    Region: 'us-east-1',
    GeneratorId: 'security-control/EC2.19',
    AwsAccountId: '123456789012',
    Types: ['Software and Configuration Checks/Industry and Regulatory Standards'],
    FirstObservedAt: '2025-05-28T07:12:30.421Z',
    LastObservedAt: '2025-05-30T12:59:58.104Z',
    CreatedAt: '2025-05-28T07:12:30.421Z',
    UpdatedAt: '2025-05-30T12:59:55.882Z',
    Severity: { Label: 'CRITICAL', Normalized: 90, Original: 'CRITICAL' },
    Title: 'Security groups should not allow unrestricted access to ports with high risk',
    Description: 'Description text that the relay does not forward.',
    Remediation: {
      Recommendation: {
        Text: 'See the documentation.',
        Url: 'https://docs.aws.amazon.com/console/securityhub/EC2.19/remediation',
      },
    },
    ProductFields: { 'aws/securityhub/ProductName': 'Security Hub' },
    Resources: [
      { Type: 'AwsEc2Instance', Id: INSTANCE_ARN, Partition: 'aws', Region: 'us-east-1' },
    ],
    Compliance: { Status: 'FAILED', SecurityControlId: 'EC2.19' },
    WorkflowState: 'NEW',
    Workflow: { Status: 'NEW' },
    RecordState: 'ACTIVE',
    Note: {
      Text: 'Analyst note that the relay does not forward',
      UpdatedBy: 'analyst@example.com',
    },
    ...overrides,
  };
}

/** Builds a GuardDuty finding as Security Hub imports it, with its action flattened into ProductFields. */
export function guardDutyAsffFinding(
  type: string,
  productFields: Json = {},
  overrides: Json = {},
): Json {
  return asffFinding({
    Id: GUARDDUTY_FINDING_ID,
    ProductArn: 'arn:aws:securityhub:us-east-1::product/aws/guardduty',
    ProductName: 'GuardDuty',
    CompanyName: 'Amazon',
    GeneratorId:
      'arn:aws:guardduty:us-east-1:123456789012:detector/0ec5f0e2d1c4b3a29f8e7d6c5b4a3921',
    Types: [`TTPs/Command and Control/${type.replace('/', '-')}`],
    Severity: { Product: 8, Label: 'HIGH', Normalized: 60 },
    Title: `EC2 instance ${INSTANCE_ID} is communicating with 203.0.113.80.`,
    Compliance: undefined,
    ProductFields: {
      'aws/guardduty/service/action/actionType': 'NETWORK_CONNECTION',
      'aws/guardduty/service/action/networkConnectionAction/connectionDirection': 'OUTBOUND',
      'aws/guardduty/service/action/networkConnectionAction/protocol': 'TCP',
      'aws/guardduty/service/action/networkConnectionAction/remoteIpDetails/ipAddressV4':
        '203.0.113.80',
      'aws/guardduty/service/action/networkConnectionAction/remoteIpDetails/organization/asn':
        '64503',
      'aws/guardduty/service/action/networkConnectionAction/remoteIpDetails/country/countryName':
        'Example Country',
      'aws/guardduty/service/action/networkConnectionAction/remotePortDetails/port': '443',
      'aws/guardduty/service/action/networkConnectionAction/localIpDetails/ipAddressV4': '10.0.0.5',
      'aws/guardduty/service/count': '12',
      'aws/securityhub/ProductName': 'GuardDuty',
      ...productFields,
    },
    Resources: [
      {
        Type: 'AwsEc2Instance',
        Id: INSTANCE_ARN,
        Partition: 'aws',
        Region: 'us-east-1',
        Details: { AwsEc2Instance: { IpV4Addresses: ['10.0.0.5', '203.0.113.10'] } },
      },
    ],
    ...overrides,
  });
}

/** Wraps findings in a complete Security Hub EventBridge event. */
export function securityHubEvent(
  findings: Json[],
  detailType = 'Security Hub Findings - Imported',
  envelope: Json = {},
  detail: Json = {},
): Json {
  return {
    version: '0',
    id: '4e5f6a7b-8c9d-4e0f-a1b2-c3d4e5f6a7b8',
    'detail-type': detailType,
    source: 'aws.securityhub',
    account: '123456789012',
    time: '2025-05-30T13:00:12Z',
    region: 'us-east-1',
    resources: [],
    detail: { findings, ...detail },
    ...envelope,
  };
}
