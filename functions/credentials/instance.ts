import * as z from 'zod';
import type { RelayConfig } from '../config/schema.ts';
import { checkInstanceUrl, type InstanceUrlPolicy } from './instance-url.ts';
import { SecretError, type SecretStore } from './secret-store.ts';

/** Credentials for HTTP Basic authentication as an integration user. */
export interface BasicInstanceCredentials {
  auth: 'basic';
  /** Origin of the instance, such as "https://acme.service-now.com", without a trailing slash. */
  instanceUrl: string;
  username: string;
  password: string;
}

/**
 * An OAuth client registered on the instance (System OAuth > Application Registry). With
 * `username` and `password` the relay uses the password grant, else client_credentials.
 */
export interface OAuthInstanceCredentials {
  auth: 'oauth';
  /** Origin of the instance, such as "https://acme.service-now.com", without a trailing slash. */
  instanceUrl: string;
  clientId: string;
  clientSecret: string;
  username?: string;
  password?: string;
}

export type InstanceCredentials = BasicInstanceCredentials | OAuthInstanceCredentials;

// The sentinel lets the formatter write `is missing "key"`; other messages follow the key.
const MISSING = 'missing';

const secretText = z
  .string({ error: (issue) => (issue.input === undefined ? MISSING : 'must be a string') })
  .min(1, { error: 'is empty' });

const basicSecretSchema = z.object({
  instanceUrl: secretText,
  auth: z.literal('basic'),
  username: secretText,
  password: secretText,
});

const oauthSecretSchema = z
  .object({
    instanceUrl: secretText,
    auth: z.literal('oauth'),
    clientId: secretText,
    clientSecret: secretText,
    username: secretText.optional(),
    password: secretText.optional(),
  })
  .superRefine((secret, context) => {
    // The password grant needs both; one alone is a half-finished edit of the secret.
    if ((secret.username === undefined) !== (secret.password === undefined)) {
      const absent = secret.username === undefined ? 'username' : 'password';
      context.addIssue({ code: 'custom', path: [absent], message: MISSING });
    }
  });

const REQUIRED_KEYS = {
  basic: '"instanceUrl", "username" and "password"',
  oauth:
    '"instanceUrl", "clientId" and "clientSecret" (plus "username" and "password" for the password grant)',
} as const;

/**
 * Validates the instance secret and returns the credentials it contains, with the instance
 * URL reduced to its origin. Throws SecretError `secret_malformed` whose message names
 * the secret and each missing or invalid key, never a value.
 *
 * @example
 * // {"instanceUrl": "https://acme.service-now.com", "auth": "basic", "username": "relay", "password": "..."}
 * const credentials = parseInstanceSecret('secops-relay/instance', json, { allowedHosts: [], localMode: false });
 */
export function parseInstanceSecret(
  secretName: string,
  secret: Record<string, unknown>,
  policy: InstanceUrlPolicy,
): InstanceCredentials {
  const malformed = (problem: string) =>
    new SecretError('secret_malformed', secretName, `secret "${secretName}" ${problem}`);

  const auth = secret.auth;
  if (auth === undefined) {
    throw malformed('is missing "auth"; set it to "basic" or "oauth"');
  }
  if (auth !== 'basic' && auth !== 'oauth') {
    throw malformed('has an invalid "auth"; set it to "basic" or "oauth"');
  }

  const schema = auth === 'basic' ? basicSecretSchema : oauthSecretSchema;
  const result = schema.safeParse(secret);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const key = String(issue.path[0] ?? '(root)');
      return issue.message === MISSING
        ? `is missing "${key}"`
        : `has "${key}" that ${issue.message}`;
    });
    throw malformed(`${problems.join(' and ')}; auth "${auth}" needs ${REQUIRED_KEYS[auth]}`);
  }

  let instanceUrl: string;
  try {
    instanceUrl = checkInstanceUrl(result.data.instanceUrl, policy);
  } catch (error) {
    throw malformed(`has an "instanceUrl" that ${(error as Error).message}`);
  }
  return { ...result.data, instanceUrl };
}

export interface InstanceCredentialsProviderOptions extends InstanceUrlPolicy {
  store: SecretStore;
  /** Secrets Manager secret (or `local.secrets` key) that contains the instance credentials. */
  secretName: string;
  /** How long credentials are used before the secret is read again, in seconds; 0 reads every time. */
  ttlSeconds: number;
  /** Clock in epoch milliseconds; tests pass their own. */
  now?: () => number;
}

/**
 * Reads the instance credentials from a SecretStore and caches them for `ttlSeconds`.
 * Concurrent reads share one request to the store, so a password rotation, seen as a
 * 401 by every request in flight, costs one read of the secret rather than one each.
 *
 * @example
 * const credentials = InstanceCredentialsProvider.fromConfig(config, store, { localMode: false });
 * const { instanceUrl } = await credentials.get();
 */
export class InstanceCredentialsProvider {
  readonly secretName: string;
  readonly #store: SecretStore;
  readonly #ttlMs: number;
  readonly #policy: InstanceUrlPolicy;
  readonly #now: () => number;
  #cached: { credentials: InstanceCredentials; readAt: number } | undefined;
  #reading: Promise<InstanceCredentials> | undefined;

  constructor(options: InstanceCredentialsProviderOptions) {
    this.secretName = options.secretName;
    this.#store = options.store;
    this.#ttlMs = options.ttlSeconds * 1000;
    this.#policy = { allowedHosts: options.allowedHosts, localMode: options.localMode };
    this.#now = options.now ?? Date.now;
  }

  /** Builds a provider from the `instance` section of the configuration. */
  static fromConfig(
    config: RelayConfig,
    store: SecretStore,
    options: { localMode: boolean; now?: () => number },
  ): InstanceCredentialsProvider {
    return new InstanceCredentialsProvider({
      store,
      secretName: config.instance.secretName,
      ttlSeconds: config.instance.credentialsTtlSeconds,
      allowedHosts: config.instance.allowedHosts,
      localMode: options.localMode,
      now: options.now,
    });
  }

  /** Returns the cached credentials, or reads the secret when they are older than the TTL. */
  get(): Promise<InstanceCredentials> {
    const cached = this.#cached;
    if (cached !== undefined && this.#now() - cached.readAt < this.#ttlMs) {
      return Promise.resolve(cached.credentials);
    }
    return this.#read();
  }

  /**
   * Reads the secret again, bypassing every cache. Call it after the instance returned 401,
   * passing the credentials it rejected: when the cache already contains newer ones,
   * because another request refreshed first, those are returned without another read.
   */
  refresh(rejected?: InstanceCredentials): Promise<InstanceCredentials> {
    const cached = this.#cached;
    if (rejected !== undefined && cached !== undefined && cached.credentials !== rejected) {
      return Promise.resolve(cached.credentials);
    }
    return this.#read();
  }

  #read(): Promise<InstanceCredentials> {
    this.#reading ??= this.#load().finally(() => {
      this.#reading = undefined;
    });
    return this.#reading;
  }

  async #load(): Promise<InstanceCredentials> {
    // The TTL above is the only cache that should decide when credentials are read again.
    const secret = await this.#store.getJson(this.secretName, { forceFetch: true });
    const credentials = parseInstanceSecret(this.secretName, secret, this.#policy);
    this.#cached = { credentials, readAt: this.#now() };
    return credentials;
  }
}
