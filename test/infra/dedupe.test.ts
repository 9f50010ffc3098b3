import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { FULL_CONFIG, synthRelayStack } from './synth.ts';
import {
  actionsOf,
  functionLogicalId,
  resourcesOf,
  roleStatements,
  statementsFor,
} from './template-queries.ts';

let template: Template;
let tableId: string;

beforeAll(() => {
  template = synthRelayStack(FULL_CONFIG).template;
  const tables = Object.entries(template.findResources('AWS::DynamoDB::Table')).filter(([id]) =>
    id.startsWith('RelayDedupe'),
  );
  expect(tables).toHaveLength(1);
  tableId = tables[0]![0];
});

describe('dedupe table', () => {
  it('is keyed by pk, on demand, with TTL and PITR', () => {
    const table = template.findResources('AWS::DynamoDB::Table')[tableId]!;
    expect(table.Properties).toMatchObject({
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
  });

  it.each(['RelayIngest', 'RelayForward'])('is named to %s', (prefix) => {
    const fn =
      template.findResources('AWS::Lambda::Function')[functionLogicalId(template, prefix)]!;
    expect(fn.Properties.Environment.Variables.DEDUPE_TABLE_NAME).toEqual({ Ref: tableId });
  });

  it.each(['RelayIngest', 'RelayForward'])('grants %s batch reads and writes only', (prefix) => {
    const statements = statementsFor(
      roleStatements(template, functionLogicalId(template, prefix)),
      'dynamodb',
    );
    expect(statements.flatMap(actionsOf).sort()).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:BatchWriteItem',
    ]);
    for (const resource of statements.flatMap(resourcesOf)) {
      expect(JSON.stringify(resource)).toContain(tableId);
      expect(JSON.stringify(resource)).not.toContain('*');
    }
  });
});
