import type * as z from 'zod';
import type { RelayRecord } from '../records/record.ts';

/** The facts about a request, besides its payload, that a source may use. */
export interface SourceContext {
  receivedAt: Date;
  /**
   * Reports an item the source deliberately turned into no record (an AWS sample finding,
   * an archived finding), so ingest can log it with the delivery id and count it.
   */
  skip?(reason: string, detail: Record<string, unknown>): void;
}

/** The EventBridge events an event-driven source handles, matched on the envelope. */
export interface EventBridgeMatch {
  /** Values of the event's `source`, such as "aws.guardduty". */
  readonly sources: readonly string[];
  /** Values of the event's `detail-type`, such as "GuardDuty Finding". */
  readonly detailTypes: readonly string[];
}

/**
 * One vendor or service the relay accepts data from. Authentication is configured per
 * source (see `sources` in the configuration); the adapter only parses and normalizes,
 * so both steps can be tested without a request.
 */
export interface SourceAdapter<Payload = unknown> {
  /** Id in the webhook path `/webhooks/{id}` and in the configuration. */
  readonly id: string;
  /**
   * Vendor name written to each record's `source`, such as "VirusTotal". Sources whose
   * records name their own vendor, such as `generic`, use it only as a label.
   */
  readonly vendorName: string;
  /**
   * How the source's data arrives: `webhook` (the default) through `POST /webhooks/{id}`,
   * or `eventbridge` through an EventBridge rule that invokes the ingest function. Locally,
   * `POST /webhooks/{id}` of an EventBridge source goes through that same event path.
   */
  readonly channel?: 'webhook' | 'eventbridge';
  /** For EventBridge sources: the events it handles; ingest rejects any other event. */
  readonly eventBridge?: EventBridgeMatch;
  /** Schema of the vendor's own JSON, exactly as its API or event emits it. */
  readonly payloadSchema: z.ZodType<Payload>;
  /** Turns a valid payload into zero or more records; throws NormalizationError for data it cannot use. */
  normalize(payload: Payload, context: SourceContext): RelayRecord[];
}

/**
 * A payload that passed its schema but holds nothing the relay can turn into a record
 * (an analysis descriptor without results, an unsupported object type). Ingest answers 422.
 */
export class NormalizationError extends Error {
  readonly code = 'unsupported_payload';
  /** Path of the offending field in the payload, such as ["data", "type"]. */
  readonly path: (string | number)[];

  constructor(message: string, path: (string | number)[] = [], options?: ErrorOptions) {
    super(message, options);
    this.name = 'NormalizationError';
    this.path = path;
  }
}
