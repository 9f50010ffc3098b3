/** Environment variables the functions read; the CDK app sets them and the local stack mimics them. */
export const ENV = {
  /** The relay configuration as JSON. */
  config: 'SECOPS_RELAY_CONFIG',
  /** URL of the SQS delivery queue that ingest writes to. */
  deliveryQueueUrl: 'DELIVERY_QUEUE_URL',
  /** URL of the SQS dead-letter queue that the forwarder writes rejected records to. */
  deadLetterQueueUrl: 'DEAD_LETTER_QUEUE_URL',
} as const;
