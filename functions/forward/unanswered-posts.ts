import { AsyncLocalStorage } from 'node:async_hooks';
import type { Fetch } from '../secops/http.ts';

/** Socket errors that mean the request never left, so the instance cannot have stored it. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** Gateway statuses a proxy in front of the instance returns after the instance may have acted. */
const GATEWAY_STATUSES = new Set([502, 504]);

const tally = new AsyncLocalStorage<{ unanswered: number }>();

/**
 * Wraps fetch so that a POST whose fate is unknown is counted for the record being
 * delivered: one that timed out, lost its connection after it was sent, or got a
 * gateway error. The instance may have stored such a record, and the SecOps API takes
 * no idempotency key, so a retry can store it twice.
 *
 * The client retries inside one `create` call, so the forwarder learns of these POSTs
 * through the fetch it gave the client, with the count kept per call by `countUnansweredPosts`.
 */
export function watchUnansweredPosts(fetchImpl: Fetch, isRecordPost: (url: URL) => boolean): Fetch {
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const counted = (init?.method ?? 'GET').toUpperCase() === 'POST' && isRecordPost(url);
    try {
      const response = await fetchImpl(input, init);
      if (counted && GATEWAY_STATUSES.has(response.status)) noteUnanswered();
      return response;
    } catch (error) {
      if (counted && mayHaveBeenSent(error)) noteUnanswered();
      throw error;
    }
  };
}

/** Runs one delivery and returns how many of its POSTs went unanswered, whatever the outcome. */
export async function countUnansweredPosts<T>(
  deliver: () => Promise<T>,
): Promise<
  { ok: true; value: T; unanswered: number } | { ok: false; error: unknown; unanswered: number }
> {
  const counter = { unanswered: 0 };
  try {
    const value = await tally.run(counter, deliver);
    return { ok: true, value, unanswered: counter.unanswered };
  } catch (error) {
    return { ok: false, error, unanswered: counter.unanswered };
  }
}

function noteUnanswered(): void {
  const counter = tally.getStore();
  if (counter !== undefined) counter.unanswered += 1;
}

function mayHaveBeenSent(error: unknown): boolean {
  const code = (error as { cause?: { code?: unknown } } | undefined)?.cause?.code;
  return !(typeof code === 'string' && NOT_SENT_CODES.has(code));
}
