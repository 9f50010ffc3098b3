import { describe, expect, it } from 'vitest';
import { securityHubSource } from '../../../functions/sources/securityhub/index.ts';
import { firstCi, recordFor, recordsAndSkips } from '../shared/aws-source-run.ts';
import { findingsOf, runWithSkips } from '../shared/run-with-skips.ts';
import {
  asffFinding,
  FINDING_ID,
  GUARDDUTY_FINDING_ID,
  guardDutyAsffFinding,
  INSTANCE_ARN,
  INSTANCE_ID,
  securityHubEvent,
} from './fixtures.ts';

function run(...findings: Record<string, unknown>[]) {
  return recordsAndSkips(securityHubSource, securityHubEvent(findings));
}

describe('securityhub payload forms', () => {
  it.each([
    ['a bare finding', asffFinding()],
    ['a list of findings', [asffFinding()]],
    ['a GetFindings response', { Findings: [asffFinding()], NextToken: 'abc' }],
    ['a lower-case findings list', { findings: [asffFinding()] }],
  ])('reads %s like the event', (_form, json) => {
    const expected = run(asffFinding()).records;

    const { records } = recordsAndSkips(securityHubSource, json);

    expect(records).toEqual(expected);
  });

  it.each([
    ['a bare finding', asffFinding()],
    ['a list of findings', [asffFinding()]],
    ['a GetFindings response', { Findings: [asffFinding()] }],
  ])('reads an event whose detail is %s, as the local stack wraps it', (_form, detail) => {
    const expected = run(asffFinding()).records;

    const { records } = recordsAndSkips(securityHubSource, { ...securityHubEvent([]), detail });

    expect(records).toEqual(expected);
  });

  it('reads every finding of an event', () => {
    const second = asffFinding({
      Id: 'second',
      Resources: [{ Type: 'AwsS3Bucket', Id: 'arn:aws:s3:::example-b' }],
    });

    const { records } = run(asffFinding(), second);

    expect(records.map((record) => (record.kind === 'ci_enrichment' ? record.ci : ''))).toEqual([
      INSTANCE_ID,
      'arn:aws:s3:::example-b',
    ]);
  });

  it('gives no records for an empty findings list', () => {
    const { records, skips } = recordsAndSkips(securityHubSource, { Findings: [] });

    expect(records).toEqual([]);
    expect(skips).toEqual([]);
  });

  it('names the custom action an analyst chose', () => {
    const { records } = recordsAndSkips(
      securityHubSource,
      securityHubEvent(
        [asffFinding()],
        'Security Hub Findings - Custom Action',
        {},
        {
          actionName: 'SendToServiceNow',
          actionDescription: 'Send to ServiceNow',
        },
      ),
    );

    expect(firstCi(records).details).toMatchObject({ customAction: 'SendToServiceNow' });
  });

  it('rejects an AWS error body naming the error', () => {
    const { result } = runWithSkips(securityHubSource, {
      Code: 'InvalidAccessException',
      Message: 'Account 123456789012 is not subscribed to AWS Security Hub',
    });

    expect(result.outcome).toBe('rejected');
    if (result.outcome !== 'rejected') return;
    expect(result.error.message).toContain('AWS Security Hub returned InvalidAccessException');
    expect(result.error.path).toEqual(['Code']);
  });
});

