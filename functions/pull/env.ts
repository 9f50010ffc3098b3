/** Environment variable with the name of the DynamoDB table of checkpoints and dedupe keys; the CDK app sets it. */
export const PULL_STATE_TABLE_ENV = 'PULL_STATE_TABLE';

/** Reads the checkpoint table's name, naming the variable when it is missing. */
export function requirePullStateTable(env: NodeJS.ProcessEnv = process.env): string {
  const value = env[PULL_STATE_TABLE_ENV];
  if (value === undefined || value === '') {
    throw new Error(
      `Environment variable ${PULL_STATE_TABLE_ENV} is not set; the CDK app sets it on deploy.`,
    );
  }
  return value;
}
