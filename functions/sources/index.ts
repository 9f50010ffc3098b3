import { loadSource, SOURCE_LOADERS } from './loaders.ts';
import type { SourceAdapter } from './source.ts';

/**
 * Every source the relay accepts data from, by id, loaded at once from `SOURCE_LOADERS`.
 * The local stack, the CLI and the CDK app use this eager registry. The deployed functions
 * import `loaders.ts` alone, so they load only the sources their configuration enables.
 * Adding a vendor is one folder under `functions/sources/` and one line in `loaders.ts`;
 * docs/adding-a-source.md describes the steps.
 */
export const SOURCES: Readonly<Record<string, SourceAdapter>> = Object.freeze(
  Object.fromEntries(
    await Promise.all(
      Object.keys(SOURCE_LOADERS).map(async (id) => [id, await loadSource(id)] as const),
    ),
  ),
);

/** Returns the source with this id, or undefined; ids such as "constructor" never match. */
export function getSource(id: string): SourceAdapter | undefined {
  return Object.hasOwn(SOURCES, id) ? SOURCES[id] : undefined;
}

/** Ids of every registered source, for messages that list them. */
export const SOURCE_IDS: readonly string[] = Object.keys(SOURCES);
