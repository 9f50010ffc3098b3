import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { guardDutySource } from '../../../functions/sources/guardduty/index.ts';
import { runWithSkips } from '../shared/run-with-skips.ts';
import {
  findingAddress as address,
  itHandlesArbitraryFindings,
} from '../shared/aws-finding-properties.ts';

const timestamp = fc.oneof(
  fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
  fc.constantFrom('10000-01-01T00:00:00Z', '1969-12-31T23:59:59Z', 'yesterday'),
  fc.string(),
);
const remote = fc.record(
  {
    ipAddressV4: address,
    ipAddressV6: address,
    organization: fc.record({ asn: fc.oneof(fc.string(), fc.integer()) }),
  },
  { requiredKeys: [] },
);

const finding = fc.record(
  {
    id: fc.oneof(fc.stringMatching(/^[0-9a-f]{32}$/), fc.string()),
    type: fc.oneof(
      fc.constantFrom(
        'Backdoor:EC2/C&CActivity.B!DNS',
        'UnauthorizedAccess:IAMUser/MaliciousIPCaller',
        'Impact:EC2/SuspiciousDomainRequest.Reputation',
        'Recon:EC2/PortProbeUnprotectedPort',
      ),
      fc.string(),
    ),
    severity: fc.oneof(fc.double({ min: -1, max: 11 }), fc.integer({ min: 0, max: 10 })),
    accountId: fc.oneof(fc.stringMatching(/^\d{12}$/), fc.string()),
    region: fc.constantFrom('us-east-1', 'eu-west-1', 'not a region', ''),
    partition: fc.constantFrom('aws', 'aws-cn', 'aws-us-gov', 'x'),
    arn: fc.string(),
    title: fc.string({ maxLength: 6000 }),
    updatedAt: timestamp,
    createdAt: timestamp,
    resource: fc.record(
      {
        instanceDetails: fc.record(
          {
            instanceId: fc.string({ maxLength: 300 }),
            networkInterfaces: fc.array(
              fc.record(
                {
                  privateIpAddress: address,
                  publicIp: address,
                  ipv6Addresses: fc.array(address, { maxLength: 3 }),
                },
                { requiredKeys: [] },
              ),
              { maxLength: 3 },
            ),
          },
          { requiredKeys: [] },
        ),
        accessKeyDetails: fc.record(
          { accessKeyId: fc.string(), principalId: fc.string(), userName: fc.string() },
          { requiredKeys: [] },
        ),
        s3BucketDetails: fc.array(
          fc.record({ arn: fc.string(), name: fc.string() }, { requiredKeys: [] }),
          { maxLength: 2 },
        ),
      },
      { requiredKeys: [] },
    ),
    service: fc.record(
      {
        action: fc.record(
          {
            networkConnectionAction: fc.record(
              { remoteIpDetails: remote, localIpDetails: remote },
              { requiredKeys: [] },
            ),
            dnsRequestAction: fc.record({ domain: fc.oneof(fc.domain(), fc.string()) }),
            portProbeAction: fc.record({
              portProbeDetails: fc.array(fc.record({ remoteIpDetails: remote }), { maxLength: 60 }),
            }),
          },
          { requiredKeys: [] },
        ),
        additionalInfo: fc.record(
          { sample: fc.oneof(fc.boolean(), fc.string()), threatListName: fc.string() },
          { requiredKeys: [] },
        ),
        archived: fc.boolean(),
        count: fc.integer(),
        eventFirstSeen: timestamp,
        evidence: fc.record({
          threatIntelligenceDetails: fc.array(
            fc.record({
              threatListName: fc.string(),
              threatNames: fc.array(fc.string(), { maxLength: 3 }),
            }),
            { maxLength: 2 },
          ),
        }),
      },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: [] },
);

const payload = fc.oneof(
  fc.jsonValue(),
  finding,
  fc.array(finding, { maxLength: 3 }),
  fc.record({ findings: fc.array(finding, { maxLength: 3 }) }),
  fc.record(
    {
      source: fc.constantFrom('aws.guardduty', 'aws.other'),
      account: fc.string(),
      time: timestamp,
      detail: finding,
    },
    { requiredKeys: ['detail'] },
  ),
  fc.record({ __type: fc.string(), message: fc.string() }, { requiredKeys: [] }),
);

describe('guardduty on arbitrary input', () => {
  itHandlesArbitraryFindings(guardDutySource, { payload, finding });

  it('gives a skipped finding no records', () => {
    fc.assert(
      fc.property(finding, (json) => {
        const { result, skips } = runWithSkips(guardDutySource, json);
        if (result.outcome !== 'records') return;

        const skippedWhole = skips.some((skip) => skip.reason.endsWith('_finding'));
        if (skippedWhole) expect(result.records).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});
