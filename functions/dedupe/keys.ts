import { hash } from 'node:crypto';
import type { RelayRecord } from '../records/record.ts';

/** Identity of one delivery as its sender knows it; ingest fills it from the request or event. */
export interface DeliveryIdentity {
  /** The relay's source id, so two sources never share a key. */
  source: string;
  /**
   * The sender's own delivery id, kept across its retries: the Standard Webhooks `webhook-id`,
   * or the value of the source's `deliveryIdHeader`.
   */
  senderDeliveryId?: string;
  /** The EventBridge event id, kept across EventBridge's retries of the event. */
  eventId?: string;
}

/**
 * Returns the dedupe key of a whole delivery, or undefined when the sender gave no id that
 * stays the same across its retries. Then each record is keyed by its subject instead.
 */
export function deliveryKey(identity: DeliveryIdentity): string | undefined {
  if (identity.senderDeliveryId !== undefined) {
    return `delivery#${identity.source}#${keyPart(identity.senderDeliveryId)}`;
  }
  if (identity.eventId !== undefined) {
    return `event#${identity.source}#${keyPart(identity.eventId)}`;
  }
  return undefined;
}

/** Maximum id length kept as it is in a key, in UTF-8 bytes (DynamoDB keys take 2,048). */
const MAX_PLAIN_ID_BYTES = 512;

/** Returns a sender's id for use in a key: as it is, or its SHA-256 when it is too long. */
function keyPart(id: string): string {
  if (Buffer.byteLength(id) <= MAX_PLAIN_ID_BYTES) return id;
  return `sha256:${hash('sha256', id, 'hex')}`;
}

/**
 * Returns the content hash of one normalized record: a SHA-256 of its canonical JSON, hex.
 *
 * Every field the vendor sent is in the hash, so a finding re-sent with a new `updatedAt`
 * or count (in its details or raw payload) gets a new hash and is delivered again. The
 * timestamps a source filled in from the receive time are left out, because a redelivery
 * has a new receive time but no new data.
 */
export function contentHash(record: RelayRecord, receivedAt: Date): string {
  const hashed: Record<string, unknown> = { ...record };
  for (const field of ['lookedUpAt', 'enrichedAt'] as const) {
    const value = hashed[field];
    if (typeof value === 'string' && Date.parse(value) === receivedAt.getTime()) {
      delete hashed[field];
    }
  }
  return hash('sha256', canonicalJson(hashed), 'hex');
}

/**
 * Returns the dedupe key of what a record is about, per source: the observable and the
 * vendor for a threat lookup result or an observable enrichment, the CI and the vendor for
 * a CI enrichment. The store keeps the content hash of the last record accepted under the
 * key, so a record is a duplicate only when it repeats that last record.
 *
 * @param recordHash the record's `contentHash`, which is the subject of a kind without one
 */
export function subjectKey(source: string, record: RelayRecord, recordHash: string): string {
  let subject: string;
  switch (record.kind) {
    case 'threat_lookup_result':
    case 'observable_enrichment':
      subject = subjectHash([record.observable.type, record.observable.value, record.source]);
      break;
    case 'ci_enrichment':
      subject = subjectHash([record.ci, record.source]);
      break;
    case 'enrichment_mapping':
      // The mapping parses rawData into records the relay cannot see, so the content is the
      // subject: only a repeat of the same raw data within the time to live is a duplicate.
      subject = recordHash;
      break;
  }
  return `subject#${source}#${record.kind}#${subject}`;
}

/**
 * Hashes the parts of a subject, because an observable of up to 8,192 characters would not
 * fit DynamoDB's partition key limit of 2,048 bytes. A JSON array keeps the parts apart.
 */
function subjectHash(parts: string[]): string {
  return hash('sha256', JSON.stringify(parts), 'hex');
}

/** JSON with object keys sorted at every level, so equal records hash equally. */
export function canonicalJson(value: unknown): string {
  // A sorted copy serialized by JSON.stringify costs about two thirds of building the text
  // key by key. An object with an array-index key such as "10" cannot keep sorted order, because
  // JavaScript enumerates those keys first and in numeric order, so such values take the
  // slower path. Both give the same text, so keys stored by either path still match.
  const sorted = sortedCopy(value);
  if (sorted === UNSORTABLE) return canonicalJsonByHand(value);
  return JSON.stringify(sorted) ?? 'null';
}

const UNSORTABLE = Symbol('unsortable');
const ARRAY_INDEX_KEY = /^(?:0|[1-9][0-9]*)$/;

function sortedCopy(value: unknown): unknown {
  if (Array.isArray(value)) {
    const copy: unknown[] = [];
    for (const entry of value) {
      const sorted = sortedCopy(entry);
      if (sorted === UNSORTABLE) return UNSORTABLE;
      copy.push(sorted);
    }
    return copy;
  }
  if (typeof value !== 'object' || value === null) return value;
  const keys = Object.keys(value).sort();
  // A null prototype keeps a "__proto__" key an own property, as it is in the input.
  const copy = Object.create(null) as Record<string, unknown>;
  for (const key of keys) {
    if (ARRAY_INDEX_KEY.test(key)) return UNSORTABLE;
    const entry = (value as Record<string, unknown>)[key];
    if (entry === undefined) continue;
    const sorted = sortedCopy(entry);
    if (sorted === UNSORTABLE) return UNSORTABLE;
    copy[key] = sorted;
  }
  return copy;
}

function canonicalJsonByHand(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJsonByHand).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value)
      .filter(([, entry]) => entry !== undefined)
      .sort(([a], [b]) => compareKeys(a, b))
      .map(([key, entry]) => `${JSON.stringify(key)}:${canonicalJsonByHand(entry)}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Orders keys by UTF-16 code units, as a default sort does, independent of locale. */
function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
