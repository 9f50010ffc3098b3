import { hash } from 'node:crypto';
import type { RelayRecord } from '../records/record.ts';

/** Identity of one delivery as its sender knows it; ingest fills it from the request or event. */
export interface DeliveryIdentity {
  /** The relay's source id, so two sources never share a key. */
  source: string;
  /** The sender's own delivery id (Standard Webhooks `webhook-id`), kept across its retries. */
  senderDeliveryId?: string;
  /** The EventBridge event id, kept across EventBridge's retries of the event. */
  eventId?: string;
}

/**
 * Returns the dedupe key of a whole delivery, or undefined when the sender gave no id that
 * stays the same across its retries. Then each record is keyed by its content instead.
 */
export function deliveryKey(identity: DeliveryIdentity): string | undefined {
  if (identity.senderDeliveryId !== undefined) {
    return `delivery#${identity.source}#${identity.senderDeliveryId}`;
  }
  if (identity.eventId !== undefined) return `event#${identity.source}#${identity.eventId}`;
  return undefined;
}

/**
 * Returns the dedupe key of one normalized record: a SHA-256 of its canonical JSON.
 *
 * Every field the vendor sent is in the hash, so a finding re-sent with a new `updatedAt`
 * or count (in its details or raw payload) gets a new key and is delivered again. The
 * timestamps a source filled in from the receive time are left out, because a redelivery
 * has a new receive time but no new data.
 */
export function recordKey(source: string, record: RelayRecord, receivedAt: Date): string {
  const hashed: Record<string, unknown> = { ...record };
  for (const field of ['lookedUpAt', 'enrichedAt'] as const) {
    const value = hashed[field];
    if (typeof value === 'string' && Date.parse(value) === receivedAt.getTime()) {
      delete hashed[field];
    }
  }
  const digest = hash('sha256', canonicalJson(hashed), 'hex');
  return `record#${source}#${digest}`;
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
