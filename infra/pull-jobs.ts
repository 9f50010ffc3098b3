import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { PARTITION_KEY, TTL_ATTRIBUTE } from '../functions/checkpoints/dynamodb.ts';
import { ConfigError } from '../functions/config/load.ts';
import type { PullJob, PullsSettings, RelayConfig } from '../functions/config/schema.ts';
import { PullError } from '../functions/pull/errors.ts';
import { PULL_STATE_TABLE_ENV } from '../functions/pull/env.ts';
import { jobTypeOf } from '../functions/pull/jobs/index.ts';
import { DEADLINE_RESERVE_MS } from '../functions/pull/deadline.ts';
import { checkVendorBaseUrl } from '../functions/pull/vendor-url.ts';
import { ENV } from '../functions/shared/env.ts';
import { RelayFunction } from './relay-function.ts';

export interface PullJobsProps {
  /** The deployed configuration; its enabled `pulls.jobs` get a schedule each. */
  config: RelayConfig & { pulls: PullsSettings };
  /** Origin of `config` that configuration errors name, such as "configuration file deploy.json". */
  configOrigin?: string;
  /** The delivery queue the pull function sends records to. */
  deliveryQueue: sqs.IQueue;
  /** Topic that the pull error alarm notifies, when the relay has one. */
  alarmTopic?: sns.ITopic;
}

/**
 * Scheduled pulls: the pull function, one EventBridge Scheduler schedule per enabled job
 * (input `{"jobId": …}`), the DynamoDB table of checkpoints and dedupe keys, and an alarm
 * on failed runs.
 *
 * The table is on-demand, has point-in-time recovery and expires dedupe items through TTL.
 * It is kept when the stack is deleted, because its checkpoints record which data was sent.
 * The function may read only its jobs' secrets, read and write only items of that table
 * (GetItem, BatchGetItem, PutItem, UpdateItem), and send only to the delivery queue.
 *
 * @throws ConfigError when a job's base URL is not the vendor's or its settings are invalid.
 */
export class PullJobs extends Construct {
  readonly function: NodejsFunction;
  readonly table: dynamodb.Table;
  readonly schedules: scheduler.CfnSchedule[] = [];
  readonly errorAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: PullJobsProps) {
    super(scope, id);
    const { config } = props;
    const jobs = config.pulls.jobs.filter((job) => job.enabled);
    checkJobs(config, jobs, props.configOrigin ?? 'configuration');

    this.table = new dynamodb.Table(this, 'StateTable', {
      partitionKey: { name: PARTITION_KEY, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: TTL_ATTRIBUTE,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const pull = new RelayFunction(this, 'Pull', {
      entry: 'functions/pull/handler.ts',
      description: 'SecOps Relay pull: reads vendor APIs on a schedule and enqueues new items',
      config: pullFunctionConfig(config),
      timeout: Duration.seconds(config.pulls.timeoutSeconds),
      memorySizeMb: config.pulls.memorySizeMb,
      environment: {
        [ENV.deliveryQueueUrl]: props.deliveryQueue.queueUrl,
        [PULL_STATE_TABLE_ENV]: this.table.tableName,
      },
    });
    this.function = pull.function;
    // A failed run is retried by the job's next schedule, from the unchanged checkpoint.
    this.function.configureAsyncInvoke({ retryAttempts: 0 });
    this.table.grant(
      this.function,
      'dynamodb:GetItem',
      'dynamodb:BatchGetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
    );
    props.deliveryQueue.grantSendMessages(this.function);
    for (const secretName of new Set(jobs.map((job) => job.secretName))) {
      secretsmanager.Secret.fromSecretNameV2(this, `JobSecret-${secretName}`, secretName).grantRead(
        this.function,
      );
    }

    const schedulerRole = new iam.Role(this, 'SchedulerRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
      description: 'Lets EventBridge Scheduler invoke the SecOps Relay pull function',
    });
    // Only the function itself, not its versions and aliases, which the schedules never name.
    schedulerRole.addToPolicy(
      new iam.PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: [this.function.functionArn],
      }),
    );
    for (const job of jobs) {
      this.schedules.push(
        new scheduler.CfnSchedule(this, `Schedule-${job.id}`, {
          description: `Runs the SecOps Relay pull job "${job.id}" (${job.source})`,
          scheduleExpression: job.schedule,
          flexibleTimeWindow: { mode: 'OFF' },
          target: {
            arn: this.function.functionArn,
            roleArn: schedulerRole.roleArn,
            input: JSON.stringify({ jobId: job.id }),
            // An invocation that cannot start is not retried: the next schedule runs the job.
            retryPolicy: { maximumRetryAttempts: 0, maximumEventAgeInSeconds: 60 },
          },
        }),
      );
    }

    this.errorAlarm = new cloudwatch.Alarm(this, 'PullErrors', {
      metric: this.function.metricErrors({ period: Duration.minutes(5) }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription:
        'A pull run failed (vendor unavailable or rejecting the API key, a response over pulls.maxResponseBytes, ' +
        'queue unavailable, checkpoint in the future). ' +
        'Its checkpoint is unchanged and the next schedule tries again; the log group names the job and the error code.',
    });
    if (props.alarmTopic !== undefined) {
      this.errorAlarm.addAlarmAction(new SnsAction(props.alarmTopic));
      this.errorAlarm.addOkAction(new SnsAction(props.alarmTopic));
    }
  }
}

