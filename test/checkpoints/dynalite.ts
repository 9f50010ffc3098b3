import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PARTITION_KEY } from '../../functions/checkpoints/dynamodb.ts';

// dynalite ships no type declarations; its factory returns a node:http server.
const dynalite = createRequire(import.meta.url)('dynalite') as (options: {
  createTableMs: number;
}) => Server;

export interface LocalDynamoDb {
  client: DynamoDBClient;
  /** Creates a table shaped like the one the CDK app deploys, and returns its name. */
  createTable(name: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * Starts dynalite, an in-memory DynamoDB emulator, on a free loopback port, with a real AWS
 * SDK client pointed at it.
 */
export async function startDynamoDb(): Promise<LocalDynamoDb> {
  const server = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  return {
    client,
    async createTable(name) {
      await client.send(
        new CreateTableCommand({
          TableName: name,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [{ AttributeName: PARTITION_KEY, AttributeType: 'S' }],
          KeySchema: [{ AttributeName: PARTITION_KEY, KeyType: 'HASH' }],
        }),
      );
      return name;
    },
    async close() {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
