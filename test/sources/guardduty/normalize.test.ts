import { describe, expect, it } from 'vitest';
import { guardDutySource } from '../../../functions/sources/guardduty/index.ts';
import { RECEIVED_AT } from '../run-source.ts';
import { firstCi, recordFor, recordsAndSkips } from '../shared/aws-source-run.ts';
import { findingsOf, runWithSkips } from '../shared/run-with-skips.ts';
import {
  FINDING_ID,
  guardDutyEvent,
  guardDutyFinding,
  INSTANCE_ID,
  networkAction,
} from './fixtures.ts';

const CONSOLE_URL =
  'https://us-east-1.console.aws.amazon.com/guardduty/home?region=us-east-1' +
  `#/findings?macros=current&fId=${FINDING_ID}`;

function run(finding: Record<string, unknown>) {
  return recordsAndSkips(guardDutySource, guardDutyEvent(finding));
}

describe('guardduty payload forms', () => {
  it('reads a complete EventBridge event', () => {
    const { records } = run(guardDutyFinding());

    expect(records.map((record) => record.kind)).toEqual([
      'ci_enrichment',
      'observable_enrichment',
      'observable_enrichment',
      'observable_enrichment',
    ]);
  });

  it.each([
    ['a bare finding', guardDutyFinding()],
    ['a list of findings', [guardDutyFinding()]],
    ['a GetFindings response', { findings: [guardDutyFinding()] }],
    ['an event with only region and detail', { region: 'us-east-1', detail: guardDutyFinding() }],
  ])('reads %s like the event', (_form, json) => {
    const expected = run(guardDutyFinding()).records;

    const { records } = recordsAndSkips(guardDutySource, json);

    expect(records).toEqual(expected);
  });

  it.each([
    ['a list of findings', [guardDutyFinding()]],
    ['a GetFindings response', { findings: [guardDutyFinding()] }],
  ])('reads an event whose detail is %s, as the local stack wraps it', (_form, detail) => {
    const expected = run(guardDutyFinding()).records;

    const { records } = recordsAndSkips(guardDutySource, guardDutyEvent(detail));

    expect(records).toEqual(expected);
  });

  it('names the path of a wrapped list item in a skip', () => {
    const { skips } = recordsAndSkips(
      guardDutySource,
      guardDutyEvent({ findings: [guardDutyFinding({}, { archived: true })] }),
    );

    expect(skips.map((skip) => skip.detail.path)).toEqual(['detail.findings[0].service.archived']);
  });

  it('gives no records for an empty GetFindings response', () => {
    const { records, skips } = recordsAndSkips(guardDutySource, { findings: [] });

    expect(records).toEqual([]);
    expect(skips).toEqual([]);
  });

  it('rejects an AWS error body naming the error', () => {
    const { result } = runWithSkips(guardDutySource, {
      message:
        'The request is rejected because the input detectorId is not owned by the current account.',
      __type: 'com.amazonaws.guardduty#BadRequestException',
    });

    expect(result.outcome).toBe('rejected');
    if (result.outcome !== 'rejected') return;
    expect(result.error.message).toContain('AWS GuardDuty returned BadRequestException');
    expect(result.error.message).toContain('detectorId is not owned');
    expect(result.error.path).toEqual(['__type']);
  });
});

