import { readFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import * as z from 'zod';
import { parseStrictJsonByHand, StrictJsonError } from '../ingest/strict-json.ts';
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
  } catch {
    throw new ConfigError(`Configuration file ${path} is not valid JSON${syntaxErrorAt(text)}`);
  }
  return parseConfig(json, configFileOrigin(path));
}

/** Maximum nesting depth `syntaxErrorAt` follows, far beyond any real configuration. */
const MAX_CONFIG_DEPTH = 64;

/**
 * Says where the JSON syntax error in `text` is, by line and column, and what it is, without
 * quoting the text. JSON.parse's message quotes the text around the error, which in a
 * configuration with `local.secrets` can be a secret written without quotes.
 */
function syntaxErrorAt(text: string): string {
  try {
    parseStrictJsonByHand(text, { maxDepth: MAX_CONFIG_DEPTH });
  } catch (error) {
    if (error instanceof StrictJsonError) {
      const before = text.slice(0, error.position).split('\n');
      const line = before.length;
      const column = before[line - 1]!.length + 1;
      // The parser quotes the character it found, which may belong to a secret.
      const problem = error.message
        .replace(/ \(at character \d+\)$/, '')
        .replace(/found "(?:[^"\\]|\\.)*"/, 'found an unexpected character')
        .replace('the end of the body', 'the end of the text');
      return ` at line ${line}, column ${column}: ${problem}. Check the quotes and commas there; every string value needs double quotes.`;
    }
  }
  return '; check its quotes, commas and brackets.';
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
  } catch {
    throw new ConfigError(`${CONFIG_ENV} is not valid JSON${syntaxErrorAt(text)}`);
  }
  return parseConfig(json, ENV_CONFIG_ORIGIN);
}
