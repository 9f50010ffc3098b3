/** Notation of a timestamp. */
export type TimestampFormat = 'epoch_seconds' | 'epoch_milliseconds' | 'iso8601';

export interface ReadTimestamp {
  format: TimestampFormat;
  date: Date;
}

/**
 * Epoch values below this are seconds, values from it up are milliseconds. 10^11 seconds
 * is the year 5138 and 10^11 milliseconds is 1973-03-03, so every timestamp from 1973 to
 * 5138 is read in the right unit, and the two ranges never overlap.
 */
export const EPOCH_MILLISECONDS_FROM = 1e11;

/** Epoch values from here up (10^14 ms is the year 5138) are microseconds or nanoseconds, which are not read. */
const EPOCH_LIMIT = 1e14;

const EPOCH_TEXT = /^\d+(\.\d+)?$/;
const ISO_8601 =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|([+-])(\d{2}):(\d{2}))$/i;

/**
 * Reads a timestamp written as epoch seconds (`1767225600`, `1767225600.5`), epoch
 * milliseconds (`1767225600000`) or ISO 8601 with a zone (`2026-01-01T00:00:00Z`,
 * `2026-01-01T01:00:00+01:00`), as a number or a string, and reports which notation it was. The unit
 * of an epoch value follows from its size (see EPOCH_MILLISECONDS_FROM). Returns
 * undefined for anything else: negative or fractional-millisecond epochs, microseconds,
 * ISO 8601 without a zone (which would be read in the reader's local time), and
 * impossible dates such as February 30.
 *
 * @example readTimestamp('1767225600000') // { format: 'epoch_milliseconds', date: 2026-01-01T00:00:00.000Z }
 */
export function readTimestamp(value: string | number): ReadTimestamp | undefined {
  if (typeof value === 'number') return readEpoch(value, Number.isInteger(value));
  const text = value.trim();
  const epoch = EPOCH_TEXT.exec(text);
  if (epoch !== null) return readEpoch(Number(text), epoch[1] === undefined);
  return readIso8601(text);
}

function readEpoch(value: number, integer: boolean): ReadTimestamp | undefined {
  if (!Number.isFinite(value) || value < 0 || value >= EPOCH_LIMIT) return undefined;
  if (value < EPOCH_MILLISECONDS_FROM) {
    return { format: 'epoch_seconds', date: new Date(Math.round(value * 1000)) };
  }
  if (!integer) return undefined;
  return { format: 'epoch_milliseconds', date: new Date(value) };
}

function readIso8601(text: string): ReadTimestamp | undefined {
  const match = ISO_8601.exec(text);
  if (match === null) return undefined;
  const [
    ,
    year,
    month,
    day,
    hour,
    minute,
    second,
    fraction,
    zone,
    sign,
    offsetHours,
    offsetMinutes,
  ] = match;
  const y = Number(year);
  const mo = Number(month);
  const d = Number(day);
  const h = Number(hour);
  const mi = Number(minute);
  const s = Number(second ?? '0');
  const lastDay = daysInMonth(y, mo);
  if (mo < 1 || mo > 12 || d < 1 || d > lastDay || h > 23 || mi > 59 || s > 59) return undefined;

  let offsetMs = 0;
  if (zone?.toUpperCase() !== 'Z') {
    const hours = Number(offsetHours);
    const minutes = Number(offsetMinutes);
    if (hours > 23 || minutes > 59) return undefined;
    offsetMs = (sign === '-' ? -1 : 1) * (hours * 60 + minutes) * 60_000;
  }
  const milliseconds = Math.floor(Number(`0${fraction ?? '.0'}`) * 1000);
  // setUTCFullYear, unlike Date.UTC, does not map the years 0 to 99 onto 1900 to 1999.
  const local = new Date(0);
  local.setUTCFullYear(y, mo - 1, d);
  local.setUTCHours(h, mi, s, milliseconds);
  const date = new Date(local.getTime() - offsetMs);
  return { format: 'iso8601', date };
}

function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
}
