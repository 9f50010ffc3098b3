import { gunzipSync } from 'node:zlib';
import { COMPRESSED_CONFIG_PREFIX } from '../../functions/config/load.ts';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../functions/config/load.ts';
import type { RelayConfigInput } from '../../functions/config/schema.ts';
import { addRelayStack } from '../../infra/relay-app.ts';
import { SKIP_BUNDLING, synthRelayStack } from '../infra/synth.ts';
import {
  actionsOf,
  functionLogicalId,
  grantedSecretNames,
  resourcesOf,
  roleStatements,
  statementsFor,
} from '../infra/template-queries.ts';

const PULLS: RelayConfigInput = {
  pulls: {
    jobs: [
      { id: 'threatfox-recent', source: 'threatfox', secretName: 'secops-relay/pull/threatfox' },
      {
        id: 'urlhaus-recent',
        source: 'urlhaus',
        secretName: 'secops-relay/pull/urlhaus',
        schedule: 'rate(30 minutes)',
      },
      { id: 'abuseipdb-blacklist', source: 'abuseipdb', secretName: 'secops-relay/pull/abuseipdb' },
      {
        id: 'otx-subscribed',
        source: 'otx',
        secretName: 'secops-relay/pull/otx',
        schedule: 'cron(5 * * * ? *)',
      },
      {
        id: 'virustotal-watchlist',
        source: 'virustotal',
        secretName: 'secops-relay/pull/virustotal',
        observables: ['malware.example.com', '192.0.2.10'],
      },
      { id: 'paused', source: 'otx', secretName: 'secops-relay/pull/paused', enabled: false },
    ],
  },
};

