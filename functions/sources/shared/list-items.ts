import { NormalizationError, type SourceContext } from '../source.ts';
import type { PayloadPath } from './observable-field.ts';

/**
 * Reads each item of a vendor list on its own. An item whose reading throws a
 * NormalizationError (a URL that does not parse, an ip:port without a port) is left out and
 * reported through `context.skip` with its path and the reason. So one malformed entry of a
 * 500-entry feed does not cost the other 499. Any other error propagates.
 */
export function readEachItem<Item, Result>(
  items: readonly Item[],
  basePath: PayloadPath,
  context: SourceContext,
  read: (item: Item, path: PayloadPath) => Result,
): Result[] {
  const results: Result[] = [];
  for (const [index, item] of items.entries()) {
    const path = [...basePath, index];
    try {
      results.push(read(item, path));
    } catch (error) {
      if (!(error instanceof NormalizationError)) throw error;
      context.skip?.('invalid_item', { path: error.path, error: error.message });
    }
  }
  return results;
}
