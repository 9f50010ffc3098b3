import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { DeploymentSettings } from '../functions/config/schema.ts';
import { getSource } from '../functions/sources/index.ts';
import { pascalCase } from './names.ts';

/**
 * The event pattern that selects a source's events on the default event bus, from the
 * EventBridge match its adapter declares, or undefined for a webhook source.
 */
export function eventPatternOf(sourceId: string): events.EventPattern | undefined {
  const match = getSource(sourceId)?.eventBridge;
  if (match === undefined) return undefined;
  return { source: [...match.sources], detailType: [...match.detailTypes] };
}

/** How long EventBridge and Lambda keep retrying one event before it goes to the failed-event queue. */
const MAX_EVENT_AGE = Duration.hours(6);

export interface EventRulesProps {
  /** Enabled EventBridge sources (those whose adapter declares an EventBridge match). */
  sourceIds: readonly string[];
  partnerEventBus?: DeploymentSettings['partnerEventBus'];
  /** The ingest function, which every rule targets. */
  handler: lambda.Function;
}

/**
 * EventBridge rules that send GuardDuty, Security Hub and partner events to the ingest
 * function. Events that cannot be delivered to the function, or that the function fails on
 * after Lambda's retries, land in `failedEventQueue` instead of being dropped.
 */
export class EventRules extends Construct {
  readonly rules: events.Rule[] = [];
  readonly failedEventQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: EventRulesProps) {
    super(scope, id);

    // Kept when the stack is deleted: it may hold findings that were never ingested.
    this.failedEventQueue = new sqs.Queue(this, 'FailedEventQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.failedEventQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself a dead-letter queue: of the EventBridge rule targets and of the ingest function asynchronous invocations.',
    });

    // Lambda retries a failed asynchronous invocation twice, then hands the event and its
    // error to this destination.
    props.handler.configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge: MAX_EVENT_AGE,
      onFailure: new SqsDestination(this.failedEventQueue),
    });
    const target = new targets.LambdaFunction(props.handler, {
      deadLetterQueue: this.failedEventQueue,
      maxEventAge: MAX_EVENT_AGE,
      retryAttempts: 10,
    });

    for (const sourceId of props.sourceIds) {
      const eventPattern = eventPatternOf(sourceId);
      if (eventPattern === undefined) continue;
      this.rules.push(
        new events.Rule(this, `${pascalCase(sourceId)}Rule`, {
          description: `Sends ${sourceId} events to the SecOps Relay ingest function`,
          eventPattern,
          targets: [target],
        }),
      );
    }

    const partner = props.partnerEventBus;
    if (partner !== undefined) {
      const eventBus = events.EventBus.fromEventBusName(this, 'PartnerEventBus', partner.name);
      this.rules.push(
        new events.Rule(this, 'PartnerRule', {
          description: `Sends ${partner.sourceId} events from ${partner.name} to the SecOps Relay ingest function`,
          eventBus,
          eventPattern: {
            source: partner.eventPattern.source,
            ...(partner.eventPattern.detailType && { detailType: partner.eventPattern.detailType }),
          },
          targets: [target],
        }),
      );
    }
  }
}
