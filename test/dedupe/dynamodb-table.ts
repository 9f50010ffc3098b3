import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DEDUPE_KEY_ATTRIBUTE } from '../../functions/dedupe/dynamodb.ts';
import { createActiveTable, startDynalite } from '../helpers/dynalite.ts';

/**
 * Starts dynalite (an in-memory DynamoDB emulator) on loopback with a dedupe table shaped
 * like the deployed one, and returns a real SDK client for it.
 */
export async function startDedupeTable(tableName = 'relay-dedupe'): Promise<{
  client: DynamoDBClient;
  tableName: string;
  close: () => Promise<void>;
}> {
  const dynalite = await startDynalite('eu-west-1');
  await createActiveTable(dynalite.client, tableName, DEDUPE_KEY_ATTRIBUTE);
  return { client: dynalite.client, tableName, close: () => dynalite.close() };
}
