/** Builders of GuardDuty findings for the tests, shaped as GuardDuty writes them. */

export const FINDING_ID = 'a4c5e6f70812a3b4c5d6e7f8091a2b3c';
export const INSTANCE_ID = 'i-0a1b2c3d4e5f60718';

type Json = Record<string, unknown>;

/** Builds a network connection from a remote address to an instance, without threat intelligence. */
export function networkAction(remote: Json = { ipAddressV4: '198.51.100.23' }): Json {
  return {
    actionType: 'NETWORK_CONNECTION',
    networkConnectionAction: {
      connectionDirection: 'INBOUND',
      remoteIpDetails: {
        organization: { asn: '64500', asnOrg: 'EXAMPLE-NET', isp: 'Example ISP', org: 'Example' },
        country: { countryName: 'Netherlands' },
        ...remote,
      },
      remotePortDetails: { port: 51234, portName: 'Unknown' },
      localPortDetails: { port: 22, portName: 'SSH' },
      localIpDetails: { ipAddressV4: '10.0.0.5' },
      protocol: 'TCP',
      blocked: false,
    },
  };
}

/** Builds a GuardDuty finding about an instance, with `service` and top-level members replaced. */
export function guardDutyFinding(overrides: Json = {}, service: Json = {}): Json {
  return {
    schemaVersion: '2.0',
    accountId: '123456789012',
    region: 'us-east-1',
    partition: 'aws',
    id: FINDING_ID,
    arn: `arn:aws:guardduty:us-east-1:123456789012:detector/0ec5f0e2d1c4b3a29f8e7d6c5b4a3921/finding/${FINDING_ID}`,
    type: 'UnauthorizedAccess:EC2/SSHBruteForce',
    resource: {
      resourceType: 'Instance',
      instanceDetails: {
        instanceId: INSTANCE_ID,
        networkInterfaces: [
          {
            ipv6Addresses: [],
            privateIpAddress: '10.0.0.5',
            privateIpAddresses: [{ privateIpAddress: '10.0.0.5' }],
            publicIp: '203.0.113.10',
          },
        ],
        tags: [{ key: 'Owner', value: 'owner-tag-value' }],
      },
    },
    service: {
      serviceName: 'guardduty',
      detectorId: '0ec5f0e2d1c4b3a29f8e7d6c5b4a3921',
      action: networkAction(),
      resourceRole: 'TARGET',
      additionalInfo: {},
      eventFirstSeen: '2025-05-30T08:02:11Z',
      eventLastSeen: '2025-05-30T09:05:37Z',
      archived: false,
      count: 41,
      ...service,
    },
    severity: 5,
    createdAt: '2025-05-30T08:10:45.112Z',
    updatedAt: '2025-05-30T09:15:42.531Z',
    title: `198.51.100.23 is performing SSH brute force attacks against ${INSTANCE_ID}.`,
    description: 'Description text that the relay does not forward.',
    ...overrides,
  };
}

/** Wraps a finding in a complete "GuardDuty Finding" EventBridge event. */
export function guardDutyEvent(detail: unknown, envelope: Json = {}): Json {
  return {
    version: '0',
    id: '6f8b4a52-93c1-4de7-a0f2-1b3c5d7e9f10',
    'detail-type': 'GuardDuty Finding',
    source: 'aws.guardduty',
    account: '123456789012',
    time: '2025-05-30T09:15:43Z',
    region: 'us-east-1',
    resources: [],
    detail,
    ...envelope,
  };
}
