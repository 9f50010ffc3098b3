// Date, optional time with optional fraction, then "Z", "UTC", an offset or nothing.
const VENDOR_TIMESTAMP =
  /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2})?)(\.\d+)?)?\s*(Z|UTC|[+-]\d{2}:?\d{2})?$/i;

/**
 * Converts the timestamps vendors write into ISO 8601 UTC, or returns undefined for anything
 * else. Accepts `2019-01-15 07:09:01 UTC` and `2019-01-19` (abuse.ch), `2019-09-04T05:32:29`
 * and `2025-02-15T22:38:33.826000` (OTX), and ISO 8601 with an offset. A timestamp without a
 * zone is read as UTC, which is what abuse.ch and OTX write.
 *
 * @example toUtcIso('2019-01-15 07:09:01 UTC') // '2019-01-15T07:09:01.000Z'
 */
export function toUtcIso(text: string | null | undefined): string | undefined {
  if (text === undefined || text === null) return undefined;
  const match = VENDOR_TIMESTAMP.exec(text.trim());
  if (match === null) return undefined;
  const [, date, time = '00:00:00', fraction = '', zone = 'Z'] = match;
  if (!isCalendarDate(date!)) return undefined;
  // Date keeps milliseconds only; OTX writes microseconds.
  const milliseconds = fraction.slice(0, 4);
  const offset = /^(z|utc)$/i.test(zone) ? 'Z' : zone.replace(/^([+-]\d{2})(\d{2})$/, '$1:$2');
  const seconds = time.length === 5 ? `${time}:00` : time;
  const parsed = new Date(`${date}T${seconds}${milliseconds}${offset}`);
  return Number.isNaN(parsed.getTime()) ? undefined : parsed.toISOString();
}

// Date parses 2019-02-30 as 2019-03-02, so the day is checked against the month first.
function isCalendarDate(date: string): boolean {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const parsed = new Date(Date.UTC(year, month - 1, day));
  return parsed.getUTCMonth() === month - 1 && parsed.getUTCDate() === day;
}

/**
 * Returns the earliest and latest of some vendor timestamps as ISO 8601 UTC. Values that
 * `toUtcIso` cannot read are skipped, and both ends are undefined when none can be read.
 */
export function timeSpan(texts: readonly (string | null | undefined)[]): {
  earliest?: string;
  latest?: string;
} {
  const sorted = texts
    .map(toUtcIso)
    .filter((iso): iso is string => iso !== undefined)
    .sort();
  return { earliest: sorted[0], latest: sorted.at(-1) };
}
