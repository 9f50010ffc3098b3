import { Duration } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE, type RelayMetricName } from '../functions/shared/metrics.ts';

const PERIOD = Duration.minutes(5);

/** The per-source counters the functions publish, with the dashboard title of each. */
const RECORD_METRICS: ReadonlyArray<[RelayMetricName, string]> = [
  ['RecordsAccepted', 'Records in (accepted by ingest)'],
  ['RecordsDelivered', 'Records delivered'],
  ['RecordsRetried', 'Records retried'],
  ['RecordsDeadLettered', 'Records dead-lettered'],
];

/** The counters of what the relay did to protect the data and the instance. */
const GUARD_METRICS: ReadonlyArray<[RelayMetricName, string]> = [
  ['DuplicatesDropped', 'Duplicate records not queued'],
  ['PossibleDuplicates', 'Possible duplicates (POST retried after no answer)'],
  ['CircuitOpenReturns', 'Records returned while the instance circuit was open'],
];

export interface RelayMonitoringProps {
  deliveryQueue: sqs.IQueue;
  deadLetterQueue: sqs.IQueue;
  /** Queue of EventBridge events the ingest function failed on, when the relay has event rules. */
  failedEventQueue?: sqs.IQueue;
  /** The HTTP API stage that vendors post webhooks to. */
  webhookStage: apigw.IHttpStage;
  ingestFunction: lambda.IFunction;
  forwardFunction: lambda.IFunction;
  /** Age of the oldest delivery-queue message that raises an alarm, in seconds. */
  maxMessageAgeSeconds: number;
  /** Topic that receives alarm and recovery notifications; takes precedence over `alarmEmail`. */
  alarmTopic?: sns.ITopic;
  /** Address subscribed to a new alarm topic when `alarmTopic` is not given. */
  alarmEmail?: string;
}

/**
 * Alarms on what needs an operator (dead-lettered records, a delivery backlog, function
 * errors and throttles), an optional SNS topic that they notify, and a dashboard of
 * records per source, queue depth and function errors.
 */
