import { resolve } from 'node:path';
import { Validations, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { configFileOrigin, loadConfigFile } from '../functions/config/load.ts';
import { RelayStack } from './relay-stack.ts';

/** Configuration file read when the context key `config` is not set, relative to the working directory. */
export const DEFAULT_CONFIG_PATH = 'relay.config.json';

/**
 * Adds the relay stack to `app`, configured from the file named by the context key
 * `config` (`npx cdk synth --context config=deploy.json`), and runs the cdk-nag
 * AwsSolutions checks over it, so an unexplained finding fails the synthesis.
 *
 * The stack is pinned to `deployment.account` and `deployment.region` when the file sets
 * them, and is environment-agnostic otherwise.
 *
 * @throws ConfigError naming each invalid key.
 */
export function addRelayStack(app: App): RelayStack {
  const configPath = resolve(String(app.node.tryGetContext('config') ?? DEFAULT_CONFIG_PATH));
  const config = loadConfigFile(configPath);
  const { account, region, stackName } = config.deployment;

  const stack = new RelayStack(app, stackName, {
    config,
    configOrigin: configFileOrigin(configPath),
    ...((account !== undefined || region !== undefined) && { env: { account, region } }),
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return stack;
}
