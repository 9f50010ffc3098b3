import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PARTITION_KEY } from '../../functions/checkpoints/dynamodb.ts';
import { createActiveTable, startDynalite } from '../helpers/dynalite.ts';

export interface LocalDynamoDb {
  client: DynamoDBClient;
  /** Creates a table shaped like the one the CDK app deploys, and returns its name. */
  createTable(name: string): Promise<string>;
  close(): Promise<void>;
}

/** Starts dynalite on loopback for pull checkpoint tables. */
export async function startDynamoDb(): Promise<LocalDynamoDb> {
  const dynalite = await startDynalite();
  return {
    client: dynalite.client,
    createTable: (name) => createActiveTable(dynalite.client, name, PARTITION_KEY),
    close: () => dynalite.close(),
  };
}
