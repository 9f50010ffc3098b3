import { describe, expect, it } from 'vitest';
import { SOURCES } from '../../functions/sources/index.ts';
import {
  loadEnabledSources,
  loadSource,
  loadSources,
  SOURCE_LOADERS,
} from '../../functions/sources/loaders.ts';

describe('source loaders', () => {
  it.each(Object.keys(SOURCES))('load the registered adapter of %s', async (id) => {
    expect(await SOURCE_LOADERS[id]!()).toBe(SOURCES[id]);
    expect(SOURCES[id]!.id).toBe(id);
  });

  it('reject an adapter listed under another id', async () => {
    const loaders = { 'url-haus': () => SOURCE_LOADERS.urlhaus!() };

    await expect(loadSource('url-haus', loaders)).rejects.toThrow(
      'lists the source "urlhaus" under the key "url-haus"; use "urlhaus" as the key',
    );
  });

  it('look up only the sources loaded', async () => {
    const getSource = await loadSources(['virustotal', 'virustotal', 'no-such-source']);

    expect(getSource('virustotal')).toBe(SOURCES.virustotal);
    expect(getSource('generic')).toBeUndefined();
    expect(getSource('no-such-source')).toBeUndefined();
  });

  it.each(['constructor', '__proto__', 'toString'])('never load %j', async (id) => {
    const getSource = await loadSources([id]);

    expect(getSource(id)).toBeUndefined();
  });

  it('load the enabled sources of a configuration', async () => {
    const getSource = await loadEnabledSources({
      sources: { generic: { enabled: true }, shodan: { enabled: false } },
    });

    expect(getSource('generic')).toBe(SOURCES.generic);
    expect(getSource('shodan')).toBeUndefined();
  });
});
