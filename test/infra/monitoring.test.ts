import * as sns from 'aws-cdk-lib/aws-sns';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { FULL_CONFIG, synthRelayConstruct, synthRelayStack } from './synth.ts';
import { functionLogicalId } from './template-queries.ts';

let template: Template;
beforeAll(() => {
  template = synthRelayStack(FULL_CONFIG).template;
});

function alarmOn(metricName: string, dimensionPrefix: string) {
  const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).filter(
    (alarm) =>
      alarm.Properties.MetricName === metricName &&
      JSON.stringify(alarm.Properties.Dimensions).includes(`"${dimensionPrefix}`),
  );
  expect(alarms).toHaveLength(1);
  return alarms[0]!.Properties;
}

describe('alarms', () => {
  it('fire on any dead-lettered record', () => {
    const alarm = alarmOn('ApproximateNumberOfMessagesVisible', 'RelayDeliveryDeadLetterQueue');
    expect(alarm.Threshold).toBe(0);
    expect(alarm.ComparisonOperator).toBe('GreaterThanThreshold');
  });

  it('fire on an old delivery backlog', () => {
    const alarm = alarmOn('ApproximateAgeOfOldestMessage', 'RelayDeliveryQueue');
    expect(alarm.Threshold).toBe(900);
    expect(alarm.Statistic).toBe('Maximum');
  });

  it.each(['Errors', 'Throttles'])('fire on forward function %s', (metricName) => {
    const alarm = alarmOn(metricName, functionLogicalId(template, 'RelayForward'));
    expect(alarm.Threshold).toBe(0);
  });

  it('fire on webhook 5xx responses', () => {
    const alarm = alarmOn('5xx', 'RelayWebhooksApi');
    expect(alarm.Namespace).toBe('AWS/ApiGateway');
    expect(alarm.Threshold).toBe(0);
  });

  it('fire on events that could not be ingested', () => {
    const alarm = alarmOn('ApproximateNumberOfMessagesVisible', 'RelayEventsFailedEventQueue');
    expect(alarm.Threshold).toBe(0);
  });

  it('notify the configured address through an SNS topic', () => {
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'secops-oncall@example.com',
    });
    for (const alarm of Object.values(template.findResources('AWS::CloudWatch::Alarm'))) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/AlarmTopic/) }]);
      expect(alarm.Properties.TreatMissingData).toBe('notBreaching');
    }
  });

  it('use an existing topic instead of creating one', () => {
    const { template: partner } = synthRelayConstruct(FULL_CONFIG, {}, (stack) => ({
      alarmTopic: sns.Topic.fromTopicArn(
        stack,
        'Ops',
        'arn:aws:sns:eu-west-1:111122223333:ops-alarms',
      ),
    }));
    partner.resourceCountIs('AWS::SNS::Topic', 0);
    partner.resourceCountIs('AWS::SNS::Subscription', 0);
    partner.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmActions: ['arn:aws:sns:eu-west-1:111122223333:ops-alarms'],
    });
  });

  it('exist without actions when no topic is configured', () => {
    const { template: quiet } = synthRelayStack({});
    quiet.resourceCountIs('AWS::SNS::Topic', 0);
    const alarms = Object.values(quiet.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms.length).toBeGreaterThanOrEqual(4);
    for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toBeUndefined();
  });
});

describe('dashboard', () => {
  it('graphs each record metric per source and the queue depth', () => {
    const dashboard = Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0]!;
    const body = dashboardBodyText(dashboard.Properties.DashboardBody);
    for (const metric of [
      'RecordsAccepted',
      'RecordsDelivered',
      'RecordsRetried',
      'RecordsDeadLettered',
    ]) {
      const expression = `SEARCH('Namespace="SecOpsRelay" MetricName="${metric}"', 'Sum', 300)`;
      expect(body).toContain(JSON.stringify(expression));
    }
    expect(body).toContain('"ApproximateNumberOfMessagesVisible"');
    expect(body).toContain('"Errors"');
  });
});

/** Returns the dashboard JSON with each CloudFormation reference inside it replaced by "<ref>". */
function dashboardBodyText(body: unknown): string {
  if (typeof body === 'string') return body;
  const [, parts] = (body as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
  return parts.map((part) => (typeof part === 'string' ? part : '<ref>')).join('');
}

describe('EventBridge rules', () => {
  it('send GuardDuty and Security Hub findings to ingest', () => {
    const ingestArn = { 'Fn::GetAtt': [functionLogicalId(template, 'RelayIngest'), 'Arn'] };
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['aws.guardduty'], 'detail-type': ['GuardDuty Finding'] },
      Targets: [Match.objectLike({ Arn: ingestArn, DeadLetterConfig: Match.anyValue() })],
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.securityhub'],
        'detail-type': [
          'Security Hub Findings - Imported',
          'Security Hub Findings - Custom Action',
        ],
      },
      Targets: [Match.objectLike({ Arn: ingestArn })],
    });
  });

  it('listen on the partner bus with its pattern', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: 'aws.partner/example.com/123456/relay',
      EventPattern: { source: ['aws.partner/example.com'], 'detail-type': ['Detection'] },
    });
  });

  it('do not exist when no event source is enabled', () => {
    const { template: webhooksOnly } = synthRelayStack({});
    webhooksOnly.resourceCountIs('AWS::Events::Rule', 0);
    webhooksOnly.resourceCountIs('AWS::Lambda::EventInvokeConfig', 0);
  });

  it('give the partner source no webhook route', () => {
    const routeKeys = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map(
      (route) => route.Properties.RouteKey,
    );
    expect(routeKeys.sort()).toEqual(['POST /webhooks/generic', 'POST /webhooks/virustotal']);
  });

  it('keep events the function failed on', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: functionLogicalId(template, 'RelayIngest') },
      MaximumRetryAttempts: 2,
      DestinationConfig: {
        OnFailure: {
          Destination: {
            'Fn::GetAtt': [Match.stringLikeRegexp('^RelayEventsFailedEventQueue'), 'Arn'],
          },
        },
      },
    });
  });
});
