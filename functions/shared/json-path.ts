/**
 * Formats a path as `records[3].finding`, the way a reader of the JSON would write it;
 * the empty path, the whole document, is `(body)`.
 */
export function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(body)';
  return path
    .map((key, index) =>
      typeof key === 'number' ? `[${key}]` : `${index === 0 ? '' : '.'}${String(key)}`,
    )
    .join('');
}
