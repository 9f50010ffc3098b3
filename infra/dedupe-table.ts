import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { DEDUPE_KEY_ATTRIBUTE, DEDUPE_TTL_ATTRIBUTE } from '../functions/dedupe/dynamodb.ts';

/**
 * The DynamoDB table of delivery dedupe: delivery ids and record hashes that ingest has
 * queued, and records whose POST went unanswered at the forwarder, each with an expiry
 * that DynamoDB's time to live deletes. On demand, because deliveries come in bursts.
 */
export class DedupeTable extends Construct {
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: DEDUPE_KEY_ATTRIBUTE, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: DEDUPE_TTL_ATTRIBUTE,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // Losing the table costs only duplicates of redeliveries within the time to live.
      removalPolicy: RemovalPolicy.DESTROY,
    });
  }

  /** Lets a function read and write keys in batches, the only two calls the dedupe store makes. */
  grantDedupe(grantee: iam.IGrantable): void {
    this.table.grant(grantee, 'dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem');
  }
}
