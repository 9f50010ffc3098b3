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
 * Returns a message's queue body, its JSON. Ingest checks the size of each body before the
 * queue sends it, so the text is kept per message object and built only once. A message
 * must not change after its body was read.
 */
export function serializeMessage(message: DeliveryMessage): string {
  let body = serialized.get(message);
  if (body === undefined) {
    body = JSON.stringify(message);
    serialized.set(message, body);
  }
  return body;
}

/** The id that names one record of one delivery in logs and in the dead-letter queue. */
export function messageId(message: Pick<DeliveryMessage, 'deliveryId' | 'recordIndex'>): string {
  return `${message.deliveryId}#${message.recordIndex}`;
}
