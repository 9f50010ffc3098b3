import { SecOpsError } from './errors.ts';

/** An HTTP response from the instance, read in full so the connection returns to the pool. */
export interface InstanceResponse {
  status: number;
  headers: Headers;
  body: string;
}

/** The fetch signature the client uses; tests and callers may pass their own. */
export type Fetch = typeof globalThis.fetch;

/**
 * Sends one HTTP request and reads the whole response. Failures before a complete response
 * become SecOpsErrors: `timeout` when `signal` fired (it carries the attempt's time limit),
 * `connection_failed` for refused, reset or closed connections and failed name lookups.
 *
 * Redirects are not followed, so credentials never travel to a host the instance URL
 * rule did not approve; the caller sees the 3xx status instead.
 */
export async function exchange(
  fetchImpl: Fetch,
  url: URL,
  init: RequestInit & { signal: AbortSignal },
  timeoutMs: number,
): Promise<InstanceResponse> {
  try {
    const response = await fetchImpl(url, { ...init, redirect: 'manual' });
    const body = await response.text();
    return { status: response.status, headers: response.headers, body };
  } catch (error) {
    throw toTransportError(error, url, timeoutMs);
  }
}

function toTransportError(error: unknown, url: URL, timeoutMs: number): unknown {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return new SecOpsError(
      'timeout',
      `${url.host} did not respond to ${url.pathname} within ${timeoutMs} ms (instance.requestTimeoutMs)`,
      { cause: error },
    );
  }
  // Undici rejects with TypeError("fetch failed") and puts the socket error in `cause`.
  if (error instanceof TypeError && error.cause !== undefined) {
    const cause = error.cause as { code?: unknown; message?: unknown };
    const reason = typeof cause.code === 'string' ? cause.code : String(cause.message);
    return new SecOpsError(
      'connection_failed',
      `the connection to ${url.host} failed before a response to ${url.pathname} (${reason})`,
      { cause: error },
    );
  }
  return error;
}
