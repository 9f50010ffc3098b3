import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../functions/config/load.ts';
import { readLocalConfig } from '../../local/config-file.ts';

let folder: string;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'relay-config-file-'));
  await writeFile(
    join(folder, 'relay.config.json'),
    JSON.stringify({
      sources: { generic: { secretName: 'default-file', auth: { type: 'hmac' } } },
    }),
  );
  await writeFile(
    join(folder, 'other.json'),
    JSON.stringify({ sources: { generic: { secretName: 'other-file', auth: { type: 'hmac' } } } }),
  );
});

describe('readLocalConfig', () => {
  it('reads relay.config.json by default', () => {
    const local = readLocalConfig(undefined, {}, folder);

    expect(local.path).toBe(join(folder, 'relay.config.json'));
    expect(local.origin).toBe(`configuration file ${join(folder, 'relay.config.json')}`);
    expect(local.config.sources.generic?.secretName).toBe('default-file');
  });

  it('uses the built-in defaults without relay.config.json', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'relay-config-none-'));
    const local = readLocalConfig(undefined, {}, empty);

    expect(local.path).toBeUndefined();
    expect(Object.keys(local.config.sources).sort()).toEqual(['generic', 'virustotal']);
  });

  it('reads the file SECOPS_RELAY_CONFIG_FILE names', () => {
    const local = readLocalConfig(undefined, { SECOPS_RELAY_CONFIG_FILE: 'other.json' }, folder);

    expect(local.config.sources.generic?.secretName).toBe('other-file');
  });

  it('prefers the path given on the command line', () => {
    const env = { SECOPS_RELAY_CONFIG_FILE: 'relay.config.json' };
    const local = readLocalConfig('other.json', env, folder);

    expect(local.config.sources.generic?.secretName).toBe('other-file');
  });

  it('ignores an empty SECOPS_RELAY_CONFIG_FILE', () => {
    const local = readLocalConfig(undefined, { SECOPS_RELAY_CONFIG_FILE: ' ' }, folder);

    expect(local.config.sources.generic?.secretName).toBe('default-file');
  });

  it.each([
    ['SECOPS_RELAY_CONFIG_FILE', undefined, { SECOPS_RELAY_CONFIG_FILE: 'typo.json' }],
    ['--config', 'typo.json', {}],
  ])('rejects a missing file named by %s', (_where, explicitPath, env) => {
    const read = () => readLocalConfig(explicitPath, env, folder);

    expect(read).toThrow(ConfigError);
    expect(read).toThrow(`Cannot read configuration file ${join(folder, 'typo.json')}`);
  });
});
