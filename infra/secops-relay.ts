import { ConfigError } from '../functions/config/load.ts';
import { Annotations, Duration } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { RelayConfig } from '../functions/config/schema.ts';
import { DEDUPE_TABLE_ENV } from '../functions/dedupe/dynamodb.ts';
import { ENV } from '../functions/shared/env.ts';
import { DedupeTable } from './dedupe-table.ts';
import { DeliveryQueues } from './delivery-queues.ts';
import { checkConfiguredSources } from '../functions/sources/check-config.ts';
import { getSource, SOURCE_IDS } from '../functions/sources/index.ts';
import { eventPatternOf, EventRules } from './event-rules.ts';
import { PullJobs, withoutPulls } from './pull-jobs.ts';
import { RelayMonitoring } from './monitoring.ts';
import { toDeployableConfig } from './relay-config.ts';
import { RelayFunction } from './relay-function.ts';
import { WebhookApi } from './webhook-api.ts';

export interface SecOpsRelayProps {
  /**
   * The relay configuration, from `loadConfigFile` or `parseConfig`. Its `local` section
   * is left out of the deployment; the `deployment` section sizes the resources.
   */
  config: RelayConfig;
  /** Origin of `config` that configuration errors name, such as "configuration file deploy.json". */
  configOrigin?: string;
  /**
   * An existing SNS topic for alarm notifications. When given, no topic is created and
   * `deployment.alarms.email` is not subscribed.
   */
  alarmTopic?: sns.ITopic;
}

/**
 * SecOps Relay on AWS. It contains an HTTP API with one webhook route per enabled source,
 * EventBridge rules for GuardDuty, Security Hub and a partner bus, and the ingest and
 * forward functions. Between them sit the SQS delivery queue and its dead-letter queue,
 * watched by alarms and a dashboard. When the configuration enables pull jobs, it also
 * contains the scheduled pull function and its table of checkpoints (see `PullJobs`).
 *
 * Secrets are referenced by name and never created: the operator creates the instance
 * secret and one secret per webhook source before the first deployment.
 *
 * @example
 * const config = loadConfigFile('relay.config.json');
 * const relay = new SecOpsRelay(stack, 'Relay', { config, alarmTopic: opsTopic });
 * new CfnOutput(stack, 'VirusTotalUrl', { value: relay.webhookUrls.virustotal! });
 *
 * @throws ConfigError when keys that depend on each other disagree, naming each key.
 */
export class SecOpsRelay extends Construct {
  /** The configuration the functions receive (no `local` section). */
  readonly config: RelayConfig;
  readonly api: apigw.HttpApi;
  readonly accessLogGroup: logs.ILogGroup;
  /** Webhook URL by source id, one per enabled webhook source. */
  readonly webhookUrls: Readonly<Record<string, string>>;
  readonly deliveryQueue: sqs.IQueue;
  readonly deadLetterQueue: sqs.IQueue;
  /** Delivery ids and record hashes seen by ingest, and unanswered POSTs seen by the forwarder. */
  readonly dedupeTable: dynamodb.ITable;
  /** Queue of EventBridge events that could not be ingested; absent when no event source is enabled. */
  readonly failedEventQueue: sqs.IQueue | undefined;
  readonly ingestFunction: NodejsFunction;
  readonly forwardFunction: NodejsFunction;
  readonly alarms: readonly cloudwatch.Alarm[];
  readonly alarmTopic: sns.ITopic | undefined;
  readonly dashboard: cloudwatch.Dashboard;
  /** The scheduled pulls; absent when no pull job is enabled. */
  readonly pulls: PullJobs | undefined;

