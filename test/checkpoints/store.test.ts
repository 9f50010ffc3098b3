import { createHash } from 'node:crypto';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckpointError, type PullStateStore } from '../../functions/checkpoints/checkpoint.ts';
import { DynamoDbPullState } from '../../functions/checkpoints/dynamodb.ts';
import { InMemoryPullState } from '../../functions/checkpoints/in-memory.ts';
import { startDynamoDb, type LocalDynamoDb } from './dynalite.ts';

let dynamo: LocalDynamoDb;
let tables = 0;

beforeAll(async () => {
  dynamo = await startDynamoDb();
});
afterAll(async () => {
  await dynamo.close();
});

const T0 = new Date('2026-12-01T12:00:00Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

const stores: Array<[string, () => Promise<PullStateStore>]> = [
  ['in memory', async () => new InMemoryPullState()],
  [
    'DynamoDB',
    async () => {
      tables += 1;
      return new DynamoDbPullState(
        dynamo.client,
        await dynamo.createTable(`checkpoints-${tables}`),
      );
    },
  ],
];

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  return error instanceof CheckpointError ? error.code : String(error);
}

describe.each(stores)('checkpoint store (%s)', (_name, createStore) => {
  it('starts a new job at version 0', async () => {
    const store = await createStore();

    const checkpoint = await store.acquire('job-a', 'run-1', at(60), T0);

    expect(checkpoint).toEqual({ jobId: 'job-a', version: 0, boundaryKeys: [] });
  });

  it('rejects a second run while the lease holds', async () => {
    const store = await createStore();
    await store.acquire('job-a', 'run-1', at(60), T0);

    expect(await codeOf(store.acquire('job-a', 'run-2', at(120), at(30)))).toBe('run_in_progress');
  });

  it('hands an expired lease to the next run', async () => {
    const store = await createStore();
    await store.acquire('job-a', 'run-1', at(60), T0);

    await expect(store.acquire('job-a', 'run-2', at(200), at(61))).resolves.toMatchObject({
      version: 0,
    });
    expect(await codeOf(store.save('job-a', 'run-1', 0, { boundaryKeys: [] }, at(62)))).toBe(
      'checkpoint_conflict',
    );
  });

  it('saves, bumps the version and releases the lease', async () => {
    const store = await createStore();
    await store.acquire('job-a', 'run-1', at(60), T0);
    const state = {
      watermark: '2026-12-01T11:59:00.000Z',
      boundaryKeys: ['threatfox:9'],
      traversal: {
        since: '2026-12-01T11:00:00.000Z',
        cursor: '3',
        highest: '2026-12-01T11:59:30.000Z',
        highestKeys: ['k'],
        startedAt: T0.toISOString(),
      },
    };

    await store.save('job-a', 'run-1', 0, state, at(10));
    const next = await store.acquire('job-a', 'run-2', at(100), at(11));

    expect(next).toEqual({ jobId: 'job-a', version: 1, ...state, updatedAt: at(10).toISOString() });
  });

  it('removes a finished traversal', async () => {
    const store = await createStore();
    await store.acquire('job-a', 'run-1', at(60), T0);
    await store.save(
      'job-a',
      'run-1',
      0,
      {
        boundaryKeys: [],
        traversal: { since: T0.toISOString(), highestKeys: [], startedAt: T0.toISOString() },
      },
      at(1),
    );
    await store.acquire('job-a', 'run-2', at(60), at(2));

    await store.save(
      'job-a',
      'run-2',
      1,
      { watermark: T0.toISOString(), boundaryKeys: ['x'] },
      at(3),
    );

    expect(await store.read('job-a')).toEqual({
      jobId: 'job-a',
      version: 2,
      watermark: T0.toISOString(),
      boundaryKeys: ['x'],
      updatedAt: at(3).toISOString(),
    });
  });

  it('rejects a save from a stale version', async () => {
    const store = await createStore();
    await store.acquire('job-a', 'run-1', at(60), T0);
    await store.save('job-a', 'run-1', 0, { watermark: T0.toISOString(), boundaryKeys: [] }, at(1));
    await store.acquire('job-a', 'run-2', at(60), at(2));

    expect(
      await codeOf(
        store.save(
          'job-a',
          'run-2',
          0,
          { watermark: at(5).toISOString(), boundaryKeys: [] },
          at(3),
        ),
      ),
    ).toBe('checkpoint_conflict');
    expect((await store.read('job-a'))?.watermark).toBe(T0.toISOString());
  });

  it('releases only its own lease', async () => {
    const store = await createStore();
    await store.acquire('job-a', 'run-1', at(60), T0);

    await store.release('job-a', 'run-other');
    expect(await codeOf(store.acquire('job-a', 'run-2', at(60), at(1)))).toBe('run_in_progress');

    await store.release('job-a', 'run-1');
    await expect(store.acquire('job-a', 'run-2', at(60), at(1))).resolves.toMatchObject({
      version: 0,
    });
  });

  it('keeps jobs apart', async () => {
    const store = await createStore();
    await store.acquire('job-a', 'run-1', at(60), T0);

    await expect(store.acquire('job-b', 'run-2', at(60), T0)).resolves.toMatchObject({
      jobId: 'job-b',
    });
  });

  it('finds marked items until they expire', async () => {
    const store = await createStore();
    const longKey = `urlhaus:http://malware.example.com/${'a'.repeat(3000)}`;
    await store.markSeen('job-a', 'threatfox:1', 'queued', at(3600));
    await store.markSeen('job-a', longKey, 'rejected', at(3600));
    await store.markSeen('job-a', 'threatfox:old', 'queued', at(10));

    const seen = await store.findSeen(
      'job-a',
      ['threatfox:1', longKey, 'threatfox:old', 'threatfox:2'],
      at(60),
    );

    expect([...seen].sort()).toEqual(['threatfox:1', longKey].sort());
    expect(await store.findSeen('job-b', ['threatfox:1'], at(60))).toEqual(new Set());
  });

  it('reads more keys than one batch holds', async () => {
    const store = await createStore();
    const keys = Array.from({ length: 250 }, (_, index) => `otx:pulse:${index}`);
    for (const key of keys.filter((_, index) => index % 2 === 0)) {
      await store.markSeen('job-a', key, 'queued', at(3600));
    }

    const seen = await store.findSeen('job-a', keys, T0);

    expect(seen.size).toBe(125);
    expect(seen.has('otx:pulse:248')).toBe(true);
    expect(seen.has('otx:pulse:249')).toBe(false);
  });
});

describe('DynamoDB dedupe items', () => {
  it('carry the TTL attribute in epoch seconds', async () => {
    tables += 1;
    const table = await dynamo.createTable(`checkpoints-${tables}`);
    const store = new DynamoDbPullState(dynamo.client, table);

    await store.markSeen('job-a', 'threatfox:1', 'queued', new Date('2026-12-31T00:00:00Z'));

    const digest = createHash('sha256').update('threatfox:1').digest('hex');
    const { Item } = await dynamo.client.send(
      new GetItemCommand({
        TableName: table,
        Key: { pk: { S: `seen#job-a#${digest}` } },
        ConsistentRead: true,
      }),
    );
    expect(Item?.expiresAt).toEqual({ N: String(Date.parse('2026-12-31T00:00:00Z') / 1000) });
    expect(Item?.outcome).toEqual({ S: 'queued' });
  });
});
