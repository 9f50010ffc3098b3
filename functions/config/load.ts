import { readFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import * as z from 'zod';
import { formatPath } from '../shared/json-path.ts';
import { IssueHints } from './issue-hints.ts';
import { relayConfigSchema, type RelayConfig } from './schema.ts';

/** Environment variable holding the configuration as JSON; the CDK app sets it on every function. */
export const CONFIG_ENV = 'SECOPS_RELAY_CONFIG';

/** Origin that configuration errors name for a configuration read from SECOPS_RELAY_CONFIG. */
export const ENV_CONFIG_ORIGIN = `configuration in ${CONFIG_ENV}`;

/** Returns the origin that configuration errors name for a configuration file. */
export function configFileOrigin(path: string): string {
  return `configuration file ${path}`;
}

/** A configuration that does not parse or validate; the message names each key to fix. */
export class ConfigError extends Error {
  readonly code = 'invalid_config';

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ConfigError';
  }
}

/**
 * Validates a configuration object, throwing a ConfigError that lists every invalid key.
 * `origin` names where the configuration came from, such as "configuration file deploy.json".
 */
export function parseConfig(input: unknown, origin = 'configuration'): RelayConfig {
  const hints = new IssueHints(relayConfigSchema);
  // A process parses its configuration once, so zod's compiled fast path would not pay off:
  // compiling it took about 4 ms of the ingest function's cold start.
  const result = relayConfigSchema.safeParse(input, {
    jitless: true,
    error: (issue) => hints.record(issue),
  });
  if (result.success) return result.data;
  throw new ConfigError(`Invalid ${origin}:\n${formatIssues(result.error, hints)}`, {
    cause: result.error,
  });
}

/**
 * Formats zod issues as one `key.path[0].key: message` line each. An unknown key gets a line
 * of its own that suggests the closest known key, or lists the known keys when none is close.
 */
export function formatIssues(error: z.ZodError, hints?: IssueHints): string {
  const lines: string[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const message =
          hints?.unknownKeyMessage(issue.path, key) ?? 'unknown key; remove it or correct its name';
        lines.push(formatLine([...issue.path, key], message));
      }
    } else {
      lines.push(formatLine(issue.path, issue.message));
    }
  }
  return lines.join('\n');
}

function formatLine(path: readonly PropertyKey[], message: string): string {
  return `  ${formatPath(path, '(root)')}: ${message}`;
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
    throw new ConfigError(
      `Configuration file ${path} is not valid JSON: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  return parseConfig(json, configFileOrigin(path));
}

/** Prefix of a configuration stored compressed: gzip, then base64. */
export const COMPRESSED_CONFIG_PREFIX = 'gzip+base64:';

/**
 * Encodes a configuration for the SECOPS_RELAY_CONFIG environment variable: gzip and base64,
 * because Lambda allows 4 KB for all variables of a function and a configuration with a
 * dozen sources takes more as plain JSON.
 */
export function encodeConfigForEnv(config: unknown): string {
  return (
    COMPRESSED_CONFIG_PREFIX + gzipSync(JSON.stringify(config), { level: 9 }).toString('base64')
  );
}

/**
 * Reads the configuration from the SECOPS_RELAY_CONFIG environment variable, which is
 * how a deployed function gets it: plain JSON, or JSON compressed by encodeConfigForEnv.
 * An absent variable means all defaults.
 */
export function loadConfigFromEnv(env: NodeJS.ProcessEnv = process.env): RelayConfig {
  const value = env[CONFIG_ENV];
  if (value === undefined || value.trim() === '') return parseConfig({});
  let text = value;
  if (value.startsWith(COMPRESSED_CONFIG_PREFIX)) {
    try {
      text = gunzipSync(
        Buffer.from(value.slice(COMPRESSED_CONFIG_PREFIX.length), 'base64'),
      ).toString('utf8');
    } catch (error) {
      throw new ConfigError(`${CONFIG_ENV} is not valid gzip+base64: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${CONFIG_ENV} is not valid JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return parseConfig(json, ENV_CONFIG_ORIGIN);
}
