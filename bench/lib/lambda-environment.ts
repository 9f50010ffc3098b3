import { execFile } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { connect, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { promisify } from 'node:util';
import {
  CreateTableCommand,
  DynamoDBClient,
  type CreateTableCommandInput,
} from '@aws-sdk/client-dynamodb';
import { App, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { RelayConfig } from '../../functions/config/schema.ts';
import { RelayStack } from '../../infra/relay-stack.ts';
import { startSandbox, type Sandbox } from '../../sandbox/server.ts';
import {
  startFakeSecretsManager,
  type FakeSecretsManager,
} from '../../test/credentials/fake-secrets-manager.ts';
import { untilActive } from '../../test/helpers/dynalite.ts';
import { startFakeSqs } from '../../test/helpers/fake-sqs.ts';
import type { FunctionName } from './bundle.ts';
import { BENCH_SOURCES } from './payloads.ts';
import { temporaryDirectory } from './temporary-directory.ts';

/**
 * Everything a bundled function reaches in AWS, on 127.0.0.1: Secrets Manager and SQS
 * (the loopback fakes the tests use, which speak the AWS JSON protocols to the real SDK
 * clients), DynamoDB (dynalite) and the instance (the sandbox behind TLS, because the
 * deployed forwarder sends credentials only over https). Each function gets the
 * environment variables the CDK app gives it in the synthesized template, with every
 * queue and table reference pointed at these stand-ins, and every AWS endpoint on
 * loopback, so nothing leaves the machine.
 */
export interface LambdaEnvironment {
  env(functionName: FunctionName): Record<string, string>;
  /** Host names a function may resolve, with their loopback addresses; see RunnerSpec.hosts. */
  hosts: Record<string, string>;
  /** The function's memory size in the template, in MB. */
  memorySizeMb(functionName: FunctionName): number;
  /** Drops what the fake SQS kept, so long runs do not grow this process. */
  clearQueues(): void;
  close(): Promise<void>;
}

/** A closed loopback port for every AWS endpoint not set on its own, so a stray call fails at once. */
const DISCARD_ENDPOINT = 'http://127.0.0.1:9';
const ACCOUNT = '123456789012';
/**
 * The instance's host name. The deployed forwarder calls only https host names listed in
 * instance.allowedHosts, never an IP address or a local name; the runner resolves this one
 * name to 127.0.0.1, and example.com is reserved, so it names no real host.
 */
const INSTANCE_HOST = 'instance.bench.example.com';

const execFileAsync = promisify(execFile);
const silent = { info: () => {}, error: () => {} };

// dynalite ships no type declarations; its factory returns a node:http server.
const dynalite = createRequire(import.meta.url)('dynalite') as (options: {
  createTableMs: number;
}) => Server;

export async function startLambdaEnvironment(config: RelayConfig): Promise<LambdaEnvironment> {
  const directory = await temporaryDirectory('secops-relay-bench-aws-');
  const closers: (() => Promise<void>)[] = [() => rm(directory, { recursive: true, force: true })];
  const close = async () => {
    for (const closer of closers.reverse()) await closer();
  };

  try {
    const secretsManager = await startFakeSecretsManager();
    closers.push(() => secretsManager.close());
    const sqs = await startFakeSqs();
    closers.push(() => sqs.close());
    const dynamoDb = await startDynalite();
    closers.push(() => dynamoDb.close());
    const sandbox = await startSandbox({ port: 0, host: '127.0.0.1', config, logger: silent });
    closers.push(() => sandbox.close());
    const tls = await startTlsProxy(sandbox, directory);
    closers.push(() => tls.close());

    storeSecrets(secretsManager, config, `https://${INSTANCE_HOST}:${tls.port}`);
    const template = synthFunctions({
      ...config,
      instance: { ...config.instance, allowedHosts: [INSTANCE_HOST] },
      // Only the benchmarked sources, so the configuration fits Lambda's 4 KB environment.
      sources: Object.fromEntries(
        Object.entries(config.sources).filter(([id]) =>
          (BENCH_SOURCES as readonly string[]).includes(id),
        ),
      ),
    });

    const resolve = async (value: unknown, variable: string): Promise<string> => {
      if (typeof value === 'string') return value;
      const logicalId = referencedId(value);
      const resource = logicalId === undefined ? undefined : template.resources[logicalId];
      if (resource?.Type === 'AWS::SQS::Queue') return `${sqs.endpoint}/${ACCOUNT}/${logicalId}`;
      if (resource?.Type === 'AWS::DynamoDB::Table')
        return dynamoDb.createTable(logicalId!, resource.Properties);
      throw new Error(
        `The benchmark cannot stand in for ${JSON.stringify(value)} in ${variable}; ` +
          'add the resource type to resolve() in bench/lib/lambda-environment.ts.',
      );
    };
    const variables = {} as Record<FunctionName, Record<string, string>>;
    for (const name of Object.keys(template.functions) as FunctionName[]) {
      variables[name] = {};
      for (const [variable, value] of Object.entries(template.functions[name].variables)) {
        variables[name][variable] = await resolve(value, variable);
      }
    }

    const aws = {
      TZ: 'UTC',
      AWS_REGION: 'us-east-1',
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIABENCHFAKEKEY0000',
      AWS_SECRET_ACCESS_KEY: 'bench-fake-secret-access-key',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_ENDPOINT_URL: DISCARD_ENDPOINT,
      AWS_ENDPOINT_URL_SQS: sqs.endpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsManager.endpoint,
      AWS_ENDPOINT_URL_DYNAMODB: dynamoDb.endpoint,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      NODE_EXTRA_CA_CERTS: tls.certificateFile,
    };

    return {
      env: (name) => ({
        ...aws,
        ...variables[name],
        AWS_LAMBDA_FUNCTION_NAME: `secops-relay-${name}`,
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(template.functions[name].memorySizeMb),
      }),
      hosts: { [INSTANCE_HOST]: '127.0.0.1' },
      memorySizeMb: (name) => template.functions[name].memorySizeMb,
      clearQueues: () => {
        sqs.messages.length = 0;
        sqs.calls.length = 0;
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

interface TemplateResource {
  Type: string;
  Properties?: Record<string, unknown>;
}

interface SynthesizedFunctions {
  resources: Record<string, TemplateResource>;
  functions: Record<FunctionName, { variables: Record<string, unknown>; memorySizeMb: number }>;
}

/** Synthesizes the repository's stack without bundling and reads each function's settings. */
function synthFunctions(config: RelayConfig): SynthesizedFunctions {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new RelayStack(app, 'SecOpsRelayBench', { config });
  const resources = (
    Template.fromStack(stack).toJSON() as { Resources: Record<string, TemplateResource> }
  ).Resources;
  const constructs = { ingest: stack.relay.ingestFunction, forward: stack.relay.forwardFunction };
  const functions = {} as SynthesizedFunctions['functions'];
  for (const [name, construct] of Object.entries(constructs) as [
    FunctionName,
    (typeof constructs)['ingest'],
  ][]) {
    const logicalId = stack.getLogicalId(construct.node.defaultChild as CfnElement);
    const properties = resources[logicalId]?.Properties as
      { Environment?: { Variables?: Record<string, unknown> }; MemorySize?: number } | undefined;
    functions[name] = {
      variables: properties?.Environment?.Variables ?? {},
      memorySizeMb: properties?.MemorySize ?? 128,
    };
  }
  return { resources, functions };
}

/** Returns the logical id in `{"Ref": id}` or `{"Fn::GetAtt": [id, …]}`, the references a function's variables hold. */
function referencedId(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const reference = value as { Ref?: unknown; 'Fn::GetAtt'?: unknown };
  if (typeof reference.Ref === 'string') return reference.Ref;
  const attribute = reference['Fn::GetAtt'];
  return Array.isArray(attribute) && typeof attribute[0] === 'string' ? attribute[0] : undefined;
}

/** Starts dynalite, an in-memory DynamoDB, on a free loopback port. */
async function startDynalite(): Promise<{
  endpoint: string;
  createTable(name: string, properties: Record<string, unknown> | undefined): Promise<string>;
  close(): Promise<void>;
}> {
  const server = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: {
      accessKeyId: 'AKIABENCHFAKEKEY0000',
      secretAccessKey: 'bench-fake-secret-access-key',
    },
  });
  const created = new Set<string>();
  return {
    endpoint,
    async createTable(name, properties) {
      if (!created.has(name)) {
        // The template's key schema, so the function reads and writes the table it would in AWS.
        await client.send(
          new CreateTableCommand({
            TableName: name,
            BillingMode: 'PAY_PER_REQUEST',
            KeySchema: properties?.KeySchema as CreateTableCommandInput['KeySchema'],
            AttributeDefinitions:
              properties?.AttributeDefinitions as CreateTableCommandInput['AttributeDefinitions'],
          }),
        );
        await untilActive(client, name);
        created.add(name);
      }
      return name;
    },
    async close() {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Stores the source secrets of `local.secrets`, and the instance secret pointed at `instanceUrl`. */
function storeSecrets(store: FakeSecretsManager, config: RelayConfig, instanceUrl: string): void {
  const secrets = config.local?.secrets ?? {};
  for (const [name, value] of Object.entries(secrets)) store.setSecret(name, JSON.stringify(value));
  const instance = secrets[config.instance.secretName];
  if (instance === undefined) {
    throw new Error(
      `relay.config.json has no local secret "${config.instance.secretName}" for the instance.`,
    );
  }
  store.setSecret(config.instance.secretName, JSON.stringify({ ...instance, instanceUrl }));
}

/**
 * Puts TLS in front of the sandbox with a self-signed certificate for INSTANCE_HOST, made by
 * the openssl command for this run. Functions trust it through NODE_EXTRA_CA_CERTS.
 */
async function startTlsProxy(
  sandbox: Sandbox,
  directory: string,
): Promise<{ port: number; certificateFile: string; close: () => Promise<void> }> {
  const keyFile = join(directory, 'key.pem');
  const certificateFile = join(directory, 'certificate.pem');
  try {
    await execFileAsync('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certificateFile,
      '-days',
      '1',
      '-subj',
      `/CN=${INSTANCE_HOST}`,
      '-addext',
      `subjectAltName=DNS:${INSTANCE_HOST}`,
    ]);
  } catch (error) {
    throw new Error(
      `Making a TLS certificate for the loopback instance failed (${(error as Error).message}); ` +
        'the benchmark needs the openssl command on the PATH.',
    );
  }

  const server: TlsServer = createTlsServer(
    { key: await readFile(keyFile), cert: await readFile(certificateFile) },
    (socket) => {
      const upstream = connect(sandbox.port, '127.0.0.1');
      socket.pipe(upstream).pipe(socket);
      socket.on('error', () => upstream.destroy());
      upstream.on('error', () => socket.destroy());
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    certificateFile,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Writes JSON to a file, for the runner's events and spec. */
export async function writeJson(path: string, value: unknown): Promise<void> {
  await writeFile(path, JSON.stringify(value));
}
