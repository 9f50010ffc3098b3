import { describe, expect, it } from 'vitest';
import {
  awsServiceError,
  guardDutyFindingUrl,
  isAwsErrorBody,
  parseArn,
  securityHubFindingUrl,
} from '../../../functions/sources/shared/aws.ts';
import {
  asffSeverityLabel,
  guardDutySeverityLabel,
} from '../../../functions/sources/shared/aws-severity.ts';
import { guardDutyThreatIntelVerdict } from '../../../functions/sources/shared/guardduty-threat-intel.ts';

describe('parseArn', () => {
  it.each([
    [
      'arn:aws:s3:::example-bucket',
      { partition: 'aws', service: 's3', region: '', accountId: '', resource: 'example-bucket' },
    ],
    [
      'arn:aws-us-gov:ec2:us-gov-west-1:123456789012:instance/i-0a1b2c3d4e5f60718',
      {
        partition: 'aws-us-gov',
        service: 'ec2',
        region: 'us-gov-west-1',
        accountId: '123456789012',
        resource: 'instance/i-0a1b2c3d4e5f60718',
      },
    ],
    [
      'arn:aws:iam::aws:policy/ReadOnlyAccess',
      {
        partition: 'aws',
        service: 'iam',
        region: '',
        accountId: 'aws',
        resource: 'policy/ReadOnlyAccess',
      },
    ],
  ])('splits %s', (arn, expected) => {
    expect(parseArn(arn)).toEqual(expected);
  });

  it.each([
    'arn:aws::ec2:us-east-1:123456789012:instance/i-1',
    'AWS::::Account:123456789012',
    'arn:aws:s3',
    '',
  ])('rejects %j', (value) => {
    expect(parseArn(value)).toBeUndefined();
  });
});

describe('console links', () => {
  it.each([
    [
      { region: 'eu-west-1' },
      'https://eu-west-1.console.aws.amazon.com/guardduty/home?region=eu-west-1#/findings?macros=current&fId=abc',
    ],
    [
      { partition: 'aws-cn', region: 'cn-north-1' },
      'https://console.amazonaws.cn/guardduty/home?region=cn-north-1#/findings?macros=current&fId=abc',
    ],
    [
      { partition: 'aws-us-gov', region: 'us-gov-west-1' },
      'https://console.amazonaws-us-gov.com/guardduty/home?region=us-gov-west-1#/findings?macros=current&fId=abc',
    ],
  ])('links a GuardDuty finding in %j', (location, expected) => {
    expect(guardDutyFindingUrl(location, 'abc')).toBe(expected);
  });

  it.each([
    { region: 'evil.example.com#' },
    { region: undefined },
    { partition: 'aws-iso', region: 'us-iso-east-1' },
  ])('links nothing for %j', (location) => {
    expect(guardDutyFindingUrl(location, 'abc')).toBeUndefined();
    expect(securityHubFindingUrl(location, 'abc')).toBeUndefined();
  });

  it('filters the Security Hub findings list by the encoded id', () => {
    const url = securityHubFindingUrl({ region: 'us-east-1' }, 'arn:aws:x/y');

    expect(url).toBe(
      'https://us-east-1.console.aws.amazon.com/securityhub/home?region=us-east-1' +
        '#/findings?search=Id%3D%255Coperator%255C%253AEQUALS%255C%253Aarn%253Aaws%253Ax%252Fy',
    );
  });
});

describe('AWS error bodies', () => {
  it.each([
    [{ message: 'Missing Authentication Token' }, true],
    [{ __type: 'AccessDeniedException', message: 'denied' }, true],
    [{ Code: 'InvalidAccessException', Message: 'not subscribed' }, true],
    [{ id: 'x', message: 'a finding with a message member' }, false],
    [{ detail: {}, message: 'x' }, false],
    [['message'], false],
  ])('tells %j apart', (body, expected) => {
    expect(isAwsErrorBody(body)).toBe(expected);
  });

  it('names the error code without its namespace', () => {
    const error = awsServiceError('AWS GuardDuty', {
      __type: 'com.amazonaws.guardduty#AccessDeniedException',
      message: 'User is not authorized',
    });

    expect(error.message).toMatch(
      /^AWS GuardDuty returned AccessDeniedException: "User is not authorized"\. /,
    );
    expect(error.path).toEqual(['__type']);
  });
});

