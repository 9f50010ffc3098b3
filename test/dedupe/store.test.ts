import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbDedupeStore } from '../../functions/dedupe/dynamodb.ts';
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

const stores: [string, () => DedupeStore][] = [
  ['in memory', () => new InMemoryDedupeStore(now)],
  [
    'DynamoDB',
    () => new DynamoDbDedupeStore({ client: table.client, tableName: table.tableName, now }),
  ],
];

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
    expect(seen.get(`a-${_name}`)).toEqual({ deliveryId: 'delivery-1' });
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
