import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../functions/config/load.ts';
import { checkConfiguredSources } from '../../functions/sources/check-config.ts';
import { getSource, SOURCE_IDS } from '../../functions/sources/index.ts';

describe('checkConfiguredSources', () => {
  it('accepts the default sources', () => {
    expect(() => checkConfiguredSources(parseConfig({}), getSource, SOURCE_IDS)).not.toThrow();
  });

  it('rejects an enabled source without an adapter, naming it', () => {
    const config = parseConfig({ sources: { virustotl: { secretName: 'x' } } });
    expect(() => checkConfiguredSources(config, getSource, SOURCE_IDS)).toThrow(ConfigError);
    expect(() => checkConfiguredSources(config, getSource, SOURCE_IDS)).toThrow(
      /sources\.virustotl: no source has this id/,
    );
  });

  it('suggests the closest source id', () => {
    const config = parseConfig({ sources: { virustotl: { secretName: 'x' } } });
    expect(() => checkConfiguredSources(config, getSource, SOURCE_IDS)).toThrow(
      'sources.virustotl: no source has this id; did you mean "virustotal"?',
    );
  });

  it('lists the known sources when no id is close', () => {
    const config = parseConfig({ sources: { crowdstrike: { secretName: 'x' } } });
    expect(() => checkConfiguredSources(config, getSource, SOURCE_IDS)).toThrow(
      `sources.crowdstrike: no source has this id; known sources: ${SOURCE_IDS.join(', ')}`,
    );
  });

  it('names the configuration it checked', () => {
    const config = parseConfig({ sources: { virustotl: { secretName: 'x' } } });
    const origin = 'configuration file /srv/relay/deploy.config.json';
    expect(() => checkConfiguredSources(config, getSource, SOURCE_IDS, origin)).toThrow(
      'Invalid configuration file /srv/relay/deploy.config.json:\n  sources.virustotl:',
    );
  });

  it('ignores a disabled unknown source', () => {
    const config = parseConfig({ sources: { retired: { enabled: false, secretName: 'x' } } });
    expect(() => checkConfiguredSources(config, getSource, SOURCE_IDS)).not.toThrow();
  });

  it('rejects a webhook source without authentication', () => {
    const config = parseConfig({ sources: { virustotal: { auth: { type: 'none' } } } });
    expect(() => checkConfiguredSources(config, getSource, SOURCE_IDS)).toThrow(
      /sources\.virustotal\.auth\.type/,
    );
  });
});
