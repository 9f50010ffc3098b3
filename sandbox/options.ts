import { parseConfig } from '../functions/config/load.ts';
import type { RelayConfig } from '../functions/config/schema.ts';
import {
  DEFAULT_OAUTH_CLIENTS,
  DEFAULT_USERS,
  type SandboxOAuthClient,
  type SandboxUser,
} from './auth/credentials.ts';
import { SandboxSetupError } from './errors.ts';
import { isLoopbackAddress } from './http.ts';
import {
  createJsonFieldsMapping,
  DEFAULT_ENRICHMENT_MAPPING_ID,
  type SandboxEnrichmentMapping,
} from './secops/enrichment-mappings.ts';
import type { SandboxLogger, SandboxOptions } from './server.ts';
import { createLogger } from '../functions/shared/logger.ts';

export const DEFAULT_SANDBOX_PORT = 3001;
export const DEFAULT_SANDBOX_HOST = '127.0.0.1';
const DEFAULT_TOKEN_LIFETIME_SECONDS = 1800;

/** Every option with its default applied and checked. */
export interface ResolvedOptions {
  port: number;
  host: string;
  config: RelayConfig;
  users: readonly SandboxUser[];
  oauthClients: readonly SandboxOAuthClient[];
  tokenLifetimeSeconds: number;
  enrichmentMappings: readonly SandboxEnrichmentMapping[];
  now: () => Date;
  logger: SandboxLogger;
}

function invalid(message: string): never {
  throw new SandboxSetupError('invalid_option', message);
}

function requireUnique(option: string, names: string[]): void {
  const seen = new Set<string>();
  for (const name of names) {
    if (name === '') invalid(`${option}: an entry has an empty name`);
    if (seen.has(name)) invalid(`${option}: "${name}" appears more than once`);
    seen.add(name);
  }
}

/** Applies defaults and rejects options the sandbox cannot run with, naming the option. */
export function resolveOptions(options: SandboxOptions): ResolvedOptions {
  const host = options.host ?? DEFAULT_SANDBOX_HOST;
  if (host !== 'localhost' && !isLoopbackAddress(host)) {
    throw new SandboxSetupError(
      'non_loopback_host',
      `host "${host}" is not a loopback address; the sandbox listens only on 127.0.0.1, ::1 or localhost`,
    );
  }

  const port = options.port ?? DEFAULT_SANDBOX_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    invalid(`port must be a whole number from 0 to 65535, not ${port}`);
  }

  const tokenLifetimeSeconds = options.tokenLifetimeSeconds ?? DEFAULT_TOKEN_LIFETIME_SECONDS;
  if (!Number.isInteger(tokenLifetimeSeconds) || tokenLifetimeSeconds < 1) {
    invalid(
      `tokenLifetimeSeconds must be a whole number of at least 1, not ${tokenLifetimeSeconds}`,
    );
  }

  const users = options.users ?? DEFAULT_USERS;
  requireUnique(
    'users',
    users.map((user) => user.username),
  );
  for (const user of users) {
    if (user.username.includes(':')) invalid(`users: user name "${user.username}" contains ":"`);
  }
  const oauthClients = options.oauthClients ?? DEFAULT_OAUTH_CLIENTS;
  requireUnique(
    'oauthClients',
    oauthClients.map((client) => client.clientId),
  );

  return {
    port,
    host,
    config: options.config ?? parseConfig({}),
    users,
    oauthClients,
    tokenLifetimeSeconds,
    enrichmentMappings: options.enrichmentMappings ?? [
      createJsonFieldsMapping(DEFAULT_ENRICHMENT_MAPPING_ID),
    ],
    now: options.now ?? (() => new Date()),
    logger: options.logger ?? createLogger('secops-relay-sandbox'),
  };
}