/**
 * Returns the configuration for the ingest and forward functions: without the `pulls`
 * section, which they never read, so that jobs take no room in their 4 KB environment.
 */
export function withoutPulls(config: RelayConfig): RelayConfig {
  const rest: RelayConfig = { ...config };
  delete rest.pulls;
  return rest;
}

/**
 * The configuration for the pull function: without `records`, `observableTypeNames` and
 * `sources`, which only the ingest and forward functions read. The function parses their
 * defaults instead, and the environment keeps room for more jobs.
 */
export function pullFunctionConfig(config: RelayConfig): RelayConfig {
  const compact: Partial<RelayConfig> = { ...config };
  delete compact.records;
  delete compact.observableTypeNames;
  delete compact.sources;
  return compact as RelayConfig;
}

/** Checks what a deployment needs beyond the schema: vendor hosts, job settings, the timeout. */
function checkJobs(
  config: PullJobsProps['config'],
  jobs: readonly PullJob[],
  origin: string,
): void {
  const problems: string[] = [];
  for (const job of jobs) {
    const jobType = jobTypeOf(job);
    // Named by index, as the schema's own errors name a job; disabled jobs keep their index.
    const jobPath = `pulls.jobs[${config.pulls.jobs.indexOf(job)}]`;
    try {
      checkVendorBaseUrl(jobPath, job.api.baseUrl, {
        vendorHosts: jobType.hosts,
        allowedHosts: config.pulls.allowedHosts,
        localMode: false,
      });
    } catch (error) {
      if (!(error instanceof PullError)) throw error;
      problems.push(`  ${error.message}`);
    }
    problems.push(...(jobType.validateJob?.(job, jobPath) ?? []).map((problem) => `  ${problem}`));
  }
  const neededMs = config.pulls.requestTimeoutMs + DEADLINE_RESERVE_MS;
  if (jobs.length > 0 && config.pulls.timeoutSeconds * 1000 <= neededMs) {
    problems.push(
      `  pulls.timeoutSeconds: ${config.pulls.timeoutSeconds} s leaves no time for one vendor request of ` +
        `${config.pulls.requestTimeoutMs} ms (pulls.requestTimeoutMs) and the final checkpoint write; ` +
        `set it above ${Math.ceil(neededMs / 1000)}`,
    );
  }
  if (problems.length > 0) {
    throw new ConfigError(`Invalid ${origin} for deployment:\n${problems.join('\n')}`);
  }
}
