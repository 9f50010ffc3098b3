import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetItemCommand, PutItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import {
  DEDUPE_CONTENT_HASH_ATTRIBUTE,
  DEDUPE_KEY_ATTRIBUTE,
  DEDUPE_QUEUED_RECORDS_ATTRIBUTE,
  DEDUPE_TTL_ATTRIBUTE,
  DynamoDbDedupeStore,
} from '../../functions/dedupe/dynamodb.ts';
import { InMemoryDedupeStore, type DedupeStore } from '../../functions/dedupe/store.ts';
import { startDedupeTable } from './dynamodb-table.ts';

let table: Awaited<ReturnType<typeof startDedupeTable>>;
let clock = Date.parse('2026-03-01T12:00:00Z');
const now = () => clock;

beforeAll(async () => {
  table = await startDedupeTable();
});
afterAll(async () => {
  await table?.close();
});

const dynamoDbStore = () =>
  new DynamoDbDedupeStore({ client: table.client, tableName: table.tableName, now });

const stores: [string, () => DedupeStore][] = [
  ['in memory', () => new InMemoryDedupeStore(now)],
  ['DynamoDB', dynamoDbStore],
];

/** Reads the item of `key` as DynamoDB stores it, with attribute types. */
async function readItem(key: string) {
  const output = await table.client.send(
    new GetItemCommand({ TableName: table.tableName, Key: { [DEDUPE_KEY_ATTRIBUTE]: { S: key } } }),
  );
  return output.Item;
}

describe.each(stores)('dedupe store %s', (_name, createStore) => {
  it('finds nothing it was not told', async () => {
    const store = createStore();
    const seen = await store.findSeen([`never-${_name}`]);
    expect(seen.size).toBe(0);
  });

  it('finds a remembered key with its delivery id', async () => {
    const store = createStore();
    await store.remember([`a-${_name}`, `b-${_name}`], { deliveryId: 'delivery-1' }, 3600);

    const seen = await store.findSeen([`a-${_name}`, `c-${_name}`, `b-${_name}`]);
    expect([...seen.keys()].sort()).toEqual([`a-${_name}`, `b-${_name}`]);
    expect(seen.get(`a-${_name}`)).toStrictEqual({ deliveryId: 'delivery-1' });
  });

  it('returns the content hash stored with a key', async () => {
    const store = createStore();
    await store.remember(
      [`subject-${_name}`],
      { deliveryId: 'delivery-4', contentHash: 'a1b2' },
      3600,
    );

    const seen = await store.findSeen([`subject-${_name}`]);
    expect(seen.get(`subject-${_name}`)).toStrictEqual({
      deliveryId: 'delivery-4',
      contentHash: 'a1b2',
    });
  });

  it('stores an entry per key from a function', async () => {
    const store = createStore();
    const [first, second] = [`first-${_name}`, `second-${_name}`];
    await store.remember(
      [first, second],
      (key) =>
        key === first
          ? { deliveryId: 'delivery-5', contentHash: 'c3d4' }
          : { deliveryId: 'delivery-5' },
      3600,
    );

    const seen = await store.findSeen([first, second]);
    expect(seen.get(first)).toStrictEqual({ deliveryId: 'delivery-5', contentHash: 'c3d4' });
    expect(seen.get(second)).toStrictEqual({ deliveryId: 'delivery-5' });
  });

  it('stores and clears the queued records of a key', async () => {
    const store = createStore();
    const key = `partial-${_name}`;
    await store.remember([key], { deliveryId: 'delivery-9', queuedRecords: [0, 2, 11] }, 3600);
    const partly = (await store.findSeen([key])).get(key);
    await store.remember([key], { deliveryId: 'delivery-10' }, 3600);
    const whole = (await store.findSeen([key])).get(key);

    expect(partly).toStrictEqual({ deliveryId: 'delivery-9', queuedRecords: [0, 2, 11] });
    expect(whole).toStrictEqual({ deliveryId: 'delivery-10' });
  });

  it('replaces the content hash of a key', async () => {
    const store = createStore();
    await store.remember([`flip-${_name}`], { deliveryId: 'delivery-6', contentHash: 'e5' }, 3600);
    await store.remember([`flip-${_name}`], { deliveryId: 'delivery-7', contentHash: 'f6' }, 3600);

    const seen = await store.findSeen([`flip-${_name}`]);
    expect(seen.get(`flip-${_name}`)).toStrictEqual({
      deliveryId: 'delivery-7',
      contentHash: 'f6',
    });
  });

  it('forgets a key after its time to live', async () => {
    const store = createStore();
    await store.remember([`expiring-${_name}`], { deliveryId: 'delivery-2' }, 60);
    clock += 61_000;
    const seen = await store.findSeen([`expiring-${_name}`]);
    expect(seen.size).toBe(0);
  });

  it('handles more keys than one batch takes', async () => {
    const store = createStore();
    const keys = Array.from({ length: 130 }, (_, index) => `bulk-${_name}-${index}`);
    await store.remember(keys, { deliveryId: 'delivery-3' }, 3600);

    const seen = await store.findSeen([...keys, `other-${_name}`]);
    expect(seen.size).toBe(130);
  });
});

