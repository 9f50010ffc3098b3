import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFromEnv, parseConfig } from '../../functions/config/load.ts';
import { FULL_CONFIG, synthRelayStack } from './synth.ts';
import { functionLogicalId } from './template-queries.ts';

const CONFIG = {
  instance: { secretName: 'relay/instance' },
  sources: {
    virustotal: { secretName: 'relay/source/virustotal', auth: { type: 'token' as const } },
    generic: { secretName: 'relay/source/generic', auth: { type: 'hmac' as const } },
    retired: { enabled: false, secretName: 'relay/source/retired' },
    guardduty: { secretName: 'relay/source/guardduty' },
  },
  delivery: { maxReceiveCount: 7 },
  deployment: {
    logRetentionDays: 90,
    api: { throttlingRateLimit: 20, throttlingBurstLimit: 40 },
    forward: { timeoutSeconds: 90, batchSize: 25, maxBatchingWindowSeconds: 3, maxConcurrency: 4 },
  },
  local: { secrets: { 'relay/instance': { password: 'local-only-password' } } },
};

let template: Template;
beforeAll(() => {
  template = synthRelayStack(CONFIG).template;
});

describe('functions', () => {
  it('run nodejs22.x on arm64 with tracing and source maps', () => {
    const functions = template.findResources('AWS::Lambda::Function');
    expect(Object.keys(functions)).toHaveLength(2);
    for (const fn of Object.values(functions)) {
      expect(fn.Properties.Runtime).toBe('nodejs22.x');
      expect(fn.Properties.Architectures).toEqual(['arm64']);
      expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
      expect(fn.Properties.Environment.Variables.NODE_OPTIONS).toBe('--enable-source-maps');
      expect(fn.Properties.LoggingConfig.LogGroup).toEqual({ Ref: expect.any(String) });
    }
  });

  it('receive the configuration without its local section', () => {
    for (const fn of Object.values(template.findResources('AWS::Lambda::Function'))) {
      const deployed = loadConfigFromEnv({
        SECOPS_RELAY_CONFIG: fn.Properties.Environment.Variables.SECOPS_RELAY_CONFIG,
      });
      const expected = parseConfig(CONFIG);
      delete expected.local;
      expect(deployed).toEqual(expected);
    }
    expect(JSON.stringify(template.toJSON())).not.toContain('local-only-password');
  });

  it('get the queue URLs each one uses', () => {
    const ingest =
      template.findResources('AWS::Lambda::Function')[functionLogicalId(template, 'RelayIngest')]!;
    const forward =
      template.findResources('AWS::Lambda::Function')[functionLogicalId(template, 'RelayForward')]!;
    expect(Object.keys(ingest.Properties.Environment.Variables).sort()).toEqual([
      'DEDUPE_TABLE_NAME',
      'DELIVERY_QUEUE_URL',
      'NODE_OPTIONS',
      'SECOPS_RELAY_CONFIG',
    ]);
    expect(forward.Properties.Environment.Variables.DEAD_LETTER_QUEUE_URL).toEqual({
      Ref: expect.stringMatching(/^RelayDeliveryDeadLetterQueue/),
    });
    expect(forward.Properties.Timeout).toBe(90);
  });

  it('log to groups with the configured retention', () => {
    const groups = Object.values(template.findResources('AWS::Logs::LogGroup'));
    expect(groups).toHaveLength(3);
    for (const group of groups) expect(group.Properties.RetentionInDays).toBe(90);
  });
});

