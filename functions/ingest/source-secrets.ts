import { SecretError, type SecretStore } from '../credentials/secret-store.ts';

/**
 * Reads the secrets a source accepts: `{"secret": "..."}`, or `{"secrets": ["new", "old"]}`
 * while a secret is being rotated. Throws a SecretError that names the secret and the key,
 * never a value.
 */
export async function readSourceSecrets(
  store: SecretStore,
  secretName: string,
  sourceId: string,
): Promise<string[]> {
  const value = await store.getJson(secretName);
  const secrets: unknown[] = [];
  if (value.secret !== undefined) secrets.push(value.secret);
  if (Array.isArray(value.secrets)) secrets.push(...value.secrets);

  const usable = secrets.filter(
    (secret): secret is string => typeof secret === 'string' && secret !== '',
  );
  if (usable.length === 0 || usable.length !== secrets.length) {
    throw new SecretError(
      'secret_malformed',
      secretName,
      `Secret "${secretName}" for source "${sourceId}" must hold a non-empty string in "secret" ` +
        'or a list of non-empty strings in "secrets".',
    );
  }
  return usable;
}
