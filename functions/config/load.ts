import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { relayConfigSchema, type RelayConfig } from './schema.ts';

/** Environment variable holding the configuration as JSON; the CDK app sets it on every function. */
export const CONFIG_ENV = 'SECOPS_RELAY_CONFIG';

/** A configuration that does not parse or validate; the message names each key to fix. */
export class ConfigError extends Error {
  readonly code = 'invalid_config';

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ConfigError';
  }
}

/** Validates a configuration object, throwing a ConfigError that lists every invalid key. */
export function parseConfig(input: unknown, origin = 'configuration'): RelayConfig {
  const result = relayConfigSchema.safeParse(input);
  if (result.success) return result.data;
  throw new ConfigError(`Invalid ${origin}:\n${formatIssues(result.error)}`, {
    cause: result.error,
  });
}

/** Formats zod issues as one `key.path: message` line each. */
export function formatIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `  ${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('\n');
}

/** Reads and validates a JSON configuration file. */
export function loadConfigFile(path: string): RelayConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`Cannot read configuration file ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`Configuration file ${path} is not valid JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return parseConfig(json, `configuration file ${path}`);
}

/**
 * Reads the configuration from the SECOPS_RELAY_CONFIG environment variable, which is
 * how a deployed function gets it. An absent variable means all defaults.
 */
export function loadConfigFromEnv(env: NodeJS.ProcessEnv = process.env): RelayConfig {
  const text = env[CONFIG_ENV];
  if (text === undefined || text.trim() === '') return parseConfig({});
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${CONFIG_ENV} is not valid JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return parseConfig(json, `configuration in ${CONFIG_ENV}`);
}
