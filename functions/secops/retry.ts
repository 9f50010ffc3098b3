/** First backoff ceiling, in milliseconds; it doubles after every attempt. */
export const BACKOFF_BASE_MS = 200;

/** Largest backoff ceiling, in milliseconds. */
export const BACKOFF_CAP_MS = 5000;

/**
 * Wait before the next attempt after `attempt` attempts failed: "full jitter", a uniform
 * draw between 0 and min(cap, base * 2^(attempt - 1)). Spreading the wait over the whole
 * range keeps many relays that failed together from retrying together.
 *
 * @param attempt failed attempts so far, from 1
 * @param random a uniform draw from [0, 1), Math.random unless a test passes its own
 */
export function backoffDelayMs(attempt: number, random: () => number): number {
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}

const HTTP_DATE_GMT = /^[A-Za-z]{3,9}, .+ GMT$/;
const ASCTIME_DATE = /^[A-Za-z]{3} [A-Za-z]{3} [ \d]\d \d\d:\d\d:\d\d \d{4}$/;

/**
 * Reads a Retry-After header, either delay-seconds ("120") or an HTTP date, as a wait in
 * milliseconds from `now`. An HTTP date may take any of the three forms HTTP/1.1
 * recipients must accept (RFC 2068 section 3.3.1: RFC 1123, RFC 850 and asctime), all in
 * GMT. A date in the past is a wait of 0. Returns undefined when the header is absent or
 * in none of these forms.
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;

  // Date.parse reads asctime as local time and accepts non-dates such as "1.5", so only
  // the three HTTP forms reach it, asctime with its GMT made explicit.
  let at: number;
  if (HTTP_DATE_GMT.test(text)) at = Date.parse(text);
  else if (ASCTIME_DATE.test(text)) at = Date.parse(`${text} GMT`);
  else return undefined;

  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}
