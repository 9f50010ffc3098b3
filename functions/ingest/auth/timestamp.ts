import { IngestError } from '../errors.ts';

/**
 * Reads a send time in Unix seconds from a header and checks that it lies within
 * `toleranceSeconds` of `now`, in the past or the future. Throws a 401 naming the header.
 */
export function checkTimestamp(
  value: string | undefined,
  headerName: string,
  toleranceSeconds: number,
  now: Date,
): number {
  if (value === undefined || !/^\d{1,12}$/.test(value.trim())) {
    throw new IngestError(
      401,
      'invalid_timestamp',
      `The ${headerName} header must hold the send time as Unix seconds.`,
    );
  }
  const timestamp = Number(value.trim());
  const skewSeconds = Math.abs(now.getTime() / 1000 - timestamp);
  if (skewSeconds > toleranceSeconds) {
    throw new IngestError(
      401,
      'invalid_timestamp',
      `The ${headerName} header is ${Math.round(skewSeconds)} s away from the relay's clock; ` +
        `the tolerance is ${toleranceSeconds} s. Sign each delivery when it is sent.`,
    );
  }
  return timestamp;
}
