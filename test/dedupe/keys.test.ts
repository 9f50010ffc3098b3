import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, deliveryKey, recordKey } from '../../functions/dedupe/keys.ts';
import type { RelayRecord } from '../../functions/records/record.ts';
import { getSource } from '../../functions/sources/index.ts';

const receivedAt = new Date('2026-03-01T12:00:00.000Z');
const lookup: RelayRecord = {
  kind: 'threat_lookup_result',
  observable: { type: 'domain', value: 'login-example.net' },
  finding: 'Suspicious',
  source: 'Example Feed',
  lookedUpAt: '2026-02-28T08:00:00.000Z',
};

describe('deliveryKey', () => {
  it('uses the sender delivery id first', () => {
    expect(
      deliveryKey({ source: 'standard-webhooks', senderDeliveryId: 'msg_1', eventId: 'e-1' }),
    ).toBe('delivery#standard-webhooks#msg_1');
  });

  it('uses the EventBridge event id next', () => {
    expect(deliveryKey({ source: 'guardduty', eventId: 'e-1' })).toBe('event#guardduty#e-1');
  });

  it('returns nothing without an id', () => {
    expect(deliveryKey({ source: 'generic' })).toBeUndefined();
  });
});

describe('recordKey', () => {
  it('ignores key order', () => {
    const reordered = JSON.parse(canonicalJson(lookup)) as RelayRecord;
    expect(recordKey('generic', reordered, receivedAt)).toBe(
      recordKey('generic', lookup, receivedAt),
    );
  });

  it('ignores a timestamp taken from the receive time', () => {
    const first = { ...lookup, lookedUpAt: receivedAt.toISOString() };
    const redelivered = { ...lookup, lookedUpAt: '2026-03-01T12:05:00.000Z' };
    const later = new Date('2026-03-01T12:05:00.000Z');
    expect(recordKey('generic', first, receivedAt)).toBe(recordKey('generic', redelivered, later));
  });

  it('keeps a timestamp the vendor sent', () => {
    const updated = { ...lookup, lookedUpAt: '2026-02-28T09:00:00.000Z' };
    expect(recordKey('generic', updated, receivedAt)).not.toBe(
      recordKey('generic', lookup, receivedAt),
    );
  });

  it('differs between sources', () => {
    expect(recordKey('generic', lookup, receivedAt)).not.toBe(
      recordKey('standard-webhooks', lookup, receivedAt),
    );
  });

  it('keeps a GuardDuty finding re-sent with a new count', () => {
    const event = JSON.parse(readFileSync('events/guardduty/ssh-brute-force.json', 'utf8'));
    const resent = structuredClone(event);
    resent.detail.updatedAt = '2025-05-30T10:15:42.531Z';
    resent.detail.service.count = 42;
    const adapter = getSource('guardduty')!;
    const keysOf = (payload: unknown) =>
      adapter
        .normalize(adapter.payloadSchema.parse(payload), { receivedAt })
        .map((record) => recordKey('guardduty', record, receivedAt));

    const firstKeys = keysOf(event);
    const resentKeys = keysOf(resent);
    expect(firstKeys.length).toBeGreaterThan(0);
    expect(resentKeys).toHaveLength(firstKeys.length);
    // Every record changes, so the update is delivered in full and not swallowed as a duplicate.
    for (const key of resentKeys) expect(firstKeys).not.toContain(key);
    expect(keysOf(structuredClone(event))).toEqual(firstKeys);
  });
});

/** Compares keys by UTF-16 code units, independent of locale. */
function byCodeUnits([a]: [string, unknown], [b]: [string, unknown]): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

/** Builds canonical JSON key by key, as the stored keys were made: the test's reference. */
function referenceCanonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(referenceCanonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value)
      .filter(([, entry]) => entry !== undefined)
      .sort(byCodeUnits)
      .map(([key, entry]) => `${JSON.stringify(key)}:${referenceCanonicalJson(entry)}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

describe('canonicalJson', () => {
  // Keys that sort differently as strings and as numbers, and one that a plain object would
  // turn into its prototype.
  const key = fc.oneof(
    fc.string(),
    fc.constantFrom('10', '2', '0', '01', '-1', '__proto__', 'é', 'Z'),
  );
  const value = fc.letrec((tie) => ({
    node: fc.oneof(
      { depthSize: 'small' },
      fc.oneof(fc.string(), fc.double(), fc.integer(), fc.boolean(), fc.constant(null)),
      fc.constant(undefined),
      fc.array(tie('node'), { maxLength: 4 }),
      fc.dictionary(key, tie('node'), { maxKeys: 5 }),
    ),
  })).node;

  it('matches the key-by-key reference', () => {
    fc.assert(
      fc.property(value, (input) => {
        expect(canonicalJson(input)).toBe(referenceCanonicalJson(input));
      }),
      { numRuns: 500 },
    );
  });

  it('keeps a __proto__ key as data', () => {
    const input = JSON.parse('{"b":1,"__proto__":{"x":true},"a":[{"d":2,"c":3}]}') as unknown;
    expect(canonicalJson(input)).toBe('{"__proto__":{"x":true},"a":[{"c":3,"d":2}],"b":1}');
  });
});
