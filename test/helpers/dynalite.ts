import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';

// dynalite ships no type declarations; its factory returns a node:http server.
const dynalite = createRequire(import.meta.url)('dynalite') as (options: {
  createTableMs: number;
}) => Server;

/** Maximum wait for a new table to become ACTIVE, in milliseconds. */
const TABLE_ACTIVE_TIMEOUT_MS = 10_000;

export interface Dynalite {
  /** A real AWS SDK client pointed at the emulator. */
  client: DynamoDBClient;
  close(): Promise<void>;
}

/** Starts dynalite, an in-memory DynamoDB emulator, on a free loopback port. */
export async function startDynalite(region = 'us-east-1'): Promise<Dynalite> {
  const server = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${port}`,
    region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  return {
    client,
    async close() {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Creates an on-demand table with a string partition key, as the CDK app deploys them, and
 * waits until it is ACTIVE, so that no request of a test on a busy machine finds it missing.
 */
export async function createActiveTable(
  client: DynamoDBClient,
  name: string,
  partitionKey: string,
): Promise<string> {
  await client.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: partitionKey, AttributeType: 'S' }],
      KeySchema: [{ AttributeName: partitionKey, KeyType: 'HASH' }],
    }),
  );
  await untilActive(client, name);
  return name;
}

/**
 * Waits until the table is ACTIVE. dynalite returns from CreateTable while the table is
 * still CREATING and returns ResourceNotFoundException for it until a timer marks it ACTIVE.
 */
export async function untilActive(client: DynamoDBClient, name: string): Promise<void> {
  const deadline = Date.now() + TABLE_ACTIVE_TIMEOUT_MS;
  for (;;) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
    if (Table?.TableStatus === 'ACTIVE') return;
    if (Date.now() > deadline) {
      throw new Error(`dynalite table ${name} is still ${Table?.TableStatus} after 10 s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
