import { LocalSecretStore } from '../functions/credentials/local.ts';
import type { SecretStore } from '../functions/credentials/secret-store.ts';

/**
 * The local stack's secret store: the configuration's `local.secrets`, whose values can be
 * replaced while the relay runs, as `aws secretsmanager put-secret-value` does in AWS. It
 * counts reads per secret, so a test can show how often a rotation made the relay read one.
 */
export class RotatableSecretStore implements SecretStore {
  #secrets: Record<string, Record<string, unknown>>;
  #store: LocalSecretStore;
  readonly #reads = new Map<string, number>();

  constructor(secrets: Record<string, Record<string, unknown>>) {
    this.#secrets = { ...secrets };
    this.#store = new LocalSecretStore(this.#secrets);
  }

  getJson(name: string): Promise<Record<string, unknown>> {
    this.#reads.set(name, this.readCount(name) + 1);
    return this.#store.getJson(name);
  }

  /** Replaces the value of a secret; the next read returns it. */
  put(name: string, value: Record<string, unknown>): void {
    this.#secrets = { ...this.#secrets, [name]: structuredClone(value) };
    this.#store = new LocalSecretStore(this.#secrets);
  }

  /** Returns the current value, for a test that rotates one field of it. */
  current(name: string): Promise<Record<string, unknown>> {
    return this.#store.getJson(name);
  }

  /** Reads of a secret since the store was created. */
  readCount(name: string): number {
    return this.#reads.get(name) ?? 0;
  }
}