describe('severity bands', () => {
  it.each([
    [0.5, 'Low'],
    [1, 'Low'],
    [3.9, 'Low'],
    [4, 'Medium'],
    [6.9, 'Medium'],
    [7, 'High'],
    [8.9, 'High'],
    [9, 'Critical'],
    [10, 'Critical'],
  ])('bands GuardDuty score %d as %s', (score, label) => {
    expect(guardDutySeverityLabel(score)).toBe(label);
  });

  it.each([
    ['CRITICAL', 10, 'Critical'],
    ['INFORMATIONAL', 90, 'Informational'],
    [undefined, 0, 'Informational'],
    [undefined, 1, 'Low'],
    [undefined, 39, 'Low'],
    [undefined, 40, 'Medium'],
    [undefined, 69, 'Medium'],
    [undefined, 70, 'High'],
    [undefined, 89, 'High'],
    [undefined, 90, 'Critical'],
    [undefined, undefined, undefined],
  ] as const)('labels ASFF Label %s Normalized %s as %s', (label, normalized, expected) => {
    expect(asffSeverityLabel(label, normalized)).toBe(expected);
  });
});

describe('guardDutyThreatIntelVerdict', () => {
  const noEvidence = { threatListNames: [], threatNames: [] };

  it.each([
    ['UnauthorizedAccess:EC2/MaliciousIPCaller.Custom', 'Malicious'],
    ['Recon:IAMUser/MaliciousIPCaller', 'Malicious'],
    ['Discovery:S3/MaliciousIPCaller', 'Malicious'],
    ['Backdoor:EC2/C&CActivity.B', 'Malicious'],
    ['Backdoor:EC2/C&CActivity.B!DNS', 'Malicious'],
    ['Backdoor:Runtime/C&CActivity.B', 'Malicious'],
    ['CryptoCurrency:EC2/BitcoinTool.B!DNS', 'Malicious'],
    ['CryptoCurrency:Runtime/BitcoinTool.B', 'Malicious'],
    ['Impact:EC2/BitcoinDomainRequest.Reputation', 'Malicious'],
    ['Trojan:EC2/DropPoint', 'Malicious'],
    ['Impact:EC2/MaliciousDomainRequest.Reputation', 'Malicious'],
    ['Impact:EC2/SuspiciousDomainRequest.Reputation', 'Suspicious'],
    ['Impact:EC2/AbusedDomainRequest.Reputation', 'Suspicious'],
    ['UnauthorizedAccess:EC2/SSHBruteForce', undefined],
    ['Recon:EC2/PortProbeUnprotectedPort', undefined],
    ['Backdoor:EC2/DenialOfService.Tcp', undefined],
    ['UnauthorizedAccess:EC2/TorClient', undefined],
    ['Policy:S3/BucketBlockPublicAccessDisabled', undefined],
  ])('judges %s as %s', (type, expected) => {
    expect(guardDutyThreatIntelVerdict(type, noEvidence)?.finding).toBe(expected);
  });

  it('judges any finding that cites a threat list Malicious', () => {
    const verdict = guardDutyThreatIntelVerdict('UnauthorizedAccess:EC2/SSHBruteForce', {
      threatListNames: ['ExampleList'],
      threatNames: [],
    });

    expect(verdict).toEqual({
      finding: 'Malicious',
      reason:
        'The GuardDuty finding UnauthorizedAccess:EC2/SSHBruteForce cites threat intelligence (threat list ExampleList).',
    });
  });
});
