import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { guardDutyPayloadSchema } from '../../../functions/sources/guardduty/schema.ts';
import { guardDutyEvent, guardDutyFinding } from './fixtures.ts';

function issuesOf(json: unknown) {
  const result = guardDutyPayloadSchema.safeParse(json);
  if (result.success) throw new Error('expected the schema to reject the payload');
  return result.error.issues;
}

describe('guardDutyPayloadSchema', () => {
  it.each([
    ['a finding without id', guardDutyEvent(guardDutyFinding({ id: undefined })), ['detail', 'id']],
    ['a finding without type', guardDutyFinding({ type: undefined }), ['type']],
    [
      'a severity above 10',
      guardDutyEvent(guardDutyFinding({ severity: 11 })),
      ['detail', 'severity'],
    ],
    ['a severity written as text', guardDutyFinding({ severity: 'HIGH' }), ['severity']],
    [
      'the second finding of a list',
      { findings: [guardDutyFinding(), { id: 'x', severity: 1 }] },
      ['findings', 1, 'type'],
    ],
    ['a bare list item', [guardDutyFinding({ id: 7 })], [0, 'id']],
    [
      'an event from another service',
      guardDutyEvent(guardDutyFinding(), { source: 'aws.securityhub' }),
      ['source'],
    ],
    [
      'an event of another detail-type',
      guardDutyEvent(guardDutyFinding(), { 'detail-type': 'GuardDuty Runtime Finding' }),
      ['detail-type'],
    ],
    ['an event whose detail is no object', guardDutyEvent('finding'), ['detail']],
    [
      'a port that is not a number',
      guardDutyFinding(
        {},
        { action: { networkConnectionAction: { localPortDetails: { port: '22' } } } },
      ),
      ['service', 'action', 'networkConnectionAction', 'localPortDetails', 'port'],
    ],
  ])('names the path of %s', (_case, json, path) => {
    const issues = issuesOf(json);

    expect(issues.map((issue) => issue.path)).toContainEqual(path);
  });

  it('rejects an event of another service by name', () => {
    const [issue] = issuesOf(guardDutyEvent(guardDutyFinding(), { source: 'aws.securityhub' }));

    expect(issue?.message).toBe('The event\'s source "aws.securityhub" is not "aws.guardduty".');
  });

  it('rejects JSON that is not an object or array', () => {
    const [issue] = issuesOf('a finding');

    expect(issue?.path).toEqual([]);
    expect(issue?.message).toContain('Expected a GuardDuty finding');
  });

  it.each([
    [
      'GetFindings output of the AWS CLI',
      { Findings: [{ Id: 'x', Type: 'Recon:EC2/PortProbeUnprotectedPort' }] },
      ['Findings'],
    ],
    [
      'a finding in SDK casing',
      { Id: 'x', Type: 'Recon:EC2/PortProbeUnprotectedPort', Severity: 2 },
      ['Type'],
    ],
  ])('tells the sender how to send %s', (_case, json, path) => {
    const [issue] = issuesOf(json);

    expect(issue?.path).toEqual(path);
    expect(issue?.message).toContain('camelCase members');
  });

  it('points a Security Hub finding to the securityhub source', () => {
    const [issue] = issuesOf({
      SchemaVersion: '2018-10-08',
      Id: 'x',
      ProductArn: 'arn:aws:securityhub:us-east-1::product/aws/guardduty',
    });

    expect(issue?.path).toEqual(['ProductArn']);
    expect(issue?.message).toContain('Send it to the securityhub source');
  });

  it('prints paths a sender can follow', () => {
    const result = guardDutyPayloadSchema.safeParse(
      guardDutyEvent(guardDutyFinding({ severity: -1 })),
    );

    expect(z.prettifyError(result.error!)).toContain('at detail.severity');
  });

  it('keeps members it does not read', () => {
    const finding = guardDutyFinding({ newFeature: { enabled: true } });

    const parsed = guardDutyPayloadSchema.parse(finding);

    expect(parsed).toMatchObject({ newFeature: { enabled: true } });
  });

  it.each([
    [
      'a sample ASN written as a number',
      { action: { networkConnectionAction: { remoteIpDetails: { organization: { asn: -1 } } } } },
    ],
    ['null where GuardDuty writes null', { action: null, evidence: null }],
    ['a launch time in epoch milliseconds', {}],
  ])('accepts %s', (_case, service) => {
    const finding = guardDutyFinding(
      {
        resource: {
          instanceDetails: { instanceId: 'i-1', launchTime: 1492735675000, platform: null },
        },
      },
      service,
    );

    expect(guardDutyPayloadSchema.safeParse(finding).success).toBe(true);
  });
});
