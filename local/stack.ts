import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { RelayConfig } from '../functions/config/schema.ts';
import {
  InstanceCredentialsProvider,
  parseInstanceSecret,
} from '../functions/credentials/instance.ts';
import { SecretError } from '../functions/credentials/secret-store.ts';
import { isLoopbackHost } from '../functions/credentials/instance-url.ts';
import { InMemoryDedupeStore } from '../functions/dedupe/store.ts';
import { createInstanceSender } from '../functions/forward/instance-sender.ts';
import { createForwardHandler } from '../functions/forward/lambda.ts';
import { createIngestHandler } from '../functions/ingest/lambda.ts';
import { InProcessDeadLetterQueue, InProcessQueue } from '../functions/queue/in-process.ts';
import type { CircuitBreaker } from '../functions/secops/circuit-breaker.ts';
import { createLogger } from '../functions/shared/logger.ts';
import { InMemoryMetrics } from '../functions/shared/metrics.ts';
import { checkConfiguredSources } from '../functions/sources/check-config.ts';
import { getSource, SOURCE_IDS } from '../functions/sources/index.ts';
import { startSandbox, type Sandbox } from '../sandbox/server.ts';
import { LocalForwarder } from './forwarder.ts';
import { createRelayServer } from './relay-server.ts';
import { RotatableSecretStore } from './rotatable-secrets.ts';

export interface LocalStackOptions {
  config: RelayConfig;
  /** Origin of `config` that configuration errors name, such as "configuration file relay.config.json". */
  configOrigin?: string;
  /** Relay port; 0 picks a free one. */
  port?: number;
  /** Sandbox instance port; 0 picks a free one. */
  sandboxPort?: number;
  /** Start the sandbox instance; false when the instance secret points at another instance. */
  sandbox?: boolean;
  /**
   * Instance URL to put in the local instance secret in place of the sandbox's, such as a
   * fault-injecting proxy in front of it.
   */
  instanceUrl?: string;
  /** Base wait before a failed record is retried, in milliseconds (tests shorten it). */
  retryDelayMs?: number;
  /** Maximum wait before a failed record is retried, in milliseconds; default 30,000. */
  maxRetryDelayMs?: number;
  /** Time limit of one forward invocation, in milliseconds; default `deployment.forward.timeoutSeconds`. */
  functionTimeoutMs?: number;
  logger?: Logger;
}

export interface LocalStack {
  relayUrl: string;
  sandbox?: Sandbox;
  queue: InProcessQueue;
  deadLetters: InProcessDeadLetterQueue;
  metrics: InMemoryMetrics;
  /** The secrets the relay reads, which a test may rotate while the stack runs. */
  secrets: RotatableSecretStore;
  /** Delivery ids and record hashes ingest has seen, and records whose POST went unanswered. */
  dedupe: InMemoryDedupeStore;
  /** The forwarder's circuit breaker for the instance. */
  breaker: CircuitBreaker;
  /** The stand-in for the SQS event source: its peak concurrency and invocation count. */
  forwarder: LocalForwarder;
  /** Stops the servers and waits for the forward invocations in progress, up to their timeout. */
  close(): Promise<void>;
  /** Logs how many records the in-memory queues hold, which a stop loses; logs nothing when both are empty. */
  logLostRecords(): void;
}

/** Only loopback: the local stack is for one machine and never listens on a network. */
const HOST = '127.0.0.1';

/** Failure of the relay or the sandbox instance to listen on its port, as when another program uses it. */
export class ListenError extends Error {
  constructor(
    readonly server: 'relay' | 'sandbox',
    readonly port: number,
    /** The system error code, such as EADDRINUSE or EACCES. */
    readonly code: string | undefined,
    cause: unknown,
  ) {
    super(`The ${server} cannot listen on ${HOST}:${port}: ${(cause as Error).message}`, { cause });
    this.name = 'ListenError';
  }
}

