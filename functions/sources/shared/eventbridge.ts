import * as z from 'zod';
import { isJsonObject } from '../schema-by-shape.ts';
import type { EventBridgeMatch } from '../source.ts';

/**
 * Builds the schema of an EventBridge event around a source's `detail` schema. Only `detail`
 * is required: ingest has already matched `source` and `detail-type` against the adapter's
 * `eventBridge` before it calls the schema, and events saved by tools often keep only
 * `region` and `detail`. When `source` or `detail-type` is present, it must be one the
 * adapter handles, so a Security Hub event sent to the GuardDuty source is rejected by name.
 */
export function eventBridgeEventSchema<Detail extends z.ZodType>(
  match: EventBridgeMatch,
  detail: Detail,
) {
  return z.looseObject({
    version: z.string().nullish(),
    id: z.string().nullish(),
    'detail-type': oneOf(match.detailTypes, 'detail-type').optional(),
    source: oneOf(match.sources, 'source').optional(),
    account: z.string().nullish(),
    time: z.string().nullish(),
    region: z.string().nullish(),
    resources: z.array(z.string()).nullish(),
    detail,
  });
}

/** The envelope members the adapters read besides `detail`. */
export interface EventBridgeEnvelope {
  'detail-type'?: string | undefined;
  account?: string | null | undefined;
  region?: string | null | undefined;
  time?: string | null | undefined;
}

/**
 * Checks for a JSON object with a `detail` member, the part of an EventBridge event that
 * carries the item. Unlike the ingest handler's full envelope check, this only distinguishes
 * a source's event form from its bare item forms.
 */
export function hasEventDetail(input: unknown): input is Record<string, unknown> {
  return isJsonObject(input) && 'detail' in input;
}

function oneOf(values: readonly string[], member: string) {
  const expected = values.map((value) => `"${value}"`).join(' or ');
  return z.string().refine((value) => values.includes(value), {
    error: (issue) => `The event's ${member} ${JSON.stringify(issue.input)} is not ${expected}.`,
  });
}
