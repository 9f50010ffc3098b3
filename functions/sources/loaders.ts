import type { SourceAdapter } from './source.ts';

/**
 * Every source by id, each behind a loader: the one registry of sources. The deployed
 * functions load only the sources their configuration enables. A bundled source module is
 * evaluated on its first import, so the schemas of the other sources are never built, which
 * saves start-up time and memory. Each key must equal its adapter's `id`; `loadSources`
 * rejects a mismatch.
 */
export const SOURCE_LOADERS: Readonly<Record<string, () => Promise<SourceAdapter>>> = Object.freeze(
  {
    virustotal: async () => (await import('./virustotal/index.ts')).virusTotalSource,
    generic: async () => (await import('./generic/index.ts')).genericSource,
    'standard-webhooks': async () =>
      (await import('./standard-webhooks/index.ts')).standardWebhooksSource,
    urlhaus: async () => (await import('./urlhaus/index.ts')).urlhausSource,
    threatfox: async () => (await import('./threatfox/index.ts')).threatFoxSource,
    otx: async () => (await import('./otx/index.ts')).otxSource,
    guardduty: async () => (await import('./guardduty/index.ts')).guardDutySource,
    securityhub: async () => (await import('./securityhub/index.ts')).securityHubSource,
    abuseipdb: async () => (await import('./abuseipdb/index.ts')).abuseIpDbSource,
    greynoise: async () => (await import('./greynoise/index.ts')).greyNoiseSource,
    shodan: async () => (await import('./shodan/index.ts')).shodanSource,
  },
);

/** Ids of every source that can be loaded, for messages that list them. */
export const LOADABLE_SOURCE_IDS: readonly string[] = Object.keys(SOURCE_LOADERS);

/**
 * Loads the sources with these ids and returns a lookup over them. An unknown id is
 * skipped, so the lookup returns undefined for it, as `getSource` does.
 */
export async function loadSources(
  ids: Iterable<string>,
): Promise<(id: string) => SourceAdapter | undefined> {
  const loaded = new Map<string, SourceAdapter>();
  for (const id of new Set(ids)) {
    if (Object.hasOwn(SOURCE_LOADERS, id)) loaded.set(id, await loadSource(id));
  }
  return (id) => loaded.get(id);
}

/** Loads one registered source and checks that its adapter carries the id it is listed under. */
export async function loadSource(
  id: string,
  loaders: Readonly<Record<string, () => Promise<SourceAdapter>>> = SOURCE_LOADERS,
): Promise<SourceAdapter> {
  const adapter = await loaders[id]!();
  if (adapter.id !== id) {
    throw new Error(
      `SOURCE_LOADERS in functions/sources/loaders.ts lists the source "${adapter.id}" under the key "${id}"; ` +
        `use "${adapter.id}" as the key, so webhooks, configuration and records agree on the id.`,
    );
  }
  return adapter;
}

/** Loads every source the configuration enables; see `loadSources`. */
export function loadEnabledSources(config: {
  sources: Record<string, { enabled: boolean }>;
}): Promise<(id: string) => SourceAdapter | undefined> {
  return loadSources(
    Object.entries(config.sources)
      .filter(([, settings]) => settings.enabled)
      .map(([id]) => id),
  );
}
