import { requireSecretObject } from './secret-json.ts';
import { SecretError, type SecretStore } from './secret-store.ts';

/**
 * A SecretStore over the `local.secrets` section of the configuration, which replaces
 * Secrets Manager when the relay runs locally. Each read returns a fresh copy, so a
 * caller that changes the object it got does not change what the next caller reads.
 *
 * @example
 * const store = new LocalSecretStore(config.local?.secrets);
 */
export class LocalSecretStore implements SecretStore {
  readonly #secrets: Readonly<Record<string, unknown>>;

  constructor(secrets: Readonly<Record<string, unknown>> = {}) {
    this.#secrets = secrets;
  }

  async getJson(name: string): Promise<Record<string, unknown>> {
    if (!Object.hasOwn(this.#secrets, name)) {
      throw new SecretError(
        'secret_not_found',
        name,
        `secret "${name}" is not in local.secrets of the configuration; add it there as a JSON object`,
      );
    }
    return structuredClone(requireSecretObject(name, this.#secrets[name]));
  }
}
