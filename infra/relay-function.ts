import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ConfigError, encodeConfigForEnv } from '../functions/config/load.ts';
import type { RelayConfig } from '../functions/config/schema.ts';
import { ENV } from '../functions/shared/env.ts';

/** The repository root, so bundling finds this project's lock file from any CDK app that uses the construct. */
const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Lambda's limit on all environment variables of one function together, in bytes. */
const LAMBDA_ENVIRONMENT_LIMIT_BYTES = 4096;

/**
 * Bytes counted for a value that is a CloudFormation token at synth time, such as a
 * queue URL (`https://sqs.<region>.amazonaws.com/<account>/<name>` is about 120).
 */
const TOKEN_VALUE_ESTIMATE_BYTES = 200;

export interface RelayFunctionProps {
  /** Handler module relative to the repository root, such as `functions/ingest/handler.ts`; it exports `handler`. */
  entry: string;
  description: string;
  /** The deployed configuration, without its `local` section; every function gets it as SECOPS_RELAY_CONFIG. */
  config: RelayConfig;
  timeout: Duration;
  memorySizeMb: number;
  /** Environment variables besides the configuration, such as the queue URLs. */
  environment?: Record<string, string>;
}

/**
 * A Lambda function with the relay's house defaults, so every function is built and run
 * the same way. It runs Node 22 (`nodejs22.x`, the version the project is tested on) on
 * arm64, bundled by esbuild as minified ESM with source maps. It has active X-Ray tracing,
 * its own log group with the configured retention, and a role that may write logs only to
 * that group.
 */
export class RelayFunction extends Construct {
  readonly function: NodejsFunction;
  readonly logGroup: logs.LogGroup;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: RelayFunctionProps) {
    super(scope, id);

    const environment = {
      [ENV.config]: encodeConfigForEnv(props.config),
      NODE_OPTIONS: '--enable-source-maps',
      ...props.environment,
    };
    checkEnvironmentSize(environment);

    // Kept on stack deletion so that a teardown does not erase the relay's audit trail; the
    // retention period still expires the events.
    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.config.deployment.logRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // An own role instead of AWSLambdaBasicExecutionRole, whose logs:* grant covers every log group.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of the SecOps Relay function ${id}`,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      entry: `${PROJECT_ROOT}${props.entry}`,
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: `${PROJECT_ROOT}package-lock.json`,
      description: props.description,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      timeout: props.timeout,
      memorySize: props.memorySizeMb,
      role: this.role,
      logGroup: this.logGroup,
      tracing: lambda.Tracing.ACTIVE,
      environment,
      bundling: {
        format: OutputFormat.ESM,
        minify: true,
        sourceMap: true,
        // A .map file beside the bundle, linked by a sourceMappingURL comment.
        sourceMapMode: SourceMapMode.DEFAULT,
        sourcesContent: false,
        // Bundling the pinned AWS SDK means the deployed SDK is the one the tests ran.
        bundleAwsSDK: true,
        mainFields: ['module', 'main'],
        // CommonJS dependencies inside an ESM bundle still call require().
        banner:
          "import { createRequire as relayCreateRequire } from 'node:module'; const require = relayCreateRequire(import.meta.url);",
        forceDockerBundling: false,
      },
    });

    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'nodejs22.x is deliberate: the project develops and tests on Node 22, so the deployed runtime is the tested one. Move it together with the project Node version.',
    });
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray tracing needs xray:PutTraceSegments and xray:PutTelemetryRecords, which support no resource-level permissions, so their resource is "*".',
    });
  }
}

/**
 * Throws a ConfigError when the environment would exceed Lambda's 4 KB limit, which
 * CloudFormation would otherwise report only in the middle of a deployment.
 */
function checkEnvironmentSize(environment: Record<string, string>): void {
  let bytes = 0;
  for (const [name, value] of Object.entries(environment)) {
    const valueBytes = Token.isUnresolved(value)
      ? TOKEN_VALUE_ESTIMATE_BYTES
      : Buffer.byteLength(value, 'utf8');
    bytes += Buffer.byteLength(name, 'utf8') + valueBytes;
  }
  if (bytes > LAMBDA_ENVIRONMENT_LIMIT_BYTES) {
    const configBytes = Buffer.byteLength(environment[ENV.config] ?? '', 'utf8');
    throw new ConfigError(
      `The function environment would take about ${bytes} bytes, of which the configuration ` +
        `(${ENV.config}) takes ${configBytes}; Lambda accepts ${LAMBDA_ENVIRONMENT_LIMIT_BYTES} ` +
        'bytes in all. Disable or remove unused sources, or shorten secret names and allowedHosts.',
    );
  }
}
