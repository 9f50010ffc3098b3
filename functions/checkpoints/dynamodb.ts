import { createHash } from 'node:crypto';
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { formatCount } from '../shared/format-count.ts';
import {
  checkpointConflict,
  runInProgress,
  type Checkpoint,
  type CheckpointState,
  type PullStateStore,
} from './checkpoint.ts';

/** Name of the table's partition key, a string; the CDK app creates the table with it. */
export const PARTITION_KEY = 'pk';

/** Attribute that DynamoDB's time to live reads on dedupe items, in epoch seconds. */
export const TTL_ATTRIBUTE = 'expiresAt';

/** BatchGetItem reads at most 100 keys per call. */
const MAX_BATCH_GET_KEYS = 100;

/** Rounds of BatchGetItem for keys that DynamoDB returned as unprocessed, before giving up. */
const MAX_UNPROCESSED_ROUNDS = 5;

/**
 * Checkpoints and dedupe keys in one DynamoDB table with a string partition key `pk`:
 * `checkpoint#<job>` holds a job's checkpoint and lease, and `seen#<job>#<sha256 of the item
 * key>` marks an enqueued item until its `expiresAt` (epoch seconds, the table's TTL
 * attribute). TTL deletes expired items only eventually, so reads also compare `expiresAt`.
 *
 * Every checkpoint write is a conditional UpdateItem, so a run that lost its lease, or that
 * read an older version, changes nothing.
 *
 * @example
 * const store = new DynamoDbPullState(new DynamoDBClient({}), 'SecOpsRelay-PullState');
 */
export class DynamoDbPullState implements PullStateStore {
  private readonly client: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
  ) {
    this.client = DynamoDBDocumentClient.from(client, {
      marshallOptions: { removeUndefinedValues: true },
    });
  }

  async acquire(jobId: string, runId: string, leaseUntil: Date, now: Date): Promise<Checkpoint> {
    try {
      const output = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { [PARTITION_KEY]: checkpointKey(jobId) },
          UpdateExpression: 'SET jobId = :job, leaseRunId = :run, leaseExpiresAt = :until',
          ConditionExpression: 'attribute_not_exists(leaseRunId) OR leaseExpiresAt < :now',
          ExpressionAttributeValues: {
            ':job': jobId,
            ':run': runId,
            ':until': leaseUntil.getTime(),
            ':now': now.getTime(),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return toCheckpoint(jobId, output.Attributes);
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        throw runInProgress(jobId, { cause: error });
      }
      throw error;
    }
  }

  async save(
    jobId: string,
    runId: string,
    expectedVersion: number,
    state: CheckpointState,
    now: Date,
  ): Promise<void> {
    const set = ['version = :next', 'boundaryKeys = :boundary', 'updatedAt = :now'];
    const remove = ['leaseRunId', 'leaseExpiresAt'];
    const values: Record<string, unknown> = {
      ':next': expectedVersion + 1,
      ':boundary': state.boundaryKeys,
      ':now': now.toISOString(),
      ':run': runId,
    };
    if (state.watermark === undefined) remove.push('watermark');
    else {
      set.push('watermark = :watermark');
      values[':watermark'] = state.watermark;
    }
    // A checkpoint that was never saved has no version attribute: version 0.
    let versionCondition = 'attribute_not_exists(version)';
    if (expectedVersion > 0) {
      versionCondition = 'version = :expected';
      values[':expected'] = expectedVersion;
    }
    if (state.traversal === undefined) remove.push('traversal');
    else {
      set.push('traversal = :traversal');
      values[':traversal'] = state.traversal;
    }

    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { [PARTITION_KEY]: checkpointKey(jobId) },
          UpdateExpression: `SET ${set.join(', ')} REMOVE ${remove.join(', ')}`,
          ConditionExpression: `leaseRunId = :run AND ${versionCondition}`,
          ExpressionAttributeValues: values,
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        throw checkpointConflict(jobId, { cause: error });
      }
      throw error;
    }
  }

  async release(jobId: string, runId: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { [PARTITION_KEY]: checkpointKey(jobId) },
          UpdateExpression: 'REMOVE leaseRunId, leaseExpiresAt',
          ConditionExpression: 'leaseRunId = :run',
          ExpressionAttributeValues: { ':run': runId },
        }),
      );
    } catch (error) {
      // Another run holds the lease by now, or none does: either way there is nothing to release.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async read(jobId: string): Promise<Checkpoint | undefined> {
    const output = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { [PARTITION_KEY]: checkpointKey(jobId) },
        ConsistentRead: true,
      }),
    );
    return output.Item === undefined ? undefined : toCheckpoint(jobId, output.Item);
  }

  async findSeen(jobId: string, keys: readonly string[], now: Date): Promise<Set<string>> {
    const byPartitionKey = new Map(keys.map((key) => [seenKey(jobId, key), key]));
    const partitionKeys = [...byPartitionKey.keys()];
    const found = new Set<string>();
    const nowSeconds = Math.floor(now.getTime() / 1000);

    for (let start = 0; start < partitionKeys.length; start += MAX_BATCH_GET_KEYS) {
      let pending: Array<Record<string, unknown>> = partitionKeys
        .slice(start, start + MAX_BATCH_GET_KEYS)
        .map((pk) => ({ [PARTITION_KEY]: pk }));
      for (let round = 0; pending.length > 0; round++) {
        if (round === MAX_UNPROCESSED_ROUNDS) {
          throw new Error(
            `DynamoDB left ${formatCount(pending.length, 'dedupe key')} of pull job "${jobId}" unprocessed after ` +
              `${round} BatchGetItem calls on table ${this.tableName}; the run stops so that it sends nothing twice.`,
          );
        }
        const output = await this.client.send(
          new BatchGetCommand({
            RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true } },
          }),
        );
        for (const item of output.Responses?.[this.tableName] ?? []) {
          const key = byPartitionKey.get(String(item[PARTITION_KEY]));
          if (key !== undefined && Number(item[TTL_ATTRIBUTE]) > nowSeconds) found.add(key);
        }
        pending = output.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
      }
    }
    return found;
  }

  async markSeen(
    jobId: string,
    key: string,
    outcome: 'queued' | 'rejected',
    expiresAt: Date,
  ): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          [PARTITION_KEY]: seenKey(jobId, key),
          jobId,
          outcome,
          [TTL_ATTRIBUTE]: Math.ceil(expiresAt.getTime() / 1000),
        },
      }),
    );
  }
}

function checkpointKey(jobId: string): string {
  return `checkpoint#${jobId}`;
}

/** Item keys can be long URLs, so the partition key contains their SHA-256 instead. */
function seenKey(jobId: string, key: string): string {
  return `seen#${jobId}#${createHash('sha256').update(key).digest('hex')}`;
}

function toCheckpoint(jobId: string, item: Record<string, unknown> | undefined): Checkpoint {
  const traversal = item?.traversal as Checkpoint['traversal'];
  return {
    jobId,
    version: typeof item?.version === 'number' ? item.version : 0,
    ...(typeof item?.watermark === 'string' && { watermark: item.watermark }),
    boundaryKeys: Array.isArray(item?.boundaryKeys) ? (item.boundaryKeys as string[]) : [],
    ...(traversal !== undefined && {
      traversal: { ...traversal, highestKeys: traversal.highestKeys ?? [] },
    }),
    ...(typeof item?.updatedAt === 'string' && { updatedAt: item.updatedAt }),
  };
}
