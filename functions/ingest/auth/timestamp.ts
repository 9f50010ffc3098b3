import { readTimestamp } from '../../sources/shared/timestamp-formats.ts';
import { IngestError } from '../errors.ts';

/**
 * Reads a send time in whole Unix seconds from a header and checks that it lies within
 * `toleranceSeconds` of `now`, in the past or the future. Returns the header's text as
 * sent (trimmed), because that text, not a reformatted number, is what the sender signed.
 * Throws a 401 `invalid_timestamp` naming the header, and names the mistake when the value is in
 * milliseconds or ISO 8601 instead of seconds.
 */
export function checkTimestamp(
  value: string | undefined,
  headerName: string,
  toleranceSeconds: number,
  now: Date,
): string {
  const text = value?.trim() ?? '';
  const timestamp = text === '' ? undefined : readTimestamp(text);
  if (timestamp?.format !== 'epoch_seconds' || !/^\d+$/.test(text)) {
    throw new IngestError(
      401,
      'invalid_timestamp',
      `The ${headerName} header ${describeWrongTimestamp(text, timestamp?.format)}; ` +
        'send the send time as whole Unix seconds, such as 1767225600.',
    );
  }

  const skewSeconds = Math.abs(now.getTime() - timestamp.date.getTime()) / 1000;
  if (skewSeconds > toleranceSeconds) {
    throw new IngestError(
      401,
      'invalid_timestamp',
      `The ${headerName} header is ${Math.round(skewSeconds)} s away from the relay's clock; ` +
        `the tolerance is ${toleranceSeconds} s. Sign each delivery when it is sent.`,
    );
  }
  return text;
}

function describeWrongTimestamp(text: string, format: string | undefined): string {
  if (text === '') return 'is missing';
  if (format === 'epoch_milliseconds') return 'holds Unix milliseconds';
  if (format === 'iso8601') return 'holds an ISO 8601 date';
  if (format === 'epoch_seconds') return 'holds fractional seconds';
  return 'is not a timestamp';
}