describe('securityhub CI enrichment', () => {
  it('describes a failed control on its resource', () => {
    const { records } = run(asffFinding());

    expect(records).toHaveLength(1);
    const ci = recordFor(records, 'ci_enrichment', INSTANCE_ID);
    expect(ci).toMatchObject({
      ciClass: 'AWS EC2 instance',
      source: 'AWS Security Hub',
      summary:
        'Security Hub Critical finding EC2.19: Security groups should not allow unrestricted ' +
        'access to ports with high risk',
      enrichedAt: '2025-05-30T12:59:55.882Z',
    });
    expect(ci.details).toMatchObject({
      findingId: FINDING_ID,
      product: 'Security Hub',
      generatorId: 'security-control/EC2.19',
      findingType: 'EC2.19',
      severity: 'Critical',
      severityNormalized: 90,
      firstSeen: '2025-05-28T07:12:30.421Z',
      lastSeen: '2025-05-30T12:59:58.104Z',
      accountId: '123456789012',
      region: 'us-east-1',
      recordState: 'ACTIVE',
      workflowStatus: 'NEW',
      complianceStatus: 'FAILED',
      resourceType: 'AwsEc2Instance',
      resourceArn: INSTANCE_ARN,
      remediationUrl: 'https://docs.aws.amazon.com/console/securityhub/EC2.19/remediation',
    });
    expect(ci.details?.consoleUrl).toBe(
      'https://us-east-1.console.aws.amazon.com/securityhub/home?region=us-east-1' +
        '#/findings?search=Id%3D%255Coperator%255C%253AEQUALS%255C%253A' +
        encodeURIComponent(encodeURIComponent(FINDING_ID)),
    );
  });

  it.each([
    [
      'an account by its id',
      { Type: 'AwsAccount', Id: 'AWS::::Account:123456789012' },
      '123456789012',
      'AWS account',
    ],
    [
      'an access key by its key id',
      { Type: 'AwsIamAccessKey', Id: 'AWS::IAM::AccessKey:AKIAEXAMPLE2M5RD7TQ1' },
      'AKIAEXAMPLE2M5RD7TQ1',
      'AWS IAM access key',
    ],
    [
      'a bucket by ARN',
      { Type: 'AwsS3Bucket', Id: 'arn:aws:s3:::example-b' },
      'arn:aws:s3:::example-b',
      'AWS S3 bucket',
    ],
    [
      'an IAM user by unique id',
      {
        Type: 'AwsIamUser',
        Id: 'arn:aws:iam::123456789012:user/jdoe',
        Details: { AwsIamUser: { UserId: 'AIDAEXAMPLE7Q3ZK4JXH', UserName: 'jdoe' } },
      },
      'AIDAEXAMPLE7Q3ZK4JXH',
      'AWS IAM user',
    ],
    [
      'an unlisted type by its Id and type',
      { Type: 'AwsSnsTopic', Id: 'arn:aws:sns:us-east-1:123456789012:alerts' },
      'arn:aws:sns:us-east-1:123456789012:alerts',
      'AwsSnsTopic',
    ],
    [
      'an instance whose Id is not a valid ARN',
      { Type: 'AwsEc2Instance', Id: `arn:aws::ec2:us-east-1:123456789012:instance/${INSTANCE_ID}` },
      INSTANCE_ID,
      'AWS EC2 instance',
    ],
  ])('names %s', (_case, resource, ci, ciClass) => {
    const { records } = run(asffFinding({ Resources: [resource] }));

    expect(records[0]).toMatchObject({ kind: 'ci_enrichment', ci, ciClass });
  });

  it('keeps an IAM user name out of CI and records', () => {
    const { records } = run(
      asffFinding({
        Title: 'IAM user jdoe has an access key older than 90 days',
        Resources: [
          {
            Type: 'AwsIamUser',
            Id: 'arn:aws:iam::123456789012:user/jdoe',
            Details: { AwsIamUser: { UserId: 'AIDAEXAMPLE7Q3ZK4JXH' } },
          },
        ],
      }),
    );

    const serialized = JSON.stringify(records);
    expect(serialized).not.toContain('jdoe');
    expect(firstCi(records).summary).toContain('IAM user [name removed] has an access key');
  });

  it('reports an IAM user without unique id', () => {
    const { records, skips } = run(
      asffFinding({
        Resources: [{ Type: 'AwsIamUser', Id: 'arn:aws:iam::123456789012:user/jdoe' }],
      }),
    );

    expect(records).toMatchObject([
      { kind: 'ci_enrichment', ci: '123456789012', ciClass: 'AWS account' },
    ]);
    expect(skips).toEqual([
      {
        reason: 'unnamed_resource',
        detail: {
          findingId: FINDING_ID,
          path: 'detail.findings[0].Resources[0].Details.AwsIamUser.UserId',
        },
      },
    ]);
  });

  it('takes the account from the finding id ARN', () => {
    const { records } = recordsAndSkips(
      securityHubSource,
      securityHubEvent([asffFinding({ Resources: [], AwsAccountId: undefined })], undefined, {
        account: undefined,
      }),
    );

    expect(records).toMatchObject([{ kind: 'ci_enrichment', ci: '123456789012' }]);
  });

  it('rejects a finding without resources and account', () => {
    const { result } = runWithSkips(
      securityHubSource,
      securityHubEvent(
        [asffFinding({ Id: 'example-product/finding/1', Resources: [], AwsAccountId: undefined })],
        undefined,
        { account: undefined },
      ),
    );

    expect(result.outcome).toBe('rejected');
    if (result.outcome !== 'rejected') return;
    expect(result.error.path).toEqual(['detail', 'findings', 0, 'Resources']);
    expect(result.error.message).toContain('"example-product/finding/1" names no resource');
  });

  it.each([
    ['Label', { Label: 'LOW', Normalized: 90 }, 'Low'],
    ['Normalized without Label', { Normalized: 75 }, 'High'],
    ['Normalized 0', { Normalized: 0 }, 'Informational'],
  ])('ranks by %s', (_case, severity, label) => {
    const { records } = run(asffFinding({ Severity: severity }));

    expect(firstCi(records).details?.severity).toBe(label);
  });

  it('reads a finding without GeneratorId', () => {
    const { records } = run(asffFinding({ GeneratorId: undefined }));

    expect(records).toHaveLength(1);
    expect(firstCi(records).details?.generatorId).toBeUndefined();
  });

  it('keeps descriptions, notes and tags out of records', () => {
    const { records } = run(
      asffFinding({
        Resources: [
          { Type: 'AwsEc2Instance', Id: INSTANCE_ARN, Tags: { Owner: 'owner-tag-value' } },
        ],
      }),
    );

    const serialized = JSON.stringify(records);
    expect(serialized).not.toContain('Description text');
    expect(serialized).not.toContain('Analyst note');
    expect(serialized).not.toContain('analyst@example.com');
    expect(serialized).not.toContain('owner-tag-value');
  });
});

