import type { PullJob } from '../config/schema.ts';

/** One HTTP request to a vendor API. Headers carry the API key, so they are never logged. */
export interface VendorRequest {
  method: 'GET' | 'POST';
  url: URL;
  headers: Record<string, string>;
  body?: string;
}

/** A vendor's response after retries: any status the retry policy does not retry (2xx, most 4xx). */
export interface VendorResponse {
  status: number;
  headers: Headers;
  body: string;
}

/** What a job type needs to build one request. */
export interface PageRequestContext<Job extends PullJob = PullJob> {
  job: Job;
  /** The vendor API key from the job's secret. */
  apiKey: string;
  /** Secret values the request carries, redacted from any vendor text that an error quotes. */
  secrets: readonly string[];
  /** The job's `api.baseUrl`, already checked against the allow-list. */
  origin: string;
  /** Start of the window: the traversal reads items from this time on. */
  since: Date;
  /** The page to read, as the job type's previous `readPage` returned it; absent for the first page. */
  cursor: string | undefined;
  now: Date;
}

/** One item of a vendor's response, ready for the source adapter. */
export interface PulledItem {
  /**
   * Names this version of the item, such as "threatfox:841505" or the IP address with its
   * last report time. An item whose key was enqueued before is not enqueued again.
   */
  key: string;
  /** The item's time in ISO 8601 UTC, which the checkpoint follows; absent when the vendor gives none. */
  observedAt?: string;
  /** The item in the shape the source adapter's `payloadSchema` accepts. */
  payload: unknown;
}

/** An item that a job type left out, with the reason, so the run can log it. */
export interface SkippedItem {
  reason: string;
  detail: Record<string, unknown>;
}

/** One page of a vendor's response. */
export interface PulledPage {
  items: PulledItem[];
  /** The cursor of the next page; absent on the last page. */
  next?: string;
  skipped?: SkippedItem[];
  /**
   * True when the vendor returned as many items as it returns at most, so that older items
   * of the window may be missing; the run logs a warning when the oldest item is newer than
   * the window start.
   */
  truncated?: boolean;
}

/**
 * One vendor API that jobs pull from: how to ask for a page and how to read the response.
 * A module per vendor implements it (`functions/pull/jobs/`); the run core handles the
 * checkpoint, retries, deadline, dedupe and enqueueing, the same for every vendor.
 */
export interface PullJobType<Job extends PullJob = PullJob> {
  /** The source adapter that normalizes the items, such as "threatfox". */
  readonly source: Job['source'];
  /** Vendor name for messages, such as "ThreatFox". */
  readonly vendorName: string;
  /** The vendor's own API hosts, which `api.baseUrl` may name without `pulls.allowedHosts`. */
  readonly hosts: readonly string[];
  /**
   * True for feeds, whose items older than the window start are left out; false for jobs
   * that look the same things up again on every run (VirusTotal), where the dedupe key alone
   * decides what is new.
   */
  readonly windowed: boolean;
  /** How far back the vendor serves items, in hours; a longer window logs a warning about the gap. */
  readonly maxWindowHours?: number;
  /**
   * Returns the problems of a job's settings that the schema cannot see; the run stops on any.
   * Each problem starts with `jobPath`, such as `pulls.jobs[0]`.
   */
  validateJob?(job: Job, jobPath: string): string[];
  buildRequest(context: PageRequestContext<Job>): VendorRequest;
  /**
   * Reads one response into items.
   * @throws PullError `vendor_rejected` for an error response, `vendor_response_invalid` for a
   * body that is not the documented shape.
   */
  readPage(response: VendorResponse, context: PageRequestContext<Job>): PulledPage;
}
