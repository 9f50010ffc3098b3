import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DEDUPE_KEY_ATTRIBUTE } from '../../functions/dedupe/dynamodb.ts';

// dynalite has no type declarations; its factory returns a node:http server.
const startDynalite = createRequire(import.meta.url)('dynalite') as (options: {
  createTableMs: number;
}) => Server;

/**
 * Starts dynalite (an in-memory DynamoDB emulator) on loopback with a dedupe table shaped
 * like the deployed one, and returns a real SDK client for it.
 */
export async function startDedupeTable(tableName = 'relay-dedupe'): Promise<{
  client: DynamoDBClient;
  tableName: string;
  close: () => Promise<void>;
}> {
  const server = startDynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: DEDUPE_KEY_ATTRIBUTE, KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: DEDUPE_KEY_ATTRIBUTE, AttributeType: 'S' }],
    }),
  );
  return {
    client,
    tableName,
    close: async () => {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