describe('securityhub observables', () => {
  it('reads the flattened GuardDuty action of an imported GuardDuty finding', () => {
    const { records } = run(guardDutyAsffFinding('UnauthorizedAccess:EC2/SSHBruteForce'));

    const remote = recordFor(records, 'observable_enrichment', '203.0.113.80');
    expect(remote.source).toBe('AWS Security Hub');
    expect(remote.details).toMatchObject({
      roles: ['remote'],
      ipScope: 'documentation',
      connectionDirection: 'OUTBOUND',
      protocol: 'TCP',
      remotePort: 443,
      asn: '64503',
      country: 'Example Country',
      findingType: 'UnauthorizedAccess:EC2/SSHBruteForce',
      count: 12,
    });
    expect(recordFor(records, 'observable_enrichment', '10.0.0.5').details).toMatchObject({
      roles: ['local', 'resource'],
      ipScope: 'private',
    });
    expect(recordFor(records, 'observable_enrichment', '203.0.113.10').details).toMatchObject({
      roles: ['resource'],
    });
  });

  it.each([
    ['IN', { '198.51.100.9': ['remote'], '10.0.0.9': ['local'] }],
    ['OUT', { '198.51.100.9': ['local'], '10.0.0.9': ['remote'] }],
    [undefined, { '198.51.100.9': ['network_source'], '10.0.0.9': ['network_destination'] }],
  ])('reads Network with direction %s', (direction, expected) => {
    const { records } = run(
      asffFinding({
        Network: {
          Direction: direction,
          Protocol: 'TCP',
          SourceIpV4: '198.51.100.9',
          SourcePort: 4000,
          DestinationIpV4: '10.0.0.9',
          DestinationPort: 22,
        },
      }),
    );

    const roles = Object.fromEntries(
      records.flatMap((record) =>
        record.kind === 'observable_enrichment'
          ? [[record.observable.value, record.details?.roles]]
          : [],
      ),
    );
    expect(roles).toEqual(expected);
  });

  it('reads the ASFF actions', () => {
    const { records } = run(
      asffFinding({
        Action: {
          ActionType: 'PORT_PROBE',
          AwsApiCallAction: {
            Api: 'ListBuckets',
            RemoteIpDetails: { IpAddressV4: '198.51.100.31', Organization: { Asn: 64510 } },
          },
          DnsRequestAction: { Domain: 'query.example.com' },
          NetworkConnectionAction: {
            RemoteIpDetails: { IpAddressV4: '198.51.100.32' },
            RemotePortDetails: { Port: 443 },
          },
          PortProbeAction: {
            PortProbeDetails: [
              {
                RemoteIpDetails: { IpAddressV4: '198.51.100.33' },
                LocalIpDetails: { IpAddressV4: '10.0.0.33' },
              },
            ],
          },
        },
      }),
    );

    const roles = Object.fromEntries(
      records.flatMap((record) =>
        record.kind === 'observable_enrichment'
          ? [[record.observable.value, record.details?.roles]]
          : [],
      ),
    );
    expect(roles).toEqual({
      '198.51.100.32': ['remote'],
      '198.51.100.31': ['remote'],
      'query.example.com': ['queried_domain'],
      '198.51.100.33': ['remote'],
      '10.0.0.33': ['local'],
    });
    expect(recordFor(records, 'observable_enrichment', '198.51.100.31').details).toMatchObject({
      asn: '64510',
      api: 'ListBuckets',
    });
  });

  it('reports an indicator value that is no valid observable', () => {
    const { skips } = run(
      asffFinding({ ThreatIntelIndicators: [{ Type: 'DOMAIN', Value: 'not a domain' }] }),
    );

    expect(skips).toMatchObject([
      {
        reason: 'invalid_observable',
        detail: { path: 'detail.findings[0].ThreatIntelIndicators[0].Value' },
      },
    ]);
  });
});

