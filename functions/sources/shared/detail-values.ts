/**
 * Drops undefined and null values, empty strings and empty lists and maps, so enrichment
 * details hold only facts.
 */
export function withoutEmpty(details: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(details).filter(([, value]) => !isEmpty(value)));
}

/**
 * Keeps the first `max` distinct, non-empty values, so details stay a few KB even when a
 * vendor lists hundreds of tags.
 */
export function capList<T>(
  values: readonly (T | null | undefined)[] | null | undefined,
  max: number,
): T[] {
  const kept: T[] = [];
  const seen = new Set<string>();
  for (const value of values ?? []) {
    if (isEmpty(value)) continue;
    const key = JSON.stringify(value);
    if (seen.has(key)) continue;
    seen.add(key);
    kept.push(value as T);
    if (kept.length === max) break;
  }
  return kept;
}

/** Shortens free text, such as a pulse name, to at most `max` characters. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') return Object.keys(value).length === 0;
  return false;
}

/**
 * Largest serialized details object a source built from shared helpers sends, in UTF-16
 * code units. The caps of each source keep details to a few KB; this bound catches vendor
 * strings of unusual length (a 500 KB tag), which would otherwise make a record the
 * record model rejects.
 */
export const DETAILS_BUDGET = 16_000;

const SHORTENED_STRING_LENGTH = 200;

/**
 * Returns details that serialize to at most `budget` characters. Details within the budget
 * come back unchanged. Otherwise every string is shortened to SHORTENED_STRING_LENGTH
 * characters. If that is not enough, the largest members are dropped and named under
 * `relayOmitted`, so the record shows that something is missing.
 */
export function fitDetails(
  details: Record<string, unknown>,
  budget = DETAILS_BUDGET,
): Record<string, unknown> {
  if (JSON.stringify(details).length <= budget) return details;

  const shortened = shortenStrings(details) as Record<string, unknown>;
  const omitted: string[] = [];
  const bySizeDescending = Object.entries(shortened)
    .map(([key, value]) => ({ key, size: JSON.stringify(value)?.length ?? 0 }))
    .sort((a, b) => b.size - a.size);
  const withMarker = () =>
    omitted.length === 0 ? shortened : { ...shortened, relayOmitted: omitted };
  for (const { key } of bySizeDescending) {
    if (JSON.stringify(withMarker()).length <= budget) break;
    delete shortened[key];
    omitted.push(key);
  }
  return withMarker();
}

function shortenStrings(value: unknown): unknown {
  if (typeof value === 'string') return truncate(value, SHORTENED_STRING_LENGTH);
  if (Array.isArray(value)) return value.map(shortenStrings);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, member]) => [key, shortenStrings(member)]),
  );
}
