/**
 * AWS list prices for US East (N. Virginia), first pricing tier, without free tiers, as
 * published on the pages named in SOURCES, read on 2026-12-04. An estimate built on them
 * is an estimate: check the current prices of your region before relying on it.
 */
export const PRICES = {
  region: 'us-east-1',
  readOn: '2026-12-04',
  /** API Gateway HTTP API, per million requests; each 512 KB of a request counts as one request. */
  httpApiPerMillion: 1.0,
  httpApiMeteringBytes: 512 * 1024,
  /** API Gateway REST API, per million requests. */
  restApiPerMillion: 3.5,
  /** Lambda, per million requests, both architectures. */
  lambdaRequestsPerMillion: 0.2,
  /** Lambda duration per GB-second, billed in 1 ms steps. */
  lambdaArmPerGbSecond: 0.0000133334,
  lambdaX86PerGbSecond: 0.0000166667,
  /** SQS standard queue, per million requests; each 64 KB of a request's payload counts as one request. */
  sqsPerMillion: 0.4,
  sqsMeteringBytes: 64 * 1024,
  /** Memory at which a Lambda function gets one full vCPU; less memory gets a proportional share. */
  lambdaMbPerVcpu: 1769,
} as const;

export const SOURCES = [
  'API Gateway: AWS whitepaper "Best Practices for Designing Amazon API Gateway Private APIs and Private Integration", section Cost optimization, Table 4 (docs.aws.amazon.com)',
  'Lambda: AWS Lambda pricing, US East (N. Virginia), as quoted by cloudchipr.com/blog/aws-lambda-pricing; CPU share: AWS Lambda Developer Guide, "Configure Lambda function memory"',
  'SQS: Amazon SQS pricing, US East (N. Virginia), as quoted by cloudburn.io/blog/amazon-sqs-pricing (March 2026)',
] as const;