describe('securityhub verdicts', () => {
  it('gives no lookup result for a control or behaviour finding', () => {
    const { records } = run(
      asffFinding({ Network: { Direction: 'IN', SourceIpV4: '198.51.100.9' } }),
      guardDutyAsffFinding('UnauthorizedAccess:EC2/SSHBruteForce'),
    );

    expect(findingsOf(records)).toEqual({});
  });

  it.each([
    'Backdoor:EC2/C&CActivity.B',
    'UnauthorizedAccess:EC2/MaliciousIPCaller.Custom',
    'CryptoCurrency:EC2/BitcoinTool.B',
    'Trojan:EC2/BlackholeTraffic',
  ])('judges the remote address of GuardDuty %s Malicious under GuardDuty', (type) => {
    const { records } = run(guardDutyAsffFinding(type));

    expect(findingsOf(records)).toEqual({ '203.0.113.80': 'Malicious' });
    const lookup = recordFor(records, 'threat_lookup_result', '203.0.113.80');
    expect(lookup.source).toBe('AWS GuardDuty');
    expect(lookup.summary?.startsWith(`The GuardDuty finding type ${type} reports `)).toBe(true);
    expect(lookup.reportUrl).toContain('/securityhub/home?region=us-east-1');
  });

  it('judges a finding citing a threat list Malicious', () => {
    const { records } = run(
      guardDutyAsffFinding('UnauthorizedAccess:EC2/SSHBruteForce', {
        'aws/guardduty/service/evidence/threatIntelligenceDetails.0_/threatListName':
          'ExampleThreatList',
        'aws/guardduty/service/evidence/threatIntelligenceDetails.0_/threatNames.0_':
          'ExampleBotnet',
      }),
    );

    const lookup = recordFor(records, 'threat_lookup_result', '203.0.113.80');
    expect(lookup.finding).toBe('Malicious');
    expect(lookup.summary).toContain('(threat list ExampleThreatList; threat ExampleBotnet)');
    expect(recordFor(records, 'ci_enrichment', INSTANCE_ID).details).toMatchObject({
      threatListNames: ['ExampleThreatList'],
      threatNames: ['ExampleBotnet'],
    });
  });

  it('judges the queried domain of a GuardDuty DNS finding', () => {
    const { records } = run(
      guardDutyAsffFinding('Impact:EC2/SuspiciousDomainRequest.Reputation', {
        'aws/guardduty/service/action/networkConnectionAction/remoteIpDetails/ipAddressV4': '',
        'aws/guardduty/service/action/dnsRequestAction/domain': 'odd.example.net',
      }),
    );

    expect(findingsOf(records)).toEqual({ 'odd.example.net': 'Suspicious' });
  });

  it('judges a threat intelligence indicator Malicious under Security Hub', () => {
    const { records } = run(
      asffFinding({
        ProductName: 'Example IDS',
        ThreatIntelIndicators: [
          {
            Type: 'IPV4_ADDRESS',
            Value: '198.51.100.66',
            Category: 'DROP_SITE',
            Source: 'Example Feed',
          },
          { Type: 'HASH_SHA256', Value: 'A'.repeat(64) },
          { Type: 'MUTEX', Value: 'Global\\example' },
        ],
      }),
    );

    expect(findingsOf(records)).toEqual({
      '198.51.100.66': 'Malicious',
      ['a'.repeat(64)]: 'Malicious',
    });
    expect(recordFor(records, 'threat_lookup_result', '198.51.100.66')).toMatchObject({
      source: 'AWS Security Hub',
      summary:
        'Example IDS lists 198.51.100.66 as a threat intelligence indicator of category DROP_SITE from Example Feed.',
    });
  });

  it('keeps Malicious off a private indicator address', () => {
    const { records } = run(
      asffFinding({ ThreatIntelIndicators: [{ Type: 'IPV4_ADDRESS', Value: '192.168.1.20' }] }),
    );

    expect(findingsOf(records)).toEqual({ '192.168.1.20': 'Unknown' });
  });
});

