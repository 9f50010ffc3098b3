/** Environment variables the functions read; the CDK app sets them and the local stack mimics them. */
export const ENV = {
  /** The relay configuration as JSON. */
  config: 'SECOPS_RELAY_CONFIG',
  /** URL of the SQS delivery queue that ingest writes to. */
  deliveryQueueUrl: 'DELIVERY_QUEUE_URL',
  /** URL of the SQS dead-letter queue that the forwarder writes rejected records to. */
  deadLetterQueueUrl: 'DEAD_LETTER_QUEUE_URL',
} as const;

/** Reads a required environment variable, naming it when it is missing. */
export function requireEnv(key: keyof typeof ENV, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[ENV[key]];
  if (value === undefined || value === '') {
    throw new Error(`Environment variable ${ENV[key]} is not set; the CDK app sets it on deploy.`);
  }
  return value;
}
