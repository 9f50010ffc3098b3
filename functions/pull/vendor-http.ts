import type { Logger } from '@aws-lambda-powertools/logger';
import { backoffDelayMs, parseRetryAfter } from '../secops/retry.ts';
import { declaredLength, readBodyUpTo } from '../shared/bounded-body.ts';
import { formatCount } from '../shared/format-count.ts';
import { quoteRedacted, redactError, redactSecrets } from '../shared/redact.ts';
import { PullError, RunInterruption } from './errors.ts';
import type { VendorRequest, VendorResponse } from './job-type.ts';

export type Fetch = typeof globalThis.fetch;

/** Shortest time worth starting a request with; with less left before the deadline the run stops. */
const MIN_REQUEST_TIME_MS = 1000;

/**
 * Bytes read of an error response's body. The vendor rejected the request, so only the start
 * of the body is quoted, and its size is no reason to raise `maxResponseBytes`.
 */
export const ERROR_BODY_PREFIX_BYTES = 64 * 1024;

export interface VendorClientOptions {
  jobId: string;
  vendorName: string;
  /** Time one attempt may take, in milliseconds (`pulls.requestTimeoutMs`). */
  requestTimeoutMs: number;
  /** Attempts per request (`pulls.maxAttempts`). */
  maxAttempts: number;
  /** Largest response body read, in bytes (`pulls.maxResponseBytes`). */
  maxResponseBytes: number;
  /** Secret values the requests carry, replaced in any vendor text that an error quotes. */
  secrets: readonly string[];
  /** Minimum wait between two requests, in milliseconds (the job's `requestIntervalMs`). */
  minIntervalMs: number;
  logger: Logger;
  fetch?: Fetch;
  /** Epoch milliseconds; the deadline is measured on this clock. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/**
 * Sends a job's requests to its vendor with the vendor's etiquette:
 *
 * - 429 waits for `Retry-After` (seconds or an HTTP date), or a full-jitter backoff without it;
 * - 5xx, 408, timeouts, refused and reset connections, and bodies that stall, break off or
 *   cannot be decompressed wait a full-jitter backoff (`backoffDelayMs`: up to 200 ms,
 *   doubling to 5 s), or `Retry-After` when the vendor sent one;
 * - at most `maxAttempts` attempts, and at least `minIntervalMs` between two requests;
 * - redirects are not followed, so the API key never travels to another host;
 * - no attempt or wait runs past the deadline;
 * - the body of a retried response is not read, no 2xx body is read past `maxResponseBytes`,
 *   and no other body past ERROR_BODY_PREFIX_BYTES.
 *
 * A 429 whose wait does not fit before the deadline, or that lasts all attempts, interrupts
 * the run cleanly (RunInterruption `rate_limited`), so it saves its progress. Server errors
 * that last all attempts fail the run (PullError `vendor_unavailable`) and leave the
 * checkpoint as it was. A 2xx body over `maxResponseBytes` fails the run at once (PullError
 * `vendor_response_too_large`), because the vendor would send the same body again. Any other
 * status is returned for the job type to read, with at most the first ERROR_BODY_PREFIX_BYTES
 * of its body.
 */
export class VendorClient {
  private readonly fetch: Fetch;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private lastRequestAt: number | undefined;

  constructor(private readonly options: VendorClientOptions) {
    this.fetch = options.fetch ?? globalThis.fetch;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = options.random ?? Math.random;
  }

  /** Sends a request, retrying as described above, and returns the first response that is not retried. */
  async send(request: VendorRequest, deadline: number): Promise<VendorResponse> {
    const { maxAttempts, logger, jobId } = this.options;
    for (let attempt = 1; ; attempt++) {
      await this.keepInterval(deadline);
      const outcome = await this.attempt(request, deadline);
      if (outcome.response !== undefined && !isRetryable(outcome.response.status)) {
        return outcome.response;
      }

      const rateLimited = outcome.response?.status === 429;
      const retryAfter = parseRetryAfter(outcome.response?.headers.get('retry-after'), this.now());
      const waitMs = retryAfter ?? backoffDelayMs(attempt, this.random);
      // fetch's own messages can quote a header value, such as a key it could not send.
      const problem =
        outcome.response === undefined
          ? redactSecrets(outcome.error, this.options.secrets)
          : `HTTP ${outcome.response.status}`;
      if (outcome.cause instanceof Error) redactError(outcome.cause, this.options.secrets);

      if (attempt >= maxAttempts || this.now() + waitMs + MIN_REQUEST_TIME_MS > deadline) {
        throw this.giveUp(request, problem, rateLimited, attempt, outcome.cause);
      }
      logger.warn('Vendor request retried', {
        job: jobId,
        url: describe(request.url),
        problem,
        attempt,
        waitMs,
        ...(retryAfter !== undefined && { retryAfterMs: retryAfter }),
      });
      await this.sleep(waitMs);
    }
  }