describe('securityhub skips', () => {
  it.each([
    ['a sample finding', { Sample: true }, 'sample_finding', 'detail.findings[0].Sample', true],
    [
      'a GuardDuty sample finding',
      { ProductFields: { 'aws/guardduty/service/additionalInfo/sample': 'true' } },
      'sample_finding',
      'detail.findings[0].ProductFields["aws/guardduty/service/additionalInfo/sample"]',
      'true',
    ],
    [
      'an archived finding',
      { RecordState: 'ARCHIVED' },
      'archived_finding',
      'detail.findings[0].RecordState',
      'ARCHIVED',
    ],
    [
      'a passed control',
      { Compliance: { Status: 'PASSED' } },
      'passed_control',
      'detail.findings[0].Compliance.Status',
      'PASSED',
    ],
    [
      'a suppressed finding',
      { Workflow: { Status: 'SUPPRESSED' } },
      'suppressed_finding',
      'detail.findings[0].Workflow.Status',
      'SUPPRESSED',
    ],
    [
      'a resolved finding',
      { Workflow: { Status: 'RESOLVED' } },
      'resolved_finding',
      'detail.findings[0].Workflow.Status',
      'RESOLVED',
    ],
  ])('skips %s', (_case, overrides, reason, path, value) => {
    const { records, skips } = run(asffFinding(overrides));

    expect(records).toEqual([]);
    expect(skips).toEqual([{ reason, detail: { findingId: FINDING_ID, path, value } }]);
  });

  it.each([
    ['a WARNING control', { Compliance: { Status: 'WARNING' } }],
    ['a NOT_AVAILABLE control', { Compliance: { Status: 'NOT_AVAILABLE' } }],
    ['a NOTIFIED finding', { Workflow: { Status: 'NOTIFIED' } }],
    ['a stale WorkflowState', { WorkflowState: 'RESOLVED' }],
  ])('records %s', (_case, overrides) => {
    const { records } = run(asffFinding(overrides));

    expect(records).toHaveLength(1);
  });

  it('applies the skips to Custom Action events too', () => {
    const { records, skips } = recordsAndSkips(
      securityHubSource,
      securityHubEvent(
        [asffFinding({ RecordState: 'ARCHIVED' })],
        'Security Hub Findings - Custom Action',
      ),
    );

    expect(records).toEqual([]);
    expect(skips.map((skip) => skip.reason)).toEqual(['archived_finding']);
  });

  it('gives zero records, not an error, when every finding is skipped', () => {
    const { result, skips } = runWithSkips(
      securityHubSource,
      securityHubEvent([asffFinding({ Sample: true }), asffFinding({ RecordState: 'ARCHIVED' })]),
    );

    expect(result).toEqual({ outcome: 'records', records: [] });
    expect(skips).toHaveLength(2);
  });

  it('names the GuardDuty finding id in a skip', () => {
    const { skips } = run(
      guardDutyAsffFinding('Recon:EC2/Portscan', {}, { Workflow: { Status: 'SUPPRESSED' } }),
    );

    expect(skips[0]?.detail.findingId).toBe(GUARDDUTY_FINDING_ID);
  });
});