describe('guardduty CI enrichment', () => {
  it('describes the finding on its instance', () => {
    const { records } = run(guardDutyFinding({ severity: 8 }));

    const ci = recordFor(records, 'ci_enrichment', INSTANCE_ID);
    expect(ci.ciClass).toBe('AWS EC2 instance');
    expect(ci.source).toBe('AWS GuardDuty');
    expect(ci.summary).toBe(
      'GuardDuty High finding UnauthorizedAccess:EC2/SSHBruteForce: 198.51.100.23 is performing ' +
        `SSH brute force attacks against ${INSTANCE_ID}.`,
    );
    expect(ci.enrichedAt).toBe('2025-05-30T09:15:42.531Z');
    expect(ci.details).toMatchObject({
      findingId: FINDING_ID,
      findingType: 'UnauthorizedAccess:EC2/SSHBruteForce',
      severity: 'High',
      severityScore: 8,
      count: 41,
      firstSeen: '2025-05-30T08:02:11.000Z',
      lastSeen: '2025-05-30T09:05:37.000Z',
      accountId: '123456789012',
      region: 'us-east-1',
      resourceType: 'Instance',
      resourceRole: 'TARGET',
      actionType: 'NETWORK_CONNECTION',
      consoleUrl: CONSOLE_URL,
      observables: ['198.51.100.23', '10.0.0.5', '203.0.113.10'],
    });
  });

  it.each([
    [
      'an access key',
      { resourceType: 'AccessKey', accessKeyDetails: { accessKeyId: 'ASIAEXAMPLE7Q3ZK4JXH' } },
      [['ASIAEXAMPLE7Q3ZK4JXH', 'AWS IAM access key']],
    ],
    [
      'a principal without access key id, by its role id only',
      {
        resourceType: 'AccessKey',
        accessKeyDetails: { principalId: 'AROAEXAMPLE5T2H9:jane@example.com' },
      },
      [['AROAEXAMPLE5T2H9', 'AWS IAM principal']],
    ],
    [
      'buckets by ARN, built from the name where missing',
      {
        resourceType: 'S3Bucket',
        s3BucketDetails: [{ arn: 'arn:aws:s3:::example-a' }, { name: 'example-b' }],
      },
      [
        ['arn:aws:s3:::example-a', 'AWS S3 bucket'],
        ['arn:aws:s3:::example-b', 'AWS S3 bucket'],
      ],
    ],
    [
      'an EKS cluster',
      {
        resourceType: 'EKSCluster',
        eksClusterDetails: { name: 'prod', arn: 'arn:aws:eks:us-east-1:123456789012:cluster/prod' },
      },
      [['arn:aws:eks:us-east-1:123456789012:cluster/prod', 'AWS EKS cluster']],
    ],
    [
      'an ECS cluster',
      {
        resourceType: 'ECSCluster',
        ecsClusterDetails: { arn: 'arn:aws:ecs:us-east-1:123456789012:cluster/web' },
      },
      [['arn:aws:ecs:us-east-1:123456789012:cluster/web', 'AWS ECS cluster']],
    ],
    [
      'an RDS instance by identifier when it has no ARN',
      {
        resourceType: 'RDSDBInstance',
        rdsDbInstanceDetails: { dbInstanceIdentifier: 'orders-db' },
      },
      [['orders-db', 'AWS RDS DB instance']],
    ],
    [
      'a Lambda function',
      {
        resourceType: 'Lambda',
        lambdaDetails: { functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:f' },
      },
      [['arn:aws:lambda:us-east-1:123456789012:function:f', 'AWS Lambda function']],
    ],
    [
      'the account when no resource is named',
      { resourceType: 'AttackSequence' },
      [['123456789012', 'AWS account']],
    ],
  ])('names %s', (_case, resource, expected) => {
    const { records } = run(guardDutyFinding({ resource }, { action: {} }));

    const cis = records.flatMap((record) =>
      record.kind === 'ci_enrichment' ? [[record.ci, record.ciClass]] : [],
    );
    expect(cis).toEqual(expected);
  });

  it('builds bucket ARNs in the finding partition', () => {
    const { records } = run(
      guardDutyFinding(
        { partition: 'aws-cn', resource: { s3BucketDetails: [{ name: 'example-c' }] } },
        { action: {} },
      ),
    );

    expect(records[0]).toMatchObject({ kind: 'ci_enrichment', ci: 'arn:aws-cn:s3:::example-c' });
  });

  it('takes the account from the event when the finding lacks it', () => {
    const { records } = recordsAndSkips(
      guardDutySource,
      guardDutyEvent(guardDutyFinding({ accountId: undefined, resource: {} }, { action: {} }), {
        account: '210987654321',
      }),
    );

    expect(records).toMatchObject([{ kind: 'ci_enrichment', ci: '210987654321' }]);
  });

  it('takes the account from the finding ARN as a last resort', () => {
    const { records } = recordsAndSkips(
      guardDutySource,
      guardDutyEvent(guardDutyFinding({ accountId: undefined, resource: {} }, { action: {} }), {
        account: undefined,
      }),
    );

    expect(records).toMatchObject([{ kind: 'ci_enrichment', ci: '123456789012' }]);
  });

  it('rejects a finding with no resource and no account', () => {
    const { result } = runWithSkips(
      guardDutySource,
      guardDutyEvent(guardDutyFinding({ accountId: undefined, arn: undefined, resource: {} }), {
        account: undefined,
      }),
    );

    expect(result.outcome).toBe('rejected');
    if (result.outcome !== 'rejected') return;
    expect(result.error.path).toEqual(['detail', 'accountId']);
    expect(result.error.message).toContain(`"${FINDING_ID}" names no resource`);
  });
});

describe('guardduty observables', () => {
  it('gives an enrichment per address with its roles and scope', () => {
    const { records } = run(guardDutyFinding());

    const remote = recordFor(records, 'observable_enrichment', '198.51.100.23');
    expect(remote.summary).toBe(
      '198.51.100.23 is the remote address in GuardDuty Medium finding ' +
        `UnauthorizedAccess:EC2/SSHBruteForce on ${INSTANCE_ID}.`,
    );
    expect(remote.details).toMatchObject({
      roles: ['remote'],
      ipScope: 'documentation',
      connectionDirection: 'INBOUND',
      protocol: 'TCP',
      remotePort: 51234,
      asn: '64500',
      asnOrg: 'EXAMPLE-NET',
      country: 'Netherlands',
      findingId: FINDING_ID,
      consoleUrl: CONSOLE_URL,
      resources: [INSTANCE_ID],
    });
    const local = recordFor(records, 'observable_enrichment', '10.0.0.5');
    expect(local.details).toMatchObject({
      roles: ['local', 'resource'],
      ipScope: 'private',
      localPort: 22,
    });
    const publicIp = recordFor(records, 'observable_enrichment', '203.0.113.10');
    expect(publicIp.details).toMatchObject({ roles: ['resource'] });
  });

  it('reads the domain name of a DNS request', () => {
    const { records } = run(
      guardDutyFinding(
        { type: 'Recon:EC2/DNSRequest', resource: {} },
        {
          action: {
            actionType: 'DNS_REQUEST',
            dnsRequestAction: { domain: 'Lookup.Example.NET.', protocol: 'UDP' },
          },
        },
      ),
    );

    const domain = recordFor(records, 'observable_enrichment', 'lookup.example.net');
    expect(domain.observable.type).toBe('domain');
    expect(domain.details).toMatchObject({ roles: ['queried_domain'], protocol: 'UDP' });
  });

  it.each([
    [
      'an API call',
      {
        actionType: 'AWS_API_CALL',
        awsApiCallAction: { api: 'ListBuckets', remoteIpDetails: { ipAddressV4: '198.51.100.40' } },
      },
    ],
    [
      'a Kubernetes API call',
      { kubernetesApiCallAction: { remoteIpDetails: { ipAddressV4: '198.51.100.40' } } },
    ],
    [
      'an RDS login attempt',
      { rdsLoginAttemptAction: { remoteIpDetails: { ipAddressV4: '198.51.100.40' } } },
    ],
    [
      'a port probe',
      {
        portProbeAction: {
          portProbeDetails: [{ remoteIpDetails: { ipAddressV4: '198.51.100.40' } }],
        },
      },
    ],
  ])('reads the remote address of %s', (_case, action) => {
    const { records } = run(guardDutyFinding({ resource: {} }, { action }));

    expect(recordFor(records, 'observable_enrichment', '198.51.100.40').details).toMatchObject({
      roles: ['remote'],
    });
  });

  it.each([
    [
      'an IPv4-mapped IPv6 address as IPv4',
      { ipAddressV4: '::ffff:198.51.100.5' },
      'ipv4',
      '198.51.100.5',
    ],
    [
      'an IPv6 address compressed and lower-cased',
      { ipAddressV6: '2001:DB8:0:0::5' },
      'ipv6',
      '2001:db8::5',
    ],
  ])('reads %s', (_case, remote, type, value) => {
    const { records } = run(guardDutyFinding({ resource: {} }, { action: networkAction(remote) }));

    expect(recordFor(records, 'observable_enrichment', value).observable).toEqual({ type, value });
  });

  it('ignores the placeholder addresses 0.0.0.0 and empty strings', () => {
    const { records, skips } = run(
      guardDutyFinding(
        { resource: {} },
        { action: networkAction({ ipAddressV4: '0.0.0.0', ipAddressV6: '' }) },
      ),
    );

    const values = records.flatMap((record) =>
      'observable' in record ? [record.observable.value] : [],
    );
    expect(values).toEqual(['10.0.0.5']);
    expect(skips).toEqual([]);
  });

  it('reports a value that is no address and keeps the finding', () => {
    const { records, skips } = run(
      guardDutyFinding({}, { action: networkAction({ ipAddressV4: 'GeneratedFindingIP' }) }),
    );

    expect(records[0]?.kind).toBe('ci_enrichment');
    expect(skips).toEqual([
      {
        reason: 'invalid_observable',
        detail: {
          findingId: FINDING_ID,
          path: 'detail.service.action.networkConnectionAction.remoteIpDetails.ipAddressV4',
          value: 'GeneratedFindingIP',
          reason: '"GeneratedFindingIP" is not an IP address.',
        },
      },
    ]);
  });

  it('keeps at most 50 observables and reports the rest', () => {
    const portProbeDetails = Array.from({ length: 60 }, (_, index) => ({
      remoteIpDetails: { ipAddressV4: `198.51.100.${index + 1}` },
    }));

    const { records, skips } = run(
      guardDutyFinding(
        { resource: { instanceDetails: { instanceId: INSTANCE_ID } } },
        {
          action: { portProbeAction: { portProbeDetails } },
        },
      ),
    );

    expect(records.filter((record) => record.kind === 'observable_enrichment')).toHaveLength(50);
    expect(skips).toEqual([
      { reason: 'observable_limit', detail: { findingId: FINDING_ID, omitted: 10, limit: 50 } },
    ]);
  });
});

describe('guardduty verdicts', () => {
  it('gives no lookup result for a finding about behaviour', () => {
    const { records } = run(guardDutyFinding());

    expect(findingsOf(records)).toEqual({});
  });

  it('judges the remote address of a threat-list finding Malicious', () => {
    const { records } = run(
      guardDutyFinding(
        { type: 'UnauthorizedAccess:EC2/MaliciousIPCaller.Custom' },
        {
          evidence: {
            threatIntelligenceDetails: [
              { threatListName: 'ExampleList', threatNames: ['ExampleBot'] },
            ],
          },
        },
      ),
    );

    expect(findingsOf(records)).toEqual({ '198.51.100.23': 'Malicious' });
    const lookup = recordFor(records, 'threat_lookup_result', '198.51.100.23');
    expect(lookup).toMatchObject({
      source: 'AWS GuardDuty',
      reportUrl: CONSOLE_URL,
      lookedUpAt: '2025-05-30T09:15:42.531Z',
      summary:
        'The GuardDuty finding UnauthorizedAccess:EC2/MaliciousIPCaller.Custom cites threat ' +
        'intelligence (threat list ExampleList; threat ExampleBot).',
    });
    expect(lookup.rawPayload).toBeUndefined();
  });

  it('judges the queried domain of a C&C finding Malicious', () => {
    const { records } = run(
      guardDutyFinding(
        { type: 'Backdoor:EC2/C&CActivity.B!DNS' },
        {
          action: { dnsRequestAction: { domain: 'c2.example.net' } },
        },
      ),
    );

    expect(findingsOf(records)).toEqual({ 'c2.example.net': 'Malicious' });
  });

  it('judges a threat-list finding Malicious whatever its type', () => {
    const { records } = run(
      guardDutyFinding({}, { additionalInfo: { threatListName: 'OlderFindingList' } }),
    );

    expect(findingsOf(records)).toEqual({ '198.51.100.23': 'Malicious' });
  });

  it('keeps Malicious off a private remote address', () => {
    const { records } = run(
      guardDutyFinding(
        { type: 'Trojan:EC2/DropPoint' },
        { action: networkAction({ ipAddressV4: '10.20.30.40' }) },
      ),
    );

    const lookup = recordFor(records, 'threat_lookup_result', '10.20.30.40');
    expect(lookup.finding).toBe('Unknown');
    expect(lookup.summary).toContain('10.20.30.40 is a private address');
  });

  it('gives local and resource addresses no verdict', () => {
    const { records } = run(guardDutyFinding({ type: 'CryptoCurrency:EC2/BitcoinTool.B' }));

    expect(Object.keys(findingsOf(records))).toEqual(['198.51.100.23']);
  });
});

describe('guardduty skips', () => {
  it.each([
    [
      'a sample finding',
      { additionalInfo: { sample: true } },
      'sample_finding',
      'detail.service.additionalInfo.sample',
    ],
    [
      'a sample flag written as text',
      { additionalInfo: { sample: 'true' } },
      'sample_finding',
      'detail.service.additionalInfo.sample',
    ],
    ['an archived finding', { archived: true }, 'archived_finding', 'detail.service.archived'],
  ])('skips %s', (_case, service, reason, path) => {
    const { records, skips } = run(guardDutyFinding({}, service));

    expect(records).toEqual([]);
    expect(skips).toEqual([
      {
        reason,
        detail: {
          findingId: FINDING_ID,
          findingType: 'UnauthorizedAccess:EC2/SSHBruteForce',
          path,
        },
      },
    ]);
  });

  it('records a finding whose sample flag is false', () => {
    const { records } = run(guardDutyFinding({}, { additionalInfo: { sample: false } }));

    expect(records.length).toBeGreaterThan(0);
  });

  it('records the other findings of a list', () => {
    const { records, skips } = recordsAndSkips(guardDutySource, {
      findings: [guardDutyFinding({}, { archived: true }), guardDutyFinding({ id: 'second' })],
    });

    expect(skips.map((skip) => skip.detail.path)).toEqual(['findings[0].service.archived']);
    expect(firstCi(records).details).toMatchObject({ findingId: 'second' });
  });
});

describe('guardduty personal data and links', () => {
  it('keeps user names, descriptions and tags out of records', () => {
    const finding = guardDutyFinding(
      {
        type: 'UnauthorizedAccess:IAMUser/MaliciousIPCaller',
        title:
          'API ListBuckets was invoked from an IP address on a threat list by jane.doe@example.com.',
        resource: {
          resourceType: 'AccessKey',
          accessKeyDetails: {
            accessKeyId: 'ASIAEXAMPLE7Q3ZK4JXH',
            principalId: 'AROAEXAMPLE5T2H9:jane.doe@example.com',
            userName: 'jane.doe@example.com',
          },
        },
      },
      {},
    );

    const { records } = run(finding);

    const serialized = JSON.stringify(records);
    expect(serialized).not.toContain('jane.doe');
    expect(serialized).not.toContain('Description text');
    expect(serialized).not.toContain('owner-tag-value');
    expect(firstCi(records).summary).toContain('on a threat list by [name removed].');
  });

  it('bounds summaries and details of a huge title', () => {
    const title = `${'A very long title. '.repeat(10_000)}\nsecond line`;

    const { records } = run(guardDutyFinding({ title }));

    for (const record of records) {
      expect(record.kind === 'enrichment_mapping' ? 0 : record.summary?.length).toBeLessThanOrEqual(
        1000,
      );
      expect(record.kind === 'enrichment_mapping' ? '' : record.summary).not.toContain('\n');
      expect(JSON.stringify('details' in record ? record.details : {}).length).toBeLessThanOrEqual(
        16_000,
      );
    }
  });

  it('links no console when the region is not a region code', () => {
    const { records } = run(guardDutyFinding({ region: 'evil.example.com/x' }));

    expect(firstCi(records).details?.consoleUrl).toBeUndefined();
    expect(JSON.stringify(records)).not.toContain('console.aws.amazon.com');
  });

  it.each([
    [
      'the event time',
      { updatedAt: undefined, createdAt: undefined },
      {},
      '2025-05-30T09:15:43.000Z',
    ],
    [
      'the receive time',
      { updatedAt: 'yesterday', createdAt: undefined },
      { time: undefined },
      RECEIVED_AT.toISOString(),
    ],
  ])('dates records by %s without a finding date', (_case, overrides, envelope, expected) => {
    const { records } = recordsAndSkips(
      guardDutySource,
      guardDutyEvent(guardDutyFinding(overrides), envelope),
    );

    expect(records[0]).toMatchObject({ enrichedAt: expected });
  });
});
