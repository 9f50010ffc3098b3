/** Checks whether a value is a JSON object: not null and not an array. */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Drops a leading byte order mark, as TextDecoder and fetch's `text()` do when they decode
 * UTF-8, so that JSON.parse accepts the text.
 */
export function withoutByteOrderMark(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
