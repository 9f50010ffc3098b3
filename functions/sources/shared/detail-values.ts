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
