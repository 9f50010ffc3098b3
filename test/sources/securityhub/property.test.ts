import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { securityHubSource } from '../../../functions/sources/securityhub/index.ts';
import { runWithSkips } from '../shared/run-with-skips.ts';
import {
  findingAddress as address,
  itHandlesArbitraryFindings,
} from '../shared/aws-finding-properties.ts';

const timestamp = fc.oneof(
  fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
  fc.constantFrom('+010000-01-01T00:00:00Z', 'yesterday'),
  fc.string(),
);

const resource = fc.record(
  {
    Type: fc.constantFrom(
      'AwsEc2Instance',
      'AwsAccount',
      'AwsIamUser',
      'AwsIamAccessKey',
      'AwsS3Bucket',
      '',
    ),
    Id: fc.oneof(
      fc.string({ maxLength: 400 }),
      fc.constant('arn:aws:ec2:us-east-1:123456789012:instance/i-0a1b2c3d4e5f60718'),
    ),
    Partition: fc.constantFrom('aws', 'aws-cn', 'nope'),
    Details: fc.record(
      {
        AwsEc2Instance: fc.record({ IpV4Addresses: fc.array(address, { maxLength: 3 }) }),
        AwsIamUser: fc.record({ UserId: fc.string(), UserName: fc.string() }, { requiredKeys: [] }),
      },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: ['Type', 'Id'] },
);

const finding = fc.record(
  {
    Id: fc.string(),
    Severity: fc.record(
      {
        Label: fc.constantFrom('INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL', 'x'),
        Normalized: fc.integer({ min: -5, max: 105 }),
      },
      { requiredKeys: [] },
    ),
    Resources: fc.array(resource, { maxLength: 3 }),
    ProductArn: fc.constantFrom(
      'arn:aws:securityhub:us-east-1::product/aws/guardduty',
      'arn:aws:securityhub:us-east-1::product/aws/securityhub',
    ),
    ProductName: fc.constantFrom('GuardDuty', 'Inspector'),
    AwsAccountId: fc.oneof(fc.stringMatching(/^\d{12}$/), fc.string()),
    Region: fc.constantFrom('us-east-1', 'not a region'),
    Types: fc.array(
      fc.oneof(
        fc.constantFrom(
          'TTPs/Command and Control/Backdoor:EC2-C&CActivity.B',
          'TTPs/Initial Access/UnauthorizedAccess:EC2-SSHBruteForce',
        ),
        fc.string(),
      ),
      { maxLength: 2 },
    ),
    Title: fc.string({ maxLength: 5000 }),
    UpdatedAt: timestamp,
    Sample: fc.boolean(),
    RecordState: fc.constantFrom('ACTIVE', 'ARCHIVED'),
    Workflow: fc.record({ Status: fc.constantFrom('NEW', 'NOTIFIED', 'RESOLVED', 'SUPPRESSED') }),
    Compliance: fc.record({ Status: fc.constantFrom('PASSED', 'FAILED', 'WARNING') }),
    ProductFields: fc.dictionary(
      fc.oneof(
        fc.constantFrom(
          'aws/guardduty/service/action/networkConnectionAction/remoteIpDetails/ipAddressV4',
          'aws/guardduty/service/action/dnsRequestAction/domain',
          'aws/guardduty/service/evidence/threatIntelligenceDetails.0_/threatListName',
          'aws/guardduty/service/count',
        ),
        fc.string(),
      ),
      fc.oneof(address, fc.domain(), fc.jsonValue()),
    ),
    Network: fc.record(
      {
        Direction: fc.constantFrom('IN', 'OUT', 'x'),
        SourceIpV4: address,
        DestinationDomain: fc.oneof(fc.domain(), fc.string()),
      },
      { requiredKeys: [] },
    ),
    ThreatIntelIndicators: fc.array(
      fc.record({
        Type: fc.constantFrom(
          'IPV4_ADDRESS',
          'DOMAIN',
          'URL',
          'HASH_SHA256',
          'EMAIL_ADDRESS',
          'MUTEX',
        ),
        Value: fc.oneof(address, fc.webUrl(), fc.string()),
      }),
      { maxLength: 3 },
    ),
  },
  { requiredKeys: ['Id', 'Severity', 'Resources'] },
);

const payload = fc.oneof(
  fc.jsonValue(),
  finding,
  fc.array(finding, { maxLength: 3 }),
  fc.record({ Findings: fc.array(finding, { maxLength: 3 }) }),
  fc.record(
    {
      'detail-type': fc.constantFrom(
        'Security Hub Findings - Imported',
        'Security Hub Findings - Custom Action',
        'x',
      ),
      detail: fc.record(
        { findings: fc.array(finding, { maxLength: 3 }), actionName: fc.string() },
        { requiredKeys: ['findings'] },
      ),
    },
    { requiredKeys: ['detail'] },
  ),
  fc.record({ Code: fc.string(), Message: fc.string() }, { requiredKeys: [] }),
);

describe('securityhub on arbitrary input', () => {
  itHandlesArbitraryFindings(securityHubSource, { payload, finding });

  it('records no finding that is archived, suppressed, resolved, passed or a sample', () => {
    fc.assert(
      fc.property(finding, (json) => {
        const { result, skips } = runWithSkips(securityHubSource, json);
        if (result.outcome !== 'records') return;

        const skipped =
          json.Sample === true ||
          json.RecordState === 'ARCHIVED' ||
          json.Compliance?.Status === 'PASSED' ||
          json.Workflow?.Status === 'SUPPRESSED' ||
          json.Workflow?.Status === 'RESOLVED';
        if (skipped) {
          expect(result.records).toEqual([]);
          expect(skips).toHaveLength(1);
        }
      }),
      { numRuns: 400 },
    );
  });
});
