import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canonicalJson,
  contentHash,
  deliveryKey,
  subjectKey,
} from '../../functions/dedupe/keys.ts';
import type { Observable } from '../../functions/records/observable.ts';
import type { RelayRecord } from '../../functions/records/record.ts';
import { getSource } from '../../functions/sources/index.ts';

const receivedAt = new Date('2026-03-01T12:00:00.000Z');
const observable: Observable = { type: 'domain', value: 'login-example.net' };
const lookup: RelayRecord = {
  kind: 'threat_lookup_result',
  observable,
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

describe('contentHash', () => {
  it('ignores key order', () => {
    const reordered = JSON.parse(canonicalJson(lookup)) as RelayRecord;
    expect(contentHash(reordered, receivedAt)).toBe(contentHash(lookup, receivedAt));
  });

  it('ignores a timestamp taken from the receive time', () => {
    const first = { ...lookup, lookedUpAt: receivedAt.toISOString() };
    const redelivered = { ...lookup, lookedUpAt: '2026-03-01T12:05:00.000Z' };
    const later = new Date('2026-03-01T12:05:00.000Z');
    expect(contentHash(first, receivedAt)).toBe(contentHash(redelivered, later));
  });

  it('keeps a timestamp the vendor sent', () => {
    const updated = { ...lookup, lookedUpAt: '2026-02-28T09:00:00.000Z' };
    expect(contentHash(updated, receivedAt)).not.toBe(contentHash(lookup, receivedAt));
  });

  it('changes with the finding', () => {
    const clean: RelayRecord = { ...lookup, finding: 'Clean' };
    expect(contentHash(clean, receivedAt)).not.toBe(contentHash(lookup, receivedAt));
  });

  it('keeps a GuardDuty finding re-sent with a new count', () => {
    const event = JSON.parse(readFileSync('events/guardduty/ssh-brute-force.json', 'utf8'));
    const resent = structuredClone(event);
    resent.detail.updatedAt = '2025-05-30T10:15:42.531Z';
    resent.detail.service.count = 42;
    const adapter = getSource('guardduty')!;
    const hashesOf = (payload: unknown) =>
      adapter
        .normalize(adapter.payloadSchema.parse(payload), { receivedAt })
        .map((record) => contentHash(record, receivedAt));

    const firstHashes = hashesOf(event);
    const resentHashes = hashesOf(resent);
    expect(firstHashes.length).toBeGreaterThan(0);
    expect(resentHashes).toHaveLength(firstHashes.length);
    // Every record changes, so the update is delivered in full and not swallowed as a duplicate.
    for (const resentHash of resentHashes) expect(firstHashes).not.toContain(resentHash);
    expect(hashesOf(structuredClone(event))).toEqual(firstHashes);
  });
});

describe('subjectKey', () => {
  const keyOf = (record: RelayRecord, source = 'generic') =>
    subjectKey(source, record, contentHash(record, receivedAt));
  const enrichment: RelayRecord = {
    kind: 'observable_enrichment',
    observable,
    source: 'Example Feed',
    summary: 'registered yesterday',
  };
  const ciEnrichment: RelayRecord = {
    kind: 'ci_enrichment',
    ci: 'web-01.example.com',
    source: 'Example EDR',
    summary: 'agent healthy',
  };
  const mapping: RelayRecord = {
    kind: 'enrichment_mapping',
    enrichmentMappingId: 'a'.repeat(32),
    rawData: '{"observable":"198.51.100.7"}',
  };

  it('ignores the verdict and the details', () => {
    const clean: RelayRecord = { ...lookup, finding: 'Clean', summary: 'nothing found' };
    expect(keyOf(clean)).toBe(keyOf(lookup));
  });

  it('ignores the details of an enrichment', () => {
    expect(keyOf({ ...ciEnrichment, summary: 'agent offline' })).toBe(keyOf(ciEnrichment));
    expect(keyOf({ ...enrichment, summary: 'parked' })).toBe(keyOf(enrichment));
  });

  it.each<[string, RelayRecord]>([
    ['observable value', { ...lookup, observable: { type: 'domain', value: 'other-example.net' } }],
    ['observable type', { ...lookup, observable: { type: 'url', value: 'login-example.net' } }],
    ['vendor', { ...lookup, source: 'Other Feed' }],
    ['kind', enrichment],
  ])('differs by %s', (_field, other) => {
    expect(keyOf(other)).not.toBe(keyOf(lookup));
  });

  it('differs by CI and vendor', () => {
    expect(keyOf({ ...ciEnrichment, ci: 'web-02.example.com' })).not.toBe(keyOf(ciEnrichment));
    expect(keyOf({ ...ciEnrichment, source: 'Other EDR' })).not.toBe(keyOf(ciEnrichment));
  });

  it('differs between sources', () => {
    expect(keyOf(lookup, 'generic')).not.toBe(keyOf(lookup, 'standard-webhooks'));
  });

  it('keys an enrichment mapping by its content', () => {
    const other: RelayRecord = { ...mapping, rawData: '{"observable":"198.51.100.8"}' };
    expect(keyOf(other)).not.toBe(keyOf(mapping));
    expect(keyOf(mapping)).toContain(contentHash(mapping, receivedAt));
  });

  it('stays short for the longest observable', () => {
    const long: RelayRecord = {
      ...lookup,
      observable: { type: 'url', value: `https://example.com/${'a'.repeat(8_000)}` },
    };
    // DynamoDB limits a partition key to 2,048 bytes.
    expect(Buffer.byteLength(keyOf(long))).toBeLessThan(200);
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
