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

/** The id that names one record of one delivery in logs and in the dead-letter queue. */
export function messageId(message: Pick<DeliveryMessage, 'deliveryId' | 'recordIndex'>): string {
  return `${message.deliveryId}#${message.recordIndex}`;
}