describe('DynamoDB dedupe store items', () => {
  it('keeps the content hash in its own attribute', async () => {
    const store = dynamoDbStore();
    await store.remember(
      ['item-with-hash'],
      { deliveryId: 'delivery-8', contentHash: '9a8b' },
      3600,
    );
    await store.remember(['item-without-hash'], { deliveryId: 'delivery-8' }, 3600);

    expect((await readItem('item-with-hash'))?.[DEDUPE_CONTENT_HASH_ATTRIBUTE]).toEqual({
      S: '9a8b',
    });
    expect(await readItem('item-without-hash')).not.toHaveProperty(DEDUPE_CONTENT_HASH_ATTRIBUTE);
  });
});

describe('DynamoDB dedupe store queued records', () => {
  const write = (key: string, queuedRecords: AttributeValue) =>
    table.client.send(
      new PutItemCommand({
        TableName: table.tableName,
        Item: {
          [DEDUPE_KEY_ATTRIBUTE]: { S: key },
          deliveryId: { S: 'delivery-12' },
          [DEDUPE_TTL_ATTRIBUTE]: { N: String(Math.floor(clock / 1000) + 3600) },
          [DEDUPE_QUEUED_RECORDS_ATTRIBUTE]: queuedRecords,
        },
      }),
    );

  it('stores a list of numbers', async () => {
    const store = dynamoDbStore();
    await store.remember(['item-partly-queued'], { deliveryId: 'd', queuedRecords: [1, 4] }, 60);
    await store.remember(['item-queued-whole'], { deliveryId: 'd' }, 60);

    expect((await readItem('item-partly-queued'))?.[DEDUPE_QUEUED_RECORDS_ATTRIBUTE]).toEqual({
      L: [{ N: '1' }, { N: '4' }],
    });
    expect(await readItem('item-queued-whole')).not.toHaveProperty(DEDUPE_QUEUED_RECORDS_ATTRIBUTE);
  });

  it.each<[string, AttributeValue]>([
    ['a list with a string', { L: [{ N: '0' }, { S: '1' }] }],
    ['a list with a fraction', { L: [{ N: '0.5' }] }],
    ['a number set', { NS: ['0', '1'] }],
    ['a string', { S: '0,1' }],
  ])('reads %s as no record queued', async (_case, queuedRecords) => {
    const key = `item-unreadable-${_case}`;
    await write(key, queuedRecords);

    const entry = (await dynamoDbStore().findSeen([key])).get(key);

    expect(entry).toStrictEqual({ deliveryId: 'delivery-12', queuedRecords: [] });
  });
});