  private async keepInterval(deadline: number): Promise<void> {
    const { minIntervalMs } = this.options;
    if (this.lastRequestAt !== undefined && minIntervalMs > 0) {
      const waitMs = this.lastRequestAt + minIntervalMs - this.now();
      if (waitMs > 0) {
        if (this.now() + waitMs + MIN_REQUEST_TIME_MS > deadline) {
          throw new RunInterruption(
            'deadline',
            `The next request would wait ${waitMs} ms (requestIntervalMs) past the run's deadline.`,
          );
        }
        await this.sleep(waitMs);
      }
    }
    if (deadline - this.now() < MIN_REQUEST_TIME_MS) {
      throw new RunInterruption(
        'deadline',
        "The run's deadline leaves no time for another request.",
      );
    }
  }

  private async attempt(
    request: VendorRequest,
    deadline: number,
  ): Promise<{ response?: VendorResponse; error: string; cause?: unknown }> {
    const timeoutMs = Math.min(this.options.requestTimeoutMs, deadline - this.now());
    this.lastRequestAt = this.now();
    // Aborting closes the connection, so the rest of a body that is not read is never sent.
    const stop = new AbortController();
    // The timer of AbortSignal.timeout does not keep the process alive, so a CLI run whose
    // request hangs would exit unfinished. A timer of its own does.
    const timer = setTimeout(
      () => stop.abort(new DOMException(`No response within ${timeoutMs} ms`, 'TimeoutError')),
      timeoutMs,
    );
    try {
      const response = await this.fetch(request.url, {
        method: request.method,
        headers: request.headers,
        ...(request.body !== undefined && { body: request.body }),
        redirect: 'manual',
        signal: stop.signal,
      });
      const { status, headers } = response;
      if (status >= 300 && status < 400) {
        stop.abort();
        throw new PullError(
          'vendor_redirect',
          `${this.options.vendorName} returned HTTP ${status} for ${describe(request.url)} ` +
            `(a redirect to ${this.quote(headers.get('location') ?? 'no location')}). The relay does not ` +
            'follow redirects, so the API key stays with the configured host; correct api.baseUrl or api.endpoint.',
        );
      }
      if (isRetryable(status)) {
        // The retry policy reads only the status and Retry-After.
        stop.abort();
        return { response: { status, headers, body: '' }, error: '' };
      }
      try {
        const body = await this.readBody(request, response, stop);
        return { response: { status, headers, body }, error: '' };
      } catch (error) {
        if (error instanceof PullError) throw error;
        const encoding = this.quote(headers.get('content-encoding') ?? 'compressed');
        return { error: describeBodyError(error, status, encoding, timeoutMs), cause: error };
      }
    } catch (error) {
      if (error instanceof PullError) throw error;
      return { error: describeTransportError(error, timeoutMs), cause: error };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Quotes vendor text for a message, with the job's secrets redacted and cut short. */
  private quote(text: string): string {
    return quoteRedacted(text, this.options.secrets);
  }

  /**
   * Reads a 2xx body up to `maxResponseBytes`, or the first ERROR_BODY_PREFIX_BYTES of any
   * other body, and decodes it as UTF-8, as `Response.text()` does.
   * @throws PullError `vendor_response_too_large` as soon as a 2xx body passes the limit, or
   *   at once when its Content-Length does.
   */
  private async readBody(
    request: VendorRequest,
    response: Response,
    stop: AbortController,
  ): Promise<string> {
    if (response.status < 200 || response.status > 299) {
      const prefix = await untilAborted(
        readBodyUpTo(response.body, ERROR_BODY_PREFIX_BYTES),
        stop.signal,
      );
      if (prefix.exceeded) stop.abort();
      return new TextDecoder().decode(prefix.bytes());
    }
    const limit = this.options.maxResponseBytes;
    const declared = declaredLength(response.headers.get('content-length'));
    if (declared !== undefined && declared > limit) {
      stop.abort();
      throw this.tooLarge(request, response.status, `its Content-Length is ${declared} bytes`);
    }
    const body = await untilAborted(readBodyUpTo(response.body, limit), stop.signal);
    if (body.exceeded) {
      stop.abort();
      throw this.tooLarge(request, response.status, `more than ${limit} bytes arrived`);
    }
    return new TextDecoder().decode(body.bytes());
  }

  private tooLarge(request: VendorRequest, status: number, detail: string): PullError {
    const limit = this.options.maxResponseBytes;
    return new PullError(
      'vendor_response_too_large',
      `${this.options.vendorName} returned a body larger than pulls.maxResponseBytes (${limit} bytes) ` +
        `for ${describe(request.url)} with HTTP ${status} (${detail}), so the run stopped reading it. ` +
        'Raise pulls.maxResponseBytes, and pulls.memorySizeMb with it, because reading a body takes ' +
        "about six times its size in memory. Or lower the job's pageSize where it has one. The " +
        'checkpoint is unchanged, so no item is lost, but each run fails the same way until then.',
    );
  }

  private giveUp(
    request: VendorRequest,
    problem: string,
    rateLimited: boolean,
    attempts: number,
    cause: unknown,
  ): Error {
    const { vendorName, jobId } = this.options;
    if (rateLimited) {
      return new RunInterruption(
        'rate_limited',
        `${vendorName} rate-limits job "${jobId}" (HTTP 429) for longer than this run may wait; ` +
          'the next run goes on from here.',
      );
    }
    return new PullError(
      'vendor_unavailable',
      `${vendorName} requests to ${describe(request.url)} failed after ` +
        `${formatCount(attempts, 'attempt')} (last: ${problem}). The checkpoint is unchanged, ` +
        'so the next scheduled run reads the same items again.',
      cause === undefined ? undefined : { cause },
    );
  }
}

/** 429, 408 and 5xx are worth another attempt; other statuses will not change on retry. */
function isRetryable(status: number): boolean {
  return status === 429 || status === 408 || status >= 500;
}

/** Describes a URL without its query, which can contain search terms. API keys are only ever in headers. */
function describe(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

/** Describes an error that came before the response's status line and headers. */
function describeTransportError(error: unknown, timeoutMs: number): string {
  if (isTimeout(error)) return `no response within ${timeoutMs} ms`;
  return `connection failed (${errorCode(error)})`;
}

/**
 * Describes an error that came while the body was read: the vendor did respond, but the body
 * stalled, broke off or could not be decompressed. A proxy or a load balancer can cause any
 * of these once, so they are retried like a failed connection.
 */
function describeBodyError(
  error: unknown,
  status: number,
  encoding: string,
  timeoutMs: number,
): string {
  const body = `the body of the HTTP ${status} response`;
  if (isTimeout(error)) return `${body} did not finish within ${timeoutMs} ms`;
  const code = errorCode(error);
  // Node 22's zlib reports corrupt gzip and deflate data as Z_DATA_ERROR and the like, and
  // corrupt brotli data as ERR__ERROR_FORMAT_* codes.
  if (/^Z_|^ERR__ERROR_FORMAT/.test(code)) {
    return `${body} could not be decoded (the ${encoding} data is corrupt: ${code})`;
  }
  return `the connection failed while ${body} was read (${code})`;
}

/**
 * Settles as `promise` does, or rejects with the signal's reason once the signal aborts.
 *
 * NOTE: Node 22.23's fetch leaves a body read pending after its signal aborts when a gzip
 * body that arrives after the headers is corrupt, so the abort alone would not end the read.
 */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
}

/** Returns the code of a fetch error; undici rejects with TypeError and puts the socket or zlib error in `cause`. */
function errorCode(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown } }).cause;
  if (typeof cause?.code === 'string') return cause.code;
  return error instanceof Error ? error.message : String(error);
}
