import * as z from 'zod';
import { relayRecordSchema } from '../records/record.ts';

/** One record on its way to the instance: the body of one queue message. */
export const deliveryMessageSchema = z.object({
  version: z.literal(1),
  /** Id the ingest function returned to the sender; shared by all records of one request. */
  deliveryId: z.string().min(1),
  /** Position of the record within its delivery, so each message has a unique id. */
  recordIndex: z.number().int().nonnegative(),
  source: z.string().min(1),
  receivedAt: z.iso.datetime(),
  record: relayRecordSchema,
});

export type DeliveryMessage = z.infer<typeof deliveryMessageSchema>;

const serialized = new WeakMap<DeliveryMessage, string>();

/**
 * The noncharacters U+FFFE and U+FFFF. The SendMessage reference allows only #x9, #xA,
 * #xD, #x20 to #xD7FF, #xE000 to #xFFFD and #x10000 to #x10FFFF in a message body, and
 * JSON.stringify escapes control characters and lone surrogates but not these two.
 */
const REJECTED_BY_SQS = /[\uFFFE\uFFFF]/g;

/**
 * Returns the JSON of a value as an SQS message body: JSON.stringify's text with U+FFFE and
 * U+FFFF written as escapes, so SQS takes every value and JSON.parse still reads it back.
 */
export function toQueueJson(value: unknown): string {
  return JSON.stringify(value).replace(
    REJECTED_BY_SQS,
    (character) => `\\u${character.charCodeAt(0).toString(16)}`,
  );
}

/**
 * Returns a message's queue body, its JSON. Ingest checks the size of each body before the
 * queue sends it, so the text is kept per message object and built only once. A message
 * must not change after its body was read.
 */
export function serializeMessage(message: DeliveryMessage): string {
  let body = serialized.get(message);
  if (body === undefined) {
    body = toQueueJson(message);
    serialized.set(message, body);
  }
  return body;
}

/** The id that names one record of one delivery in logs and in the dead-letter queue. */
export function messageId(message: Pick<DeliveryMessage, 'deliveryId' | 'recordIndex'>): string {
  return `${message.deliveryId}#${message.recordIndex}`;
}

/** The ids of a queued record, read from a delivery message or from a body that fails to parse as one. */
export interface RecordIds {
  source?: string;
  deliveryId?: string;
  recordIndex?: number;
  kind?: string;
}

/** Reads the ids a delivery message body holds, skipping any that is missing or of the wrong type. */
export function idsInBody(body: string): RecordIds {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return {};
  }
  if (typeof json !== 'object' || json === null) return {};
  const { source, deliveryId, recordIndex, record } = json as Record<string, unknown>;
  const kind =
    typeof record === 'object' && record !== null ? (record as { kind?: unknown }).kind : undefined;
  return {
    ...(typeof source === 'string' && { source }),
    ...(typeof deliveryId === 'string' && { deliveryId }),
    ...(Number.isInteger(recordIndex) && { recordIndex: recordIndex as number }),
    ...(typeof kind === 'string' && { kind }),
  };
}
