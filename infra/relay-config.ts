import { ConfigError } from '../functions/config/load.ts';
import type { RelayConfig } from '../functions/config/schema.ts';

/** A configuration ready to deploy. */
export interface DeployableConfig {
  /** The configuration without its `local` section. */
  config: RelayConfig;
  /** True when the input had a `local` section, which contains local-mode secrets and is never deployed. */
  removedLocalSection: boolean;
}

/**
 * Prepares a parsed configuration for deployment: removes the `local` section and checks
 * the rules that span several keys, which the schema cannot express per key.
 *
 * @throws ConfigError naming `origin` and each key to fix.
 */
export function toDeployableConfig(input: RelayConfig, origin = 'configuration'): DeployableConfig {
  const { local, ...config } = input;
  const problems = crossKeyProblems(config);
  if (problems.length > 0) {
    throw new ConfigError(`Invalid ${origin} for deployment:\n${problems.join('\n')}`);
  }
  return { config, removedLocalSection: local !== undefined };
}

function crossKeyProblems(config: RelayConfig): string[] {
  const problems: string[] = [];

  const partner = config.deployment.partnerEventBus;
  if (partner !== undefined && config.sources[partner.sourceId]?.enabled !== true) {
    problems.push(
      `  deployment.partnerEventBus.sourceId: "${partner.sourceId}" is not an enabled source; ` +
        'add it under "sources" or correct the id',
    );
  }

  const forwardTimeoutMs = config.deployment.forward.timeoutSeconds * 1000;
  if (forwardTimeoutMs <= config.instance.requestTimeoutMs) {
    problems.push(
      `  deployment.forward.timeoutSeconds: ${config.deployment.forward.timeoutSeconds} s leaves no time ` +
        `for one instance request of ${config.instance.requestTimeoutMs} ms (instance.requestTimeoutMs); ` +
        `set it above ${Math.ceil(config.instance.requestTimeoutMs / 1000)}`,
    );
  }

  return problems;
}
