/**
 * Formats a path as `records[3].finding`, the way a reader of the JSON would write it.
 * The empty path, the whole document, is `rootLabel`: `(body)` for a request body.
 */
export function formatPath(path: readonly PropertyKey[], rootLabel = '(body)'): string {
  if (path.length === 0) return rootLabel;
  return path
    .map((key, index) =>
      typeof key === 'number' ? `[${key}]` : `${index === 0 ? '' : '.'}${String(key)}`,
    )
    .join('');
}
