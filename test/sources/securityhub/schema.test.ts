import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { securityHubPayloadSchema } from '../../../functions/sources/securityhub/schema.ts';
import { asffFinding, securityHubEvent } from './fixtures.ts';

function issuesOf(json: unknown) {
  const result = securityHubPayloadSchema.safeParse(json);
  if (result.success) throw new Error('expected the schema to reject the payload');
  return result.error.issues;
}

describe('securityHubPayloadSchema', () => {
  it.each([
    [
      'a finding without Id',
      securityHubEvent([asffFinding({ Id: undefined })]),
      ['detail', 'findings', 0, 'Id'],
    ],
    ['a finding without Resources', asffFinding({ Resources: undefined }), ['Resources']],
    [
      'a resource without Type',
      [asffFinding({ Resources: [{ Id: 'x' }] })],
      [0, 'Resources', 0, 'Type'],
    ],
    [
      'a resource without Id',
      { Findings: [asffFinding(), asffFinding({ Resources: [{ Type: 'AwsAccount' }] })] },
      ['Findings', 1, 'Resources', 0, 'Id'],
    ],
    [
      'a finding without Severity',
      { findings: [asffFinding({ Severity: undefined })] },
      ['findings', 0, 'Severity'],
    ],
    [
      'a Severity without Label or Normalized',
      asffFinding({ Severity: { Product: 4 } }),
      ['Severity', 'Label'],
    ],
    [
      'an unknown severity Label',
      asffFinding({ Severity: { Label: 'SEVERE' } }),
      ['Severity', 'Label'],
    ],
    [
      'a Normalized score above 100',
      asffFinding({ Severity: { Normalized: 140 } }),
      ['Severity', 'Normalized'],
    ],
    [
      'an event whose findings is no list',
      securityHubEvent([]) && { ...securityHubEvent([]), detail: { findings: {} } },
      ['detail', 'findings'],
    ],
    [
      'an event of another detail-type',
      securityHubEvent([asffFinding()], 'Security Hub Insight Results'),
      ['detail-type'],
    ],
    [
      'an event from another service',
      securityHubEvent([asffFinding()], undefined, { source: 'aws.guardduty' }),
      ['source'],
    ],
  ])('names the path of %s', (_case, json, path) => {
    const issues = issuesOf(json);

    expect(issues.map((issue) => issue.path)).toContainEqual(path);
  });

  it('accepts a finding without GeneratorId, Title, Types or timestamps', () => {
    const finding = asffFinding({
      GeneratorId: undefined,
      Title: undefined,
      Types: undefined,
      CreatedAt: undefined,
      UpdatedAt: undefined,
      SchemaVersion: undefined,
    });

    expect(securityHubPayloadSchema.safeParse(finding).success).toBe(true);
  });

  it('explains a Severity without Label or Normalized', () => {
    const [issue] = issuesOf(asffFinding({ Severity: {} }));

    expect(issue?.message).toContain('Severity needs a Label');
  });

  it('points a GuardDuty finding to the guardduty source', () => {
    const [issue] = issuesOf({
      schemaVersion: '2.0',
      id: 'x',
      type: 'Recon:EC2/Portscan',
      severity: 2,
    });

    expect(issue?.path).toEqual(['type']);
    expect(issue?.message).toContain('Send it to the guardduty source');
  });

  it('rejects JSON that is not an object or array', () => {
    const [issue] = issuesOf(42);

    expect(issue?.path).toEqual([]);
    expect(issue?.message).toContain('AWS Security Finding Format');
  });

  it('prints paths a sender can follow', () => {
    const result = securityHubPayloadSchema.safeParse(
      securityHubEvent([
        asffFinding({
          ProductFields: { 'aws/x': 'y' },
          Resources: [{ Type: 'AwsAccount', Id: '' }],
        }),
      ]),
    );

    expect(z.prettifyError(result.error!)).toContain('at detail.findings[0].Resources[0].Id');
  });

  it('keeps members it does not read', () => {
    const parsed = securityHubPayloadSchema.parse(
      asffFinding({ Vulnerabilities: [{ Id: 'CVE-2024-0001' }] }),
    );

    expect(parsed).toMatchObject({ Vulnerabilities: [{ Id: 'CVE-2024-0001' }] });
  });
});
