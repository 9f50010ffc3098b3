import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import {
  ResourceNotFoundException,
  SecretsManagerClient,
  SecretsManagerServiceException,
  type SecretsManagerClientConfig,
} from '@aws-sdk/client-secrets-manager';
import { parseSecretJson } from './secret-json.ts';
import { SecretError, type SecretStore } from './secret-store.ts';

export interface SecretsManagerStoreOptions {
  /** A ready client, for instance one with its own endpoint or credentials. */
  client?: SecretsManagerClient;
  /** Settings for a new client when `client` is not given (region, endpoint, maxAttempts). */
  clientConfig?: SecretsManagerClientConfig;
  /** How long a value read is served from memory, in seconds; `forceFetch` bypasses it. */
  maxAgeSeconds?: number;
}

/** Cache lifetime when none is given: the default of `instance.credentialsTtlSeconds`. */
const DEFAULT_MAX_AGE_SECONDS = 300;

/**
 * A SecretStore over AWS Secrets Manager, through the Powertools SecretsProvider so that
 * warm Lambda invocations reuse values already read.
 *
 * @example
 * const store = new SecretsManagerStore();
 * const { secret } = await store.getJson('secops-relay/source/generic');
 */
export class SecretsManagerStore implements SecretStore {
  readonly #provider: SecretsProvider;
  readonly #maxAgeSeconds: number;

  constructor(options: SecretsManagerStoreOptions = {}) {
    const client = options.client ?? new SecretsManagerClient(options.clientConfig ?? {});
    this.#provider = new SecretsProvider({ awsSdkV3Client: client });
    this.#maxAgeSeconds = options.maxAgeSeconds ?? DEFAULT_MAX_AGE_SECONDS;
  }

  async getJson(
    name: string,
    options: { forceFetch?: boolean } = {},
  ): Promise<Record<string, unknown>> {
    let value: string | Uint8Array | undefined;
    try {
      value = await this.#provider.get(name, {
        maxAge: this.#maxAgeSeconds,
        forceFetch: options.forceFetch ?? false,
      });
    } catch (error) {
      throw toSecretError(name, error);
    }

    // Powertools returns undefined when the secret has neither a string nor a binary value.
    if (value === undefined) {
      throw new SecretError(
        'secret_malformed',
        name,
        `secret "${name}" has an empty value; store the JSON object in its SecretString`,
      );
    }
    const text = typeof value === 'string' ? value : new TextDecoder().decode(value);
    return parseSecretJson(name, text);
  }
}

/**
 * Powertools wraps every SDK failure in a GetParameterError whose cause is the SDK's
 * exception. Only a service exception (an error response from Secrets Manager) is kept as
 * the cause: an error from reading a response could quote the response, which may contain
 * the secret value.
 */
function toSecretError(name: string, error: unknown): SecretError {
  const sdkError = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  if (sdkError instanceof ResourceNotFoundException) {
    return new SecretError(
      'secret_not_found',
      name,
      `secret "${name}" was not found in Secrets Manager; create it, or set the secret name in the configuration`,
      { cause: sdkError },
    );
  }

  const serviceError = sdkError instanceof SecretsManagerServiceException ? sdkError : undefined;
  return new SecretError(
    'secret_unavailable',
    name,
    `reading secret "${name}" from Secrets Manager failed (${describeFailure(sdkError)}); check the ` +
      "function's permission secretsmanager:GetSecretValue on it and that Secrets Manager is reachable",
    serviceError === undefined ? undefined : { cause: serviceError },
  );
}

/** Names a failure by its error name and system error code, such as "Error ECONNREFUSED". */
function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return 'unknown error';
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? `${error.name} ${code}` : error.name;
}