/**
 * Starts the whole relay on this machine: the sandbox instance, the ingest handler behind a
 * local HTTP server, the in-process queue and the forward handler fed by a local poller.
 * Secrets come from the configuration's `local.secrets` section instead of Secrets Manager.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const { config } = options;
  checkConfiguredSources(config, getSource, SOURCE_IDS, options.configOrigin);
  checkLocalInstanceSecret(config, options.configOrigin);
  const logger = options.logger ?? createLogger('secops-relay-local');
  // One logger per function, as each has its own in AWS: a Powertools logger carries the
  // Lambda context of its latest invocation, so a shared one would label ingest lines with
  // a forward invocation. A logger passed in (tests) serves them all.
  const loggers = {
    ingest: options.logger ?? createLogger('secops-relay-ingest'),
    forward: options.logger ?? createLogger('secops-relay-forward'),
    sandbox: options.logger ?? createLogger('secops-relay-sandbox'),
  };
  const metrics = new InMemoryMetrics();
  const deadLetters = new InProcessDeadLetterQueue();
  const functionTimeoutMs =
    options.functionTimeoutMs ?? config.deployment.forward.timeoutSeconds * 1000;
  const queue = new InProcessQueue({
    maxReceiveCount: config.delivery.maxReceiveCount,
    deadLetters,
    // As the CDK app sets it: an invocation that holds its batch for the circuit's probe
    // never sees its messages handed to another invocation.
    visibilityTimeoutMs:
      6 * functionTimeoutMs + config.deployment.forward.maxBatchingWindowSeconds * 1000,
  });

  const sandboxPort = options.sandboxPort ?? 3001;
  const sandbox =
    options.sandbox === false
      ? undefined
      : await startSandbox({
          port: sandboxPort,
          host: HOST,
          config,
          logger: loggers.sandbox,
        }).catch((error: unknown) => {
          // Only a failed listen is about the port, while a SandboxSetupError is about the configuration.
          if ((error as NodeJS.ErrnoException).syscall !== 'listen') throw error;
          throw new ListenError(
            'sandbox',
            sandboxPort,
            (error as NodeJS.ErrnoException).code,
            error,
          );
        });

  const instanceSecrets = pointAtSandbox(
    config.local?.secrets ?? {},
    config.instance.secretName,
    options.instanceUrl ?? sandbox?.url,
    logger,
  );
  const secrets = new RotatableSecretStore(instanceSecrets);
  const dedupe = new InMemoryDedupeStore();

  const ingest = createIngestHandler(loggers.ingest, () => ({
    config,
    secrets,
    queue,
    getSource,
    logger: loggers.ingest,
    metrics,
    dedupe: { store: dedupe, ttlSeconds: config.dedupe.ttlSeconds },
  }));

  const credentials = InstanceCredentialsProvider.fromConfig(config, secrets, { localMode: true });
  const { sender, breaker } = createInstanceSender({
    config,
    credentials,
    logger: loggers.forward,
  });
  const forward = createForwardHandler(loggers.forward, () => ({
    config,
    sender,
    breaker,
    deadLetters,
    logger: loggers.forward,
    metrics,
    unansweredPosts: { store: dedupe, ttlSeconds: config.dedupe.ttlSeconds },
  }));
  const forwarder = new LocalForwarder({
    queue,
    handler: forward,
    logger: loggers.forward,
    memorySizeMb: config.deployment.forward.memorySizeMb,
    batchSize: config.deployment.forward.batchSize,
    maxConcurrency: config.deployment.forward.maxConcurrency,
    functionTimeoutMs,
    retryDelayMs: options.retryDelayMs,
    maxRetryDelayMs: options.maxRetryDelayMs,
    // In AWS the visibility timeout (six times the function timeout) outlasts a cool-down;
    // locally the shorter retry delay must not hand records out before the next probe.
    minimumRetryDelayMs: () => breaker.waitMs(),
  });

  const server = createRelayServer({
    ingest,
    getSource,
    queue,
    deadLetters,
    logger: loggers.ingest,
    ingestMemorySizeMb: config.deployment.ingest.memorySizeMb,
    maxJsonDepth: config.ingest.maxJsonDepth,
  });
  const relayPort = options.port ?? 3000;
  try {
    await listen(server, relayPort);
  } catch (error) {
    await sandbox?.close();
    throw new ListenError('relay', relayPort, (error as NodeJS.ErrnoException).code, error);
  }
  forwarder.start();
  const { port } = server.address() as AddressInfo;

  // The in-process queues live in memory, so a stop logs what it loses rather than lose it quietly.
  const logLostRecords = () => {
    const dead = deadLetters.list().length;
    if (queue.size > 0 || dead > 0) {
      logger.warn('Local stack stopped with records in memory; they are lost', {
        queuedRecords: queue.size,
        deadLetteredRecords: dead,
      });
    }
  };

  return {
    relayUrl: `http://${HOST}:${port}`,
    sandbox,
    queue,
    deadLetters,
    metrics,
    secrets,
    dedupe,
    breaker,
    forwarder,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await forwarder.stop();
      logLostRecords();
      await sandbox?.close();
    },
    logLostRecords,
  };
}

/**
 * Checks the instance secret in `local.secrets` as the forwarder will read it, so that a
 * misspelled key stops the start instead of dead-lettering every record later.
 */
function checkLocalInstanceSecret(config: RelayConfig, configOrigin?: string): void {
  const name = config.instance.secretName;
  const where = `local.secrets["${name}"]${configOrigin === undefined ? '' : ` of the ${configOrigin}`}`;
  const secret = config.local?.secrets[name];
  if (secret === undefined) {
    throw new SecretError(
      'secret_not_found',
      name,
      `The local stack needs the instance secret in ${where}; add it, as relay.config.json does.`,
    );
  }
  try {
    parseInstanceSecret(name, secret, {
      allowedHosts: config.instance.allowedHosts,
      localMode: true,
    });
  } catch (error) {
    if (!(error instanceof SecretError)) throw error;
    throw new SecretError(error.code, name, `Invalid ${where}: ${error.message}`, {
      cause: error,
    });
  }
}

/**
 * Points a loopback instance URL in the local instance secret at the sandbox this stack
 * started (or at `options.instanceUrl`), so that SANDBOX_PORT (or port 0 in tests) needs no
 * matching change in the configuration. A non-loopback URL is left alone: that is a real instance.
 */
function pointAtSandbox(
  secrets: Record<string, Record<string, unknown>>,
  instanceSecretName: string,
  targetUrl: string | undefined,
  logger: Logger,
): Record<string, Record<string, unknown>> {
  const instance = secrets[instanceSecretName];
  if (
    targetUrl === undefined ||
    instance === undefined ||
    typeof instance.instanceUrl !== 'string'
  ) {
    return secrets;
  }
  let configured: URL;
  try {
    configured = new URL(instance.instanceUrl);
  } catch {
    return secrets;
  }
  const target = new URL(targetUrl).origin;
  if (!isLoopbackHost(configured.hostname) || configured.origin === target) {
    return secrets;
  }
  logger.info('Pointing the local instance secret at the sandbox instance', {
    configuredUrl: configured.origin,
    sandboxUrl: target,
  });
  return { ...secrets, [instanceSecretName]: { ...instance, instanceUrl: target } };
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
