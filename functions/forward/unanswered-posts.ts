import { socketErrorCode, type Transport, type UnansweredTally } from '../secops/http.ts';

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

/**
 * Wraps a transport so that a POST whose fate is unknown is counted in the request's
 * `unanswered` tally: one that timed out, lost its connection after it was sent, or got a
 * gateway error. The instance may have stored such a record, and the SecOps API takes
 * no idempotency key, so a retry can store it twice.
 *
 * The client retries inside one `create` call and hands the call's tally to every
 * request, so the forwarder learns of these POSTs through `countUnansweredPosts`.
 */
export function watchUnansweredPosts(
  transport: Transport,
  isRecordPost: (url: URL) => boolean,
): Transport {
  return async (url, request) => {
    const tally = request.method === 'POST' && isRecordPost(url) ? request.unanswered : undefined;
    try {
      const response = await transport(url, request);
      if (tally !== undefined && GATEWAY_STATUSES.has(response.status)) tally.count += 1;
      return response;
    } catch (error) {
      if (tally !== undefined && mayHaveBeenSent(error)) tally.count += 1;
      throw error;
    }
  };
}

/** Runs one delivery and returns how many of its POSTs went unanswered, whatever the outcome. */
export async function countUnansweredPosts<T>(
  deliver: (tally: UnansweredTally) => Promise<T>,
): Promise<
  { ok: true; value: T; unanswered: number } | { ok: false; error: unknown; unanswered: number }
> {
  const tally: UnansweredTally = { count: 0 };
  try {
    const value = await deliver(tally);
    return { ok: true, value, unanswered: tally.count };
  } catch (error) {
    return { ok: false, error, unanswered: tally.count };
  }
}

function mayHaveBeenSent(error: unknown): boolean {
  const code = socketErrorCode(error);
  return !(code !== undefined && NOT_SENT_CODES.has(code));
}
