import { fileURLToPath } from 'node:url';
import { loadConfigFile } from '../../functions/config/load.ts';
import type { RelayConfig } from '../../functions/config/schema.ts';

/**
 * The repository root, so workers find relay.config.json whatever their working directory.
 * A worker bundled into a temporary directory gets it from SECOPS_RELAY_BENCH_ROOT.
 */
export const REPO_ROOT =
  process.env.SECOPS_RELAY_BENCH_ROOT ?? fileURLToPath(new URL('../../', import.meta.url));

/** The local configuration every measurement uses: relay.config.json with its `local.secrets`. */
export function loadBenchConfig(): RelayConfig {
  return loadConfigFile(`${REPO_ROOT}relay.config.json`);
}

/** Every table the sandbox stores records in, each once. */
export function recordTables(config: RelayConfig): string[] {
  return [...new Set(Object.values(config.records).map((settings) => settings.table))];
}
