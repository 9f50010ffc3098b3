import * as z from 'zod';
import {
  canonicalizeObservable,
  InvalidObservableError,
  MAX_OBSERVABLE_LENGTH,
  observableTypeSchema,
  parseObservable,
  type Observable,
} from '../../records/observable.ts';
import {
  ciEnrichmentSchema,
  enrichmentMappingRecordSchema,
  observableEnrichmentSchema,
  threatLookupResultSchema,
  type RelayRecord,
} from '../../records/record.ts';
import { isJsonObject, schemaByShape } from '../schema-by-shape.ts';

/** Most records one request may carry, so one request stays one quick batch for the queue. */
export const MAX_GENERIC_RECORDS = 500;

/**
 * Canonicalizes an observable given either as `{"type", "value"}` or as a plain string
 * whose type is detected. Turning a bad value into a schema issue (not a later error)
 * lets one response name every bad record of a batch with its path.
 */
function canonicalObservable(read: () => Observable, context: z.RefinementCtx): Observable {
  try {
    return read();
  } catch (error) {
    if (!(error instanceof InvalidObservableError)) throw error;
    context.addIssue({ code: 'custom', message: error.message });
    return z.NEVER;
  }
}

const plainObservableSchema = z
  .string()
  .min(1)
  .max(MAX_OBSERVABLE_LENGTH)
  .transform((value, context) => canonicalObservable(() => parseObservable(value), context));

const typedObservableSchema = z
  .strictObject({ type: observableTypeSchema, value: z.string().min(1).max(MAX_OBSERVABLE_LENGTH) })
  .transform((input, context) =>
    canonicalObservable(() => canonicalizeObservable(input.type, input.value), context),
  );

const observableInputSchema = schemaByShape(
  { plain: plainObservableSchema, typed: typedObservableSchema },
  (input) => (typeof input === 'string' ? 'plain' : 'typed'),
);

/** One record in the relay's own shape; strict, so a misspelt optional field is reported, not lost. */
export const genericRecordSchema = z.discriminatedUnion('kind', [
  threatLookupResultSchema.extend({ observable: observableInputSchema }).strict(),
  observableEnrichmentSchema.extend({ observable: observableInputSchema }).strict(),
  ciEnrichmentSchema.strict(),
  enrichmentMappingRecordSchema.strict(),
]);

const recordListSchema = z
  .array(genericRecordSchema)
  .max(
    MAX_GENERIC_RECORDS,
    `A request may carry at most ${MAX_GENERIC_RECORDS} records; split the batch into several requests.`,
  );

/**
 * Schema of the body of a `generic` webhook: one record, an array of records, or
 * `{"records": [...]}`.
 * Issue paths are those of the body as sent, such as `records[3].finding` or `[3].finding`.
 */
export const genericPayloadSchema: z.ZodType<GenericPayload, unknown> = schemaByShape(
  {
    array: recordListSchema.transform((records) => ({ records })),
    wrapped: z.strictObject({ records: recordListSchema }),
    single: genericRecordSchema.transform((record) => ({ records: [record] })),
  },
  (input) => {
    if (Array.isArray(input)) return 'array';
    if (isJsonObject(input) && 'records' in input) return 'wrapped';
    return 'single';
  },
);

export interface GenericPayload {
  records: RelayRecord[];
}