const workDir = mkdtempSync(join(tmpdir(), 'relay-pull-infra-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

let template: Template;
beforeAll(() => {
  template = synthRelayStack(PULLS).template;
});

const pullFunctionId = () => functionLogicalId(template, 'RelayPullsPull');

function environmentOf(functionId: string): Record<string, unknown> {
  return template.findResources('AWS::Lambda::Function')[functionId]!.Properties.Environment
    .Variables;
}

/** The configuration as the CDK app wrote it, before the function's schema fills in defaults. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the test reads arbitrary keys of the JSON
function decodeEnvironmentConfig(value: unknown): Record<string, any> {
  const text = String(value);
  if (!text.startsWith(COMPRESSED_CONFIG_PREFIX))
    return JSON.parse(text) as Record<string, unknown>;
  const compressed = Buffer.from(text.slice(COMPRESSED_CONFIG_PREFIX.length), 'base64');
  return JSON.parse(gunzipSync(compressed).toString('utf8')) as Record<string, unknown>;
}

describe('pull infrastructure', () => {
  it('creates an on-demand table with PITR and TTL that outlives the stack', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: {
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      },
    });
  });

  it('schedules each enabled job with its id as input', () => {
    const schedules = Object.values(template.findResources('AWS::Scheduler::Schedule'));
    const byJob = Object.fromEntries(
      schedules.map((schedule) => [
        JSON.parse(schedule.Properties.Target.Input).jobId,
        schedule.Properties,
      ]),
    );

    expect(Object.keys(byJob).sort()).toEqual([
      'abuseipdb-blacklist',
      'otx-subscribed',
      'threatfox-recent',
      'urlhaus-recent',
      'virustotal-watchlist',
    ]);
    expect(byJob['urlhaus-recent'].ScheduleExpression).toBe('rate(30 minutes)');
    expect(byJob['otx-subscribed'].ScheduleExpression).toBe('cron(5 * * * ? *)');
    expect(byJob['abuseipdb-blacklist'].ScheduleExpression).toBe('rate(6 hours)');
    expect(byJob['threatfox-recent'].Target).toMatchObject({
      Arn: { 'Fn::GetAtt': [pullFunctionId(), 'Arn'] },
      RetryPolicy: { MaximumRetryAttempts: 0 },
    });
  });

  it('lets the pull function read only its jobs secrets', () => {
    const statements = roleStatements(template, pullFunctionId());

    expect(grantedSecretNames(statements)).toEqual([
      'secops-relay/pull/abuseipdb',
      'secops-relay/pull/otx',
      'secops-relay/pull/threatfox',
      'secops-relay/pull/urlhaus',
      'secops-relay/pull/virustotal',
    ]);
  });

  it('lets the pull function use only its table and the delivery queue', () => {
    const statements = roleStatements(template, pullFunctionId());
    const tableId = Object.keys(template.findResources('AWS::DynamoDB::Table')).find((id) =>
      id.startsWith('RelayPulls'),
    )!;

    const dynamo = statementsFor(statements, 'dynamodb');
    expect(dynamo.flatMap(actionsOf).sort()).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
    ]);
    expect(dynamo.flatMap(resourcesOf)).toEqual([{ 'Fn::GetAtt': [tableId, 'Arn'] }]);
    const sqs = statementsFor(statements, 'sqs');
    expect(sqs.flatMap(actionsOf)).toContain('sqs:SendMessage');
    expect(sqs.flatMap(resourcesOf)).toHaveLength(1);
    expect(JSON.stringify(sqs.flatMap(resourcesOf))).toMatch(/RelayDeliveryQueue/);
    expect(JSON.stringify(sqs.flatMap(resourcesOf))).not.toMatch(/DeadLetter/);
    for (const action of statements.flatMap(actionsOf)) expect(action).not.toContain('*');
  });

  it('lets the scheduler invoke only the pull function', () => {
    const roles = template.findResources('AWS::IAM::Role', {
      Properties: {
        AssumeRolePolicyDocument: {
          Statement: [Match.objectLike({ Principal: { Service: 'scheduler.amazonaws.com' } })],
        },
      },
    });
    const [roleId] = Object.keys(roles);
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) =>
      JSON.stringify(policy.Properties.Roles).includes(roleId!),
    );
    const statements = policies.flatMap((policy) => policy.Properties.PolicyDocument.Statement);

    expect(Object.keys(roles)).toHaveLength(1);
    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: 'lambda:InvokeFunction',
        Resource: { 'Fn::GetAtt': [pullFunctionId(), 'Arn'] },
      },
    ]);
  });

  it('keeps pull jobs out of the other functions environments', () => {
    const pullEnvironment = environmentOf(pullFunctionId());
    const pullConfig = decodeEnvironmentConfig(pullEnvironment.SECOPS_RELAY_CONFIG);
    const ingestConfig = decodeEnvironmentConfig(
      environmentOf(functionLogicalId(template, 'RelayIngest')).SECOPS_RELAY_CONFIG,
    );

    expect(pullEnvironment).toHaveProperty('PULL_STATE_TABLE');
    expect(pullEnvironment).toHaveProperty('DELIVERY_QUEUE_URL');
    expect(pullConfig.pulls.jobs).toHaveLength(6);
    expect(pullConfig).not.toHaveProperty('records');
    expect(ingestConfig).not.toHaveProperty('pulls');
    expect(ingestConfig).toHaveProperty('records');
  });

  it('outputs the pull table name', () => {
    const outputs = template.findOutputs('PullStateTableName');

    expect(Object.keys(outputs)).toHaveLength(1);
  });

  it('alarms when a pull run fails', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: pullFunctionId() } }],
      Threshold: 0,
    });
  });

  it('adds nothing without enabled jobs', () => {
    const { template: plain } = synthRelayStack({
      pulls: { jobs: [{ id: 'paused', source: 'otx', secretName: 's', enabled: false }] },
    });

    expect(Object.keys(plain.findResources('AWS::Scheduler::Schedule'))).toHaveLength(0);
    expect(
      Object.keys(plain.findResources('AWS::Lambda::Function')).some((id) =>
        id.startsWith('RelayPulls'),
      ),
    ).toBe(false);
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['a loopback test server', { api: { baseUrl: 'http://127.0.0.1:4010' } }, /uses http/],
    ['another host', { api: { baseUrl: 'https://threatfox.example.com' } }, /pulls\.allowedHosts/],
    ['a metadata address', { api: { baseUrl: 'https://169.254.169.254' } }, /names an IP address/],
  ])('rejects %s as a deployed base URL', (_name, extra, message) => {
    const input = {
      pulls: { jobs: [{ id: 'tf', source: 'threatfox' as const, secretName: 's', ...extra }] },
    };

    expect(() => synthRelayStack(input)).toThrow(ConfigError);
    expect(() => synthRelayStack(input)).toThrow(message);
  });

  it('accepts a proxy host listed in allowedHosts', () => {
    const input: RelayConfigInput = {
      pulls: {
        allowedHosts: ['ti-proxy.example.com'],
        jobs: [
          {
            id: 'tf',
            source: 'threatfox',
            secretName: 's',
            api: { baseUrl: 'https://ti-proxy.example.com' },
          },
        ],
      },
    };

    expect(() => synthRelayStack(input)).not.toThrow();
  });

  it('deploys the example jobs of relay.config.json with no cdk-nag finding', () => {
    const shipped = JSON.parse(readFileSync('relay.config.json', 'utf8')) as RelayConfigInput;
    const configPath = join(workDir, 'examples.json');
    writeFileSync(configPath, JSON.stringify({ pulls: shipped.pulls }));
    const outdir = join(workDir, 'examples.out');
    const app = new App({ outdir, context: { ...SKIP_BUNDLING, config: configPath } });
    addRelayStack(app);

    app.synth();

    const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as {
      pluginReports: Array<{ pluginName: string; violations: unknown[] }>;
    };
    const findings = report.pluginReports
      .filter((plugin) => plugin.pluginName === 'AwsSolutions')
      .flatMap((plugin) => plugin.violations);
    expect(findings).toEqual([]);
  });

  it('passes cdk-nag with every pull job', () => {
    const configPath = join(workDir, 'pulls.json');
    writeFileSync(
      configPath,
      JSON.stringify({ ...PULLS, deployment: { alarms: { email: 'oncall@example.com' } } }),
    );
    const outdir = join(workDir, 'pulls.out');
    const app = new App({ outdir, context: { ...SKIP_BUNDLING, config: configPath } });
    addRelayStack(app);

    expect(() => app.synth()).not.toThrow();
  });
});