  constructor(scope: Construct, id: string, props: SecOpsRelayProps) {
    super(scope, id);

    const origin = props.configOrigin ?? 'configuration';
    const { config, removedLocalSection } = toDeployableConfig(props.config, origin);
    checkConfiguredSources(config, getSource, SOURCE_IDS, origin);
    if (removedLocalSection) {
      Annotations.of(this).addWarningV2(
        'secops-relay:local-section-removed',
        'The configuration has a "local" section (local-mode secrets). It is not deployed; ' +
          'deploy from a configuration file without it.',
      );
    }
    this.config = config;
    const deployment = config.deployment;
    const functionConfig = withoutPulls(config);

    // AWS services and the partner bus deliver events through EventBridge, so their sources
    // get neither a webhook route nor read access to a webhook secret.
    const enabledSources = Object.entries(config.sources).filter(
      ([, settings]) => settings.enabled,
    );
    const isEventSource = (sourceId: string) =>
      getSource(sourceId)?.channel === 'eventbridge' ||
      sourceId === deployment.partnerEventBus?.sourceId;
    const webhookSources = enabledSources.filter(([sourceId]) => !isEventSource(sourceId));
    const eventSourceIds = enabledSources
      .map(([sourceId]) => sourceId)
      .filter((sourceId) => eventPatternOf(sourceId) !== undefined);

    const queues = new DeliveryQueues(this, 'Delivery', {
      consumerTimeout: Duration.seconds(deployment.forward.timeoutSeconds),
      maxBatchingWindow: Duration.seconds(deployment.forward.maxBatchingWindowSeconds),
      maxReceiveCount: config.delivery.maxReceiveCount,
    });
    this.deliveryQueue = queues.queue;
    this.deadLetterQueue = queues.deadLetterQueue;
    const dedupe = new DedupeTable(this, 'Dedupe');
    this.dedupeTable = dedupe.table;

    const ingest = new RelayFunction(this, 'Ingest', {
      entry: 'functions/ingest/handler.ts',
      description: 'SecOps Relay ingest: authenticates, normalizes and enqueues vendor data',
      config: functionConfig,
      timeout: Duration.seconds(deployment.ingest.timeoutSeconds),
      memorySizeMb: deployment.ingest.memorySizeMb,
      environment: {
        [ENV.deliveryQueueUrl]: queues.queue.queueUrl,
        [DEDUPE_TABLE_ENV]: dedupe.table.tableName,
      },
    });
    this.ingestFunction = ingest.function;
    queues.queue.grantSendMessages(ingest.function);
    dedupe.grantDedupe(ingest.function);
    for (const [sourceId, settings] of webhookSources) {
      if (settings.secretName === undefined || settings.auth.type === 'none') {
        throw new ConfigError(
          `Invalid ${origin}:\n  sources.${sourceId}.secretName: a webhook source needs a secret and an auth type other than "none"`,
        );
      }
      // The raw id keeps construct ids unique: "vendor-1" and "vendor1" would share a PascalCase form.
      const secret = secretsmanager.Secret.fromSecretNameV2(
        this,
        `SourceSecret-${sourceId}`,
        settings.secretName,
      );
      secret.grantRead(ingest.function);
    }

    const forward = new RelayFunction(this, 'Forward', {
      entry: 'functions/forward/handler.ts',
      description: 'SecOps Relay forward: delivers queued records to the ServiceNow instance',
      config: functionConfig,
      timeout: Duration.seconds(deployment.forward.timeoutSeconds),
      memorySizeMb: deployment.forward.memorySizeMb,
      environment: {
        [ENV.deliveryQueueUrl]: queues.queue.queueUrl,
        [ENV.deadLetterQueueUrl]: queues.deadLetterQueue.queueUrl,
        [DEDUPE_TABLE_ENV]: dedupe.table.tableName,
      },
    });
    this.forwardFunction = forward.function;
    dedupe.grantDedupe(forward.function);
    secretsmanager.Secret.fromSecretNameV2(
      this,
      'InstanceSecret',
      config.instance.secretName,
    ).grantRead(forward.function);
    forward.function.addEventSource(
      new SqsEventSource(queues.queue, {
        batchSize: deployment.forward.batchSize,
        maxBatchingWindow: Duration.seconds(deployment.forward.maxBatchingWindowSeconds),
        maxConcurrency: deployment.forward.maxConcurrency,
        reportBatchItemFailures: true,
      }),
    );
    queues.deadLetterQueue.grantSendMessages(forward.function);

    const webhookApi = new WebhookApi(this, 'Webhooks', {
      sourceIds: webhookSources.map(([sourceId]) => sourceId),
      handler: ingest.function,
      throttlingRateLimit: deployment.api.throttlingRateLimit,
      throttlingBurstLimit: deployment.api.throttlingBurstLimit,
      logRetentionDays: deployment.logRetentionDays,
    });
    this.api = webhookApi.api;
    this.accessLogGroup = webhookApi.accessLogGroup;
    this.webhookUrls = webhookApi.urls;

    if (eventSourceIds.length > 0 || deployment.partnerEventBus !== undefined) {
      const eventRules = new EventRules(this, 'Events', {
        sourceIds: eventSourceIds,
        partnerEventBus: deployment.partnerEventBus,
        handler: ingest.function,
      });
      this.failedEventQueue = eventRules.failedEventQueue;
    }

    const monitoring = new RelayMonitoring(this, 'Monitoring', {
      deliveryQueue: queues.queue,
      deadLetterQueue: queues.deadLetterQueue,
      failedEventQueue: this.failedEventQueue,
      webhookStage: webhookApi.stage,
      ingestFunction: ingest.function,
      forwardFunction: forward.function,
      maxMessageAgeSeconds: deployment.alarms.maxMessageAgeSeconds,
      alarmTopic: props.alarmTopic,
      alarmEmail: deployment.alarms.email,
    });
    this.alarms = monitoring.alarms;
    this.alarmTopic = monitoring.alarmTopic;
    this.dashboard = monitoring.dashboard;

    const pulls = config.pulls;
    this.pulls =
      pulls !== undefined && pulls.jobs.some((job) => job.enabled)
        ? new PullJobs(this, 'Pulls', {
            config: { ...config, pulls },
            configOrigin: origin,
            deliveryQueue: queues.queue,
            alarmTopic: monitoring.alarmTopic,
          })
        : undefined;
  }
}