describe('delivery queues', () => {
  it('encrypt and enforce TLS on every queue', () => {
    const queues = template.findResources('AWS::SQS::Queue');
    expect(Object.keys(queues)).toHaveLength(3);
    for (const queue of Object.values(queues))
      expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
    const policies = Object.values(template.findResources('AWS::SQS::QueuePolicy'));
    expect(policies).toHaveLength(3);
    for (const policy of policies) {
      expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({
          Effect: 'Deny',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      );
    }
  });

  it('redrive to the DLQ after maxReceiveCount', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: Match.stringLikeRegexp('-delivery$'),
      RedrivePolicy: {
        deadLetterTargetArn: {
          'Fn::GetAtt': [Match.stringLikeRegexp('^RelayDeliveryDeadLetterQueue'), 'Arn'],
        },
        maxReceiveCount: 7,
      },
    });
  });

  it('keep a visibility timeout of at least six forward timeouts', () => {
    const delivery = Object.values(template.findResources('AWS::SQS::Queue')).find(
      (queue) => queue.Properties.RedrivePolicy !== undefined,
    )!;
    expect(delivery.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(6 * 90);
  });

  it('let the DLQ redrive only to the delivery queue', () => {
    const queues = template.findResources('AWS::SQS::Queue');
    const delivery = Object.values(queues).find(
      (queue) => queue.Properties.RedrivePolicy !== undefined,
    )!;
    const dlqId = delivery.Properties.RedrivePolicy.deadLetterTargetArn['Fn::GetAtt'][0] as string;
    const dlq = queues[dlqId]!;
    expect(dlq.Properties.MessageRetentionPeriod).toBe(14 * 24 * 3600);
    expect(dlq.Properties.RedriveAllowPolicy.redrivePermission).toBe('byQueue');
    const sourceArns = JSON.stringify(dlq.Properties.RedriveAllowPolicy.sourceQueueArns);
    expect(sourceArns).toContain(`:${delivery.Properties.QueueName}"`);
    expect(dlq.DeletionPolicy).toBe('Retain');
  });
});

describe('forward event source', () => {
  it('reports batch item failures with the configured limits', () => {
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: functionLogicalId(template, 'RelayForward') },
      EventSourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^RelayDeliveryQueue'), 'Arn'] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 4 },
      BatchSize: 25,
      MaximumBatchingWindowInSeconds: 3,
    });
  });
});

describe('webhook API', () => {
  it('has one POST route per enabled webhook source', () => {
    const routeKeys = Object.values(template.findResources('AWS::ApiGatewayV2::Route'))
      .map((route) => route.Properties.RouteKey)
      .sort();
    expect(routeKeys).toEqual(['POST /webhooks/generic', 'POST /webhooks/virustotal']);
  });

  it('throttles and logs the default stage', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 },
      AccessLogSettings: {
        DestinationArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('AccessLogs'), 'Arn'] },
        Format: Match.stringLikeRegexp('\\$context.requestId'),
      },
    });
  });

  it('leaves headers out of the access log', () => {
    const stage = Object.values(template.findResources('AWS::ApiGatewayV2::Stage'))[0]!;
    expect(stage.Properties.AccessLogSettings.Format).not.toMatch(/header|authorization/i);
  });

  it('outputs a webhook URL per source', () => {
    const outputs = template.findOutputs('*');
    const webhookOutputs = Object.keys(outputs).filter((id) => id.startsWith('WebhookUrl'));
    expect(webhookOutputs.sort()).toEqual(['WebhookUrlGeneric', 'WebhookUrlVirustotal']);
    expect(JSON.stringify(outputs.WebhookUrlVirustotal!.Value)).toContain('/webhooks/virustotal');
  });

  it('sends webhook events to the ingest function', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
      IntegrationUri: { 'Fn::GetAtt': [functionLogicalId(template, 'RelayIngest'), 'Arn'] },
    });
  });
});

describe('stack environment', () => {
  it('is environment-agnostic unless the configuration pins it', () => {
    const { stack } = synthRelayStack({});
    expect(stack.environment).toBe('aws://unknown-account/unknown-region');
  });

  it('outputs the failed-event queue only with event rules', () => {
    expect(Object.keys(template.findOutputs('FailedEventQueueUrl'))).toEqual([
      'FailedEventQueueUrl',
    ]);
    const { template: minimal } = synthRelayStack({});
    expect(minimal.findOutputs('FailedEventQueueUrl')).toEqual({});
    expect(Object.keys(synthRelayStack(FULL_CONFIG).template.findOutputs('AlarmTopicArn'))).toEqual(
      ['AlarmTopicArn'],
    );
  });
});
