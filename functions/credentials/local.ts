import { requireSecretObject } from './secret-json.ts';
import { SecretError, type SecretStore } from './secret-store.ts';

/**
 * A SecretStore over the `local.secrets` section of the configuration, which replaces
 * Secrets Manager when the relay runs locally. A read returns a deeply frozen copy, made
 * once per value, so no caller can change what the next caller reads. Ingest reads its
 * sender secret on every request, and a copy per read cost more than a cached read from
 * Secrets Manager.
 *
 * @example
 * const store = new LocalSecretStore(config.local?.secrets);
 */
export class LocalSecretStore implements SecretStore {
  readonly #secrets: Readonly<Record<string, unknown>>;
  /**
   * Frozen copies by original value, so a value replaced in the map gets a new copy. A value
   * changed in place keeps its old copy; nothing in the relay changes one.
   */
  readonly #copies = new WeakMap<object, Record<string, unknown>>();

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
    const value = requireSecretObject(name, this.#secrets[name]);
    let copy = this.#copies.get(value);
    if (copy === undefined) {
      copy = deepFreeze(structuredClone(value));
      this.#copies.set(value, copy);
    }
    return copy;
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const entry of Object.values(value)) deepFreeze(entry);
    Object.freeze(value);
  }
  return value;
}
