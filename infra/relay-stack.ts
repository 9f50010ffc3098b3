import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { RelayConfig } from '../functions/config/schema.ts';
import { pascalCase } from './names.ts';
import { SecOpsRelay } from './secops-relay.ts';

export interface RelayStackProps extends StackProps {
  /** The parsed configuration; its `deployment` section sizes the resources. */
  config: RelayConfig;
  /** Origin of `config` that configuration errors name, such as "configuration file deploy.json". */
  configOrigin?: string;
}

/** The repository's own stack: one SecOpsRelay and the outputs an operator needs after a deployment. */
export class RelayStack extends Stack {
  readonly relay: SecOpsRelay;

  constructor(scope: Construct, id: string, props: RelayStackProps) {
    super(scope, id, {
      description: 'SecOps Relay: delivers security vendor data to ServiceNow Security Operations',
      ...props,
    });

    this.relay = new SecOpsRelay(this, 'Relay', {
      config: props.config,
      configOrigin: props.configOrigin,
    });

    for (const [sourceId, url] of Object.entries(this.relay.webhookUrls)) {
      new CfnOutput(this, `WebhookUrl${pascalCase(sourceId)}`, {
        description: `Webhook URL of the source "${sourceId}" (POST)`,
        value: url,
      });
    }
    new CfnOutput(this, 'DeliveryQueueUrl', { value: this.relay.deliveryQueue.queueUrl });
    new CfnOutput(this, 'DeadLetterQueueUrl', { value: this.relay.deadLetterQueue.queueUrl });
    new CfnOutput(this, 'DeadLetterQueueArn', {
      description:
        'Source ARN for `aws sqs start-message-move-task`, which redrives dead-lettered records',
      value: this.relay.deadLetterQueue.queueArn,
    });
    if (this.relay.failedEventQueue !== undefined) {
      new CfnOutput(this, 'FailedEventQueueUrl', { value: this.relay.failedEventQueue.queueUrl });
    }
    if (this.relay.alarmTopic !== undefined) {
      new CfnOutput(this, 'AlarmTopicArn', { value: this.relay.alarmTopic.topicArn });
    }
    new CfnOutput(this, 'DashboardName', { value: this.relay.dashboard.dashboardName });
    if (this.relay.pulls !== undefined) {
      new CfnOutput(this, 'PullStateTableName', {
        description: 'DynamoDB table of the pull jobs checkpoints and dedupe keys',
        value: this.relay.pulls.table.tableName,
      });
    }
  }
}
