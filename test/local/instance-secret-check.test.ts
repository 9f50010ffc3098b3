import { describe, expect, it } from 'vitest';
import { loadConfigFile, parseConfig } from '../../functions/config/load.ts';
import { SecretError } from '../../functions/credentials/secret-store.ts';
import { startLocalStack } from '../../local/stack.ts';

const shipped = loadConfigFile('relay.config.json');
const instanceSecret = shipped.local!.secrets[shipped.instance.secretName]!;

/** Returns the shipped configuration with the local instance secret replaced. */
function withInstanceSecret(secret: Record<string, unknown> | undefined) {
  const secrets = { ...shipped.local!.secrets };
  if (secret === undefined) delete secrets[shipped.instance.secretName];
  else secrets[shipped.instance.secretName] = secret;
  return parseConfig({ ...shipped, local: { ...shipped.local, secrets } });
}

describe('local stack start', () => {
  it('rejects a misspelled key in the instance secret', async () => {
    const { password, ...rest } = instanceSecret;
    const config = withInstanceSecret({ ...rest, pasword: password });

    const start = startLocalStack({ config, port: 0, sandboxPort: 0, configOrigin: 'test file' });

    await expect(start).rejects.toThrow(SecretError);
    await expect(start).rejects.toThrow(
      `Invalid local.secrets["${shipped.instance.secretName}"] of the test file: ` +
        `secret "${shipped.instance.secretName}" is missing "password"`,
    );
  });

  it('rejects a missing instance secret', async () => {
    const config = withInstanceSecret(undefined);

    await expect(startLocalStack({ config, port: 0, sandboxPort: 0 })).rejects.toThrow(
      `The local stack needs the instance secret in local.secrets["${shipped.instance.secretName}"]`,
    );
  });
});
