import { Duration, Names, RemovalPolicy, Stack, ArnFormat } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/**
 * Maximum retention SQS allows. Both queues use it because a standard queue's DLQ keeps
 * each message's original enqueue time, so a shorter DLQ retention would drop records early.
 */
const MAX_RETENTION = Duration.days(14);

/** Largest message SQS accepts (1 MiB), the limit the ingest function sizes its messages to. */
const MAX_MESSAGE_BYTES = 1_048_576;

export interface DeliveryQueuesProps {
  /** Timeout of the function that consumes the delivery queue. */
  consumerTimeout: Duration;
  /** How long Lambda gathers messages before it invokes the consumer. */
  maxBatchingWindow: Duration;
  /** Receives after which SQS moves a message to the dead-letter queue. */
  maxReceiveCount: number;
}

/**
 * The SQS delivery queue between ingest and forward, and its dead-letter queue.
 *
 * Both use SSE-SQS (SQS-managed keys): the records are encrypted at rest with no KMS key
 * to pay for, rotate or grant to every producer, and the only principals that can read
 * them are the ones the queue grants. Both deny requests without TLS.
 */
export class DeliveryQueues extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: DeliveryQueuesProps) {
    super(scope, id);

    // The DLQ's redrive-allow policy names the delivery queue and the delivery queue's
    // redrive policy names the DLQ. A fixed queue name lets the first be written as an ARN
    // instead of a reference, which would make the two resources depend on each other.
    const queueName = Names.uniqueResourceName(this, { maxLength: 70 }) + '-delivery';
    const queueArn = Stack.of(this).formatArn({
      service: 'sqs',
      resource: queueName,
      arnFormat: ArnFormat.NO_RESOURCE_NAME,
    });

    // Kept when the stack is deleted: it may hold records that were never delivered.
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: MAX_RETENTION,
      maxMessageSizeBytes: MAX_MESSAGE_BYTES,
      redriveAllowPolicy: {
        redrivePermission: sqs.RedrivePermission.BY_QUEUE,
        sourceQueues: [sqs.Queue.fromQueueArn(this, 'RedriveSource', queueArn)],
      },
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.queue = new sqs.Queue(this, 'Queue', {
      queueName,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: MAX_RETENTION,
      maxMessageSizeBytes: MAX_MESSAGE_BYTES,
      // Six times the consumer timeout (plus the batching window) is what AWS recommends, so
      // a message is not handed to a second invocation while Lambda retries a throttled one.
      visibilityTimeout: Duration.seconds(
        6 * props.consumerTimeout.toSeconds() + props.maxBatchingWindow.toSeconds(),
      ),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount },
    });
  }
}
