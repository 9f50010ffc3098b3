import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { DynamoDbPullState } from '../../functions/checkpoints/dynamodb.ts';
import type { RelayConfigInput } from '../../functions/config/schema.ts';
import { startDynamoDb, type LocalDynamoDb } from '../checkpoints/dynalite.ts';
import { pullHarness, type PullHarness } from './harness.ts';
import { startVendorServer, type VendorServer } from './vendor-server.ts';

type PullsInput = NonNullable<RelayConfigInput['pulls']>;
export type JobInput = NonNullable<PullsInput['jobs']>[number];

export interface PullEnvironment {
  /** The fake vendor of the current test; a new one starts for every test. */
  readonly vendor: VendorServer;
  /**
   * Builds a harness for these jobs whose checkpoints live in a fresh table of the local
   * DynamoDB, with its clock at `clockAt` when given and any other `pulls` settings.
   */
  harness(
    jobs: JobInput[],
    clockAt?: string,
    settings?: Omit<PullsInput, 'jobs'>,
  ): Promise<PullHarness>;
}

/**
 * Registers the hooks that start dynalite once per file and a fake vendor per test, and
 * returns access to both. Call it at the top level of a test file.
 */
export function usePullEnvironment(): PullEnvironment {
  let dynamo: LocalDynamoDb;
  let vendor: VendorServer;
  let tables = 0;

  beforeAll(async () => {
    dynamo = await startDynamoDb();
  });
  afterAll(async () => {
    await dynamo.close();
  });
  beforeEach(async () => {
    vendor = await startVendorServer();
  });
  afterEach(async () => {
    await vendor.close();
  });

  return {
    get vendor() {
      return vendor;
    },
    async harness(jobs, clockAt, settings) {
      tables += 1;
      const table = await dynamo.createTable(`pull-state-${tables}`);
      const h = pullHarness(
        { pulls: { ...settings, jobs } },
        new DynamoDbPullState(dynamo.client, table),
      );
      if (clockAt !== undefined) h.clock.advance(Date.parse(clockAt) - h.clock.now().getTime());
      return h;
    },
  };
}
