/** Stable codes of a failed pull run; docs/pulls.md lists what each means and what to do. */
export type PullErrorCode =
  | 'job_not_found'
  | 'job_invalid'
  | 'source_not_registered'
  | 'vendor_url_not_allowed'
  | 'api_key_missing'
  | 'checkpoint_in_future'
  | 'vendor_unavailable'
  | 'vendor_rejected'
  | 'vendor_redirect'
  | 'vendor_response_invalid'
  | 'vendor_response_too_large'
  | 'queue_unavailable';

/**
 * A pull run that failed. The checkpoint is left as it was, so the next scheduled run reads
 * the same window again. Items that were enqueued before the failure are marked as sent, so
 * they are not sent twice.
 */
export class PullError extends Error {
  readonly code: PullErrorCode;

  constructor(code: PullErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PullError';
    this.code = code;
  }
}

/**
 * Ends a run early but cleanly: the function's deadline is near, or the vendor asked to wait
 * longer than the run has left. The run saves how far it got, and the next run goes on from there.
 */
export class RunInterruption extends Error {
  readonly reason: 'deadline' | 'rate_limited';

  constructor(reason: RunInterruption['reason'], message: string) {
    super(message);
    this.name = 'RunInterruption';
    this.reason = reason;
  }
}