export class RelayMonitoring extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly alarmTopic: sns.ITopic | undefined;
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: RelayMonitoringProps) {
    super(scope, id);

    this.alarmTopic = props.alarmTopic ?? createEmailTopic(this, props.alarmEmail);

    this.addQueueNotEmptyAlarm(
      'DeadLetterQueueNotEmpty',
      props.deadLetterQueue,
      'Records are in the dead-letter queue because the instance rejected them or their retries ran out. Read the reason in each message, fix the cause, then redrive the queue.',
    );
    if (props.failedEventQueue !== undefined) {
      this.addQueueNotEmptyAlarm(
        'FailedEventQueueNotEmpty',
        props.failedEventQueue,
        'EventBridge events could not be ingested. Each message contains the event and the error; fix the cause and send the events again.',
      );
    }
    this.addAlarm('DeliveryBacklogOld', {
      metric: props.deliveryQueue.metricApproximateAgeOfOldestMessage({
        period: PERIOD,
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: props.maxMessageAgeSeconds,
      description: `A record has waited more than ${props.maxMessageAgeSeconds} s for delivery. The instance is unreachable, slow or rate limiting, or the forward function is failing.`,
    });

    const functionAlarms: Array<[string, cloudwatch.IMetric, string]> = [
      [
        'ForwardErrors',
        props.forwardFunction.metricErrors({ period: PERIOD }),
        'The forward function failed whole invocations (crash or timeout), so their messages return to the queue. See its log group.',
      ],
      [
        'ForwardThrottles',
        props.forwardFunction.metricThrottles({ period: PERIOD }),
        'Lambda throttled the forward function because the account concurrency limit is exhausted.',
      ],
      [
        'IngestErrors',
        props.ingestFunction.metricErrors({ period: PERIOD }),
        'The ingest function crashed or timed out, so vendors received a 5xx response or events were retried. See its log group.',
      ],
      [
        // Counts the 500 responses that the ingest function returns itself, which Lambda does not count as errors.
        'WebhookServerErrors',
        props.webhookStage.metricServerError({ period: PERIOD }),
        'The webhook API returned 5xx responses, so vendors may have given up on deliveries. See the ingest log group and the access log.',
      ],
      [
        'IngestThrottles',
        props.ingestFunction.metricThrottles({ period: PERIOD }),
        'Lambda throttled the ingest function, so vendors received 429 or 5xx responses.',
      ],
    ];
    for (const [alarmId, metric, description] of functionAlarms) {
      this.addAlarm(alarmId, { metric, threshold: 0, description });
    }

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.hours(6),
    });
    this.dashboard.addWidgets(...perSourceGraphs(RECORD_METRICS, 6));
    this.dashboard.addWidgets(...perSourceGraphs(GUARD_METRICS, 8));
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Queue depth',
        left: [
          props.deliveryQueue.metricApproximateNumberOfMessagesVisible({
            label: 'Delivery queue: waiting',
            period: PERIOD,
          }),
          props.deliveryQueue.metricApproximateNumberOfMessagesNotVisible({
            label: 'Delivery queue: in flight',
            period: PERIOD,
          }),
          props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
            label: 'Dead-letter queue',
            period: PERIOD,
          }),
        ],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Oldest message on the delivery queue (s)',
        left: [props.deliveryQueue.metricApproximateAgeOfOldestMessage({ period: PERIOD })],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Errors and throttles',
        left: [
          props.webhookStage.metricServerError({ label: 'Webhook 5xx', period: PERIOD }),
          props.webhookStage.metricClientError({ label: 'Webhook 4xx', period: PERIOD }),
          props.ingestFunction.metricErrors({ label: 'Ingest errors', period: PERIOD }),
          props.forwardFunction.metricErrors({ label: 'Forward errors', period: PERIOD }),
          props.ingestFunction.metricThrottles({ label: 'Ingest throttles', period: PERIOD }),
          props.forwardFunction.metricThrottles({ label: 'Forward throttles', period: PERIOD }),
        ],
        width: 8,
      }),
    );
  }

  private addQueueNotEmptyAlarm(id: string, queue: sqs.IQueue, description: string) {
    this.addAlarm(id, {
      metric: queue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: 0,
      description,
    });
  }

  private addAlarm(
    id: string,
    options: { metric: cloudwatch.IMetric; threshold: number; description: string },
  ) {
    const alarm = new cloudwatch.Alarm(this, id, {
      metric: options.metric,
      threshold: options.threshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: options.description,
    });
    if (this.alarmTopic !== undefined) {
      alarm.addAlarmAction(new SnsAction(this.alarmTopic));
      alarm.addOkAction(new SnsAction(this.alarmTopic));
    }
    this.alarms.push(alarm);
  }
}

function createEmailTopic(scope: Construct, email: string | undefined): sns.ITopic | undefined {
  if (email === undefined) return undefined;
  const topic = new sns.Topic(scope, 'AlarmTopic', {
    displayName: 'SecOps Relay alarms',
    enforceSSL: true,
  });
  topic.addSubscription(new EmailSubscription(email));
  return topic;
}

/** Builds a stacked per-source graph for each metric, `width` columns wide (a dashboard row has 24). */
function perSourceGraphs(
  metrics: ReadonlyArray<[RelayMetricName, string]>,
  width: number,
): cloudwatch.GraphWidget[] {
  return metrics.map(
    ([metricName, title]) =>
      new cloudwatch.GraphWidget({
        title: `${title} per source`,
        left: [recordsPerSource(metricName)],
        width,
        stacked: true,
      }),
  );
}

/**
 * Builds a search expression that draws one line per source for a relay metric. A search
 * is needed because the set of sources is open and because Powertools adds a `service`
 * dimension beside `source`.
 */
function recordsPerSource(metricName: RelayMetricName): cloudwatch.MathExpression {
  return new cloudwatch.MathExpression({
    expression: `SEARCH('Namespace="${METRICS_NAMESPACE}" MetricName="${metricName}"', 'Sum', ${PERIOD.toSeconds()})`,
    usingMetrics: {},
    period: PERIOD,
  });
}
