import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { configFileOrigin, loadConfigFile, parseConfig } from '../functions/config/load.ts';
import type { RelayConfig } from '../functions/config/schema.ts';

/** Environment variable that names the configuration file of `npm start`, the sandbox and the CLI. */
export const CONFIG_FILE_ENV = 'SECOPS_RELAY_CONFIG_FILE';

/** File read when neither `--config` nor SECOPS_RELAY_CONFIG_FILE names one. */
export const DEFAULT_CONFIG_FILE = 'relay.config.json';

/** A configuration for a local run, with where it came from for messages. */
export interface LocalConfig {
  config: RelayConfig;
  /** Absolute path of the file read, or undefined for the built-in defaults. */
  path?: string;
  /** Origin that configuration errors name, such as "configuration file /work/relay.config.json". */
  origin?: string;
}

/**
 * Reads the configuration of a local run: the file given on the command line, else the file
 * named by SECOPS_RELAY_CONFIG_FILE, else relay.config.json. Only a missing relay.config.json
 * falls back to the built-in defaults. A file named on the command line or in the variable
 * must exist, because running with the defaults after a typo in its path would use other
 * sources and secrets without a word.
 */
export function readLocalConfig(
  explicitPath?: string,
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): LocalConfig {
  const named = explicitPath ?? nonEmpty(env[CONFIG_FILE_ENV]);
  const path = resolve(cwd, named ?? DEFAULT_CONFIG_FILE);
  if (named === undefined && !existsSync(path)) return { config: parseConfig({}) };
  return { config: loadConfigFile(path), path, origin: configFileOrigin(path) };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}
