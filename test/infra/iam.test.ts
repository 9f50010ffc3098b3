import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { FULL_CONFIG, synthRelayStack } from './synth.ts';
import {
  actionsOf,
  allStatements,
  functionLogicalId,
  grantedSecretNames,
  resourcesOf,
  roleStatements,
  statementsFor,
} from './template-queries.ts';

let template: Template;
beforeAll(() => {
  template = synthRelayStack(FULL_CONFIG).template;
});

/** Logical ids of the resources a set of statements names through Fn::GetAtt. */
function referencedResources(statements: ReturnType<typeof allStatements>): string[] {
  return statements
    .flatMap(resourcesOf)
    .map(
      (resource) =>
        (resource as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt']?.[0] ??
        JSON.stringify(resource),
    )
    .sort();
}

describe('IAM policies', () => {
  it('grant no wildcard action', () => {
    for (const statement of allStatements(template)) {
      for (const action of actionsOf(statement)) expect(action).not.toContain('*');
    }
  });

  it.each(['secretsmanager', 'sqs', 'logs'])('scope %s actions to named resources', (service) => {
    const statements = statementsFor(allStatements(template), service);
    expect(statements.length).toBeGreaterThan(0);
    for (const resource of statements.flatMap(resourcesOf)) {
      expect(resource).not.toBe('*');
      expect(JSON.stringify(resource)).not.toMatch(/[:/]\*"/);
    }
  });

  it('use "*" only for X-Ray, which has no resource-level permissions', () => {
    const wildcard = allStatements(template).filter((statement) =>
      resourcesOf(statement).includes('*'),
    );
    expect(wildcard.length).toBeGreaterThan(0);
    for (const statement of wildcard) {
      expect(actionsOf(statement).sort()).toEqual([
        'xray:PutTelemetryRecords',
        'xray:PutTraceSegments',
      ]);
    }
  });

  it('attach no AWS managed policy to the function roles', () => {
    for (const role of Object.values(template.findResources('AWS::IAM::Role'))) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });
});

describe('ingest role', () => {
  it('reads only the secrets of its webhook sources', () => {
    const statements = roleStatements(template, functionLogicalId(template, 'RelayIngest'));
    expect(grantedSecretNames(statements)).toEqual([
      'secops-relay/source/generic',
      'secops-relay/source/virustotal',
    ]);
  });

  it('sends to the delivery queue and the failed-event queue only', () => {
    const statements = roleStatements(template, functionLogicalId(template, 'RelayIngest'));
    const sqsStatements = statementsFor(statements, 'sqs');
    for (const statement of sqsStatements) {
      expect(actionsOf(statement)).not.toContain('sqs:ReceiveMessage');
      expect(actionsOf(statement)).not.toContain('sqs:DeleteMessage');
    }
    const targets = referencedResources(sqsStatements);
    expect(targets).toHaveLength(2);
    expect(targets[0]).toMatch(/^RelayDeliveryQueue/);
    expect(targets[1]).toMatch(/^RelayEventsFailedEventQueue/);
  });

  it('sends to the delivery queue only when no event rule exists', () => {
    const { template: webhooksOnly } = synthRelayStack({});
    const statements = statementsFor(
      roleStatements(webhooksOnly, functionLogicalId(webhooksOnly, 'RelayIngest')),
      'sqs',
    );
    const targets = referencedResources(statements);
    expect(targets).toHaveLength(1);
    expect(targets[0]).toMatch(/^RelayDeliveryQueue/);
  });
});

describe('forward role', () => {
  it('reads only the instance secret', () => {
    const statements = roleStatements(template, functionLogicalId(template, 'RelayForward'));
    expect(grantedSecretNames(statements)).toEqual(['secops-relay/instance']);
  });

  it('consumes the delivery queue and sends only to the DLQ', () => {
    const statements = statementsFor(
      roleStatements(template, functionLogicalId(template, 'RelayForward')),
      'sqs',
    );
    const consume = statements.filter((statement) =>
      actionsOf(statement).includes('sqs:ReceiveMessage'),
    );
    const send = statements.filter((statement) => actionsOf(statement).includes('sqs:SendMessage'));
    expect(referencedResources(consume)).toEqual([expect.stringMatching(/^RelayDeliveryQueue/)]);
    expect(referencedResources(send)).toEqual([
      expect.stringMatching(/^RelayDeliveryDeadLetterQueue/),
    ]);
  });
});
