/**
 * Formats a count with the noun in the matching number, such as "1 attempt" or "4 attempts".
 * The plural defaults to the singular with an "s".
 */
export function formatCount(count: number, singular: string, plural = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : plural}`;
}
