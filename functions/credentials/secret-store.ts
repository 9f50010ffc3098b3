/**
 * Reads JSON secrets by name. In AWS this is Secrets Manager; in local mode the values
 * come from the `local.secrets` section of the configuration.
 */
export interface SecretStore {
  /** Returns the parsed JSON value of a secret; `forceFetch` skips any cache. */
  getJson(name: string, options?: { forceFetch?: boolean }): Promise<Record<string, unknown>>;
}

/** A secret that is missing, unreadable or malformed; the message names the secret and key, never a value. */
export class SecretError extends Error {
  readonly code: 'secret_not_found' | 'secret_malformed' | 'secret_unavailable';
  readonly secretName: string;

  constructor(
    code: SecretError['code'],
    secretName: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'SecretError';
    this.code = code;
    this.secretName = secretName;
  }
}
