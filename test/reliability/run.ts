import { parseConfig } from '../../functions/config/load.ts';
import type { RelayConfig } from '../../functions/config/schema.ts';
import { startLocalStack, type LocalStack } from '../../local/stack.ts';
import { startSandbox, type Sandbox } from '../../sandbox/server.ts';
import { captureLogger } from '../helpers/capture-logger.ts';
import { startFaultProxy, type FaultPlan, type ProxiedRequest } from './fault-proxy.ts';
import { SeededRandom } from './random.ts';
import { deliver, PARTNER_EVENT_SOURCE, planWorkload, type SendResult } from './workload.ts';

const INSTANCE_SECRET = 'secops-relay/instance';
const ROTATED_PASSWORD = 'rotated-sandbox-password';

export interface FaultRunOptions {
  events: number;
  seed: number;
  /** Deliveries sent to the relay at the same time. */
  senders?: number;
  /** Maximum wait for the queue to drain after the last delivery, in milliseconds. */
  drainTimeoutMs?: number;
}

/** Everything a fault run observed, for the checks and the report. */
export interface FaultRun {
  options: FaultRunOptions;
  config: RelayConfig;
  results: SendResult[];
  stack: LocalStack;
  sandbox: Sandbox;
  proxyLog: ProxiedRequest[];
  peakInstanceRequests: number;
  outages: { from: number; to: number }[];
  rotation: RotationRecord;
  durationMs: number;
  /** The relay's log lines of level WARN and above. */
  logLines: () => Record<string, unknown>[];
  close: () => Promise<void>;
}

/** When the instance password changed, when the secret followed, and what the relay read. */
export interface RotationRecord {
  passwordChangedAt: number;
  secretUpdatedAt: number;
  secretReadsBefore: number;
  secretReadsAtUpdate: number;
  secretReadsAfter: number;
}

/**
 * Builds the configuration of a fault run: the repository's sources and secrets, timeouts
 * and retry delays short enough for a test, report URLs made mandatory so that some
 * records are rejected, and a partner event bus routed to `generic`.
 */
export function faultRunConfig(shipped: unknown): RelayConfig {
  const base = JSON.parse(JSON.stringify(shipped)) as Record<string, Record<string, unknown>>;
  return parseConfig({
    ...base,
    instance: {
      ...base.instance,
      requestTimeoutMs: 1_000,
      maxAttempts: 3,
      credentialsTtlSeconds: 3600,
    },
    records: {
      threat_lookup_result: { mandatoryFields: ['observable', 'finding', 'source', 'report_url'] },
    },
    delivery: {
      maxReceiveCount: 10,
      circuitBreaker: { failureThreshold: 5, coolDownMs: 200, maxCoolDownMs: 1_000 },
    },
    deployment: {
      forward: { maxConcurrency: 4, batchSize: 10 },
      partnerEventBus: {
        name: 'local-partner-bus',
        sourceId: 'generic',
        eventPattern: { source: [PARTNER_EVENT_SOURCE] },
      },
    },
  });
}

/**
 * Drives a seeded workload through the local stack while a fault proxy in front of the
 * sandbox instance misbehaves at random. At a quarter and at three quarters of the
 * deliveries the instance goes down for 700 ms (every request 503 or the hibernation
 * page), and at half of them its password changes, with the secret following 300 ms
 * later. Redeliveries are sent after the deliveries they repeat. Returns once the queue
 * has drained.
 */
export async function runFaultInjection(
  options: FaultRunOptions,
  shipped: unknown,
): Promise<FaultRun> {
  const startedAt = Date.now();
  const config = faultRunConfig(shipped);
  // Warnings and errors only: a delivered record logs at INFO, and a soak run delivers many.
  const logs = captureLogger('fault-run');
  logs.logger.setLogLevel('WARN');
  const random = new SeededRandom(options.seed);
  const sandbox = await startSandbox({ port: 0, config, logger: { info() {}, error() {} } });
  const plan: FaultPlan = {
    faultRate: 0.1,
    weights: [
      ['rate_limit', 30],
      ['server_error', 30],
      ['slow', 12],
      ['reset', 10],
      ['html', 10],
      ['unknown_error', 5],
      ['persist_failure', 6],
    ],
    outages: [],
    slowMs: config.instance.requestTimeoutMs + 150,
  };
  const proxy = await startFaultProxy({
    upstream: sandbox.url,
    apiBasePath: config.instance.api.basePath,
    random: new SeededRandom(options.seed + 1),
    plan,
  });
  const stack = await startLocalStack({
    config,
    port: 0,
    sandbox: false,
    instanceUrl: proxy.url,
    retryDelayMs: 40,
    maxRetryDelayMs: 800,
    logger: logs.logger,
  });

  const sends = planWorkload(options.events, random);
  const originals = sends.filter((send) => send.redeliveryOf === undefined);
  const redeliveries = sends.filter((send) => send.redeliveryOf !== undefined);
  const rotation: RotationRecord = {
    passwordChangedAt: 0,
    secretUpdatedAt: 0,
    secretReadsBefore: 0,
    secretReadsAtUpdate: 0,
    secretReadsAfter: 0,
  };
  let rotationDone: Promise<void> = Promise.resolve();

  const milestones = new Map<number, () => void>([
    [
      Math.floor(originals.length / 4),
      () => plan.outages.push({ from: Date.now(), to: Date.now() + 700 }),
    ],
    [
      Math.floor((originals.length * 3) / 4),
      () => plan.outages.push({ from: Date.now(), to: Date.now() + 700 }),
    ],
    [Math.floor(originals.length / 2), () => (rotationDone = rotate(stack, sandbox, rotation))],
  ]);
  let answered = 0;
  const results = await sendAll(originals, options.senders ?? 8, async (send) => {
    const result = await deliver(send, stack.relayUrl, config);
    answered += 1;
    milestones.get(answered)?.();
    return result;
  });
  await rotationDone;
  results.push(
    ...(await sendAll(redeliveries, options.senders ?? 8, (send) =>
      deliver(send, stack.relayUrl, config),
    )),
  );

  await drain(stack, options.drainTimeoutMs ?? 90_000);
  rotation.secretReadsAfter = stack.secrets.readCount(INSTANCE_SECRET);
  return {
    options,
    config,
    results: results.sort((a, b) => a.send.index - b.send.index),
    stack,
    sandbox,
    proxyLog: proxy.log,
    peakInstanceRequests: proxy.peakInFlight(),
    outages: plan.outages,
    rotation,
    durationMs: Date.now() - startedAt,
    logLines: logs.lines,
    close: async () => {
      await stack.close();
      await proxy.close();
      await sandbox.close();
    },
  };
}

/** Changes the instance password, then puts the new secret 300 ms later, as an operator would. */
async function rotate(
  stack: LocalStack,
  sandbox: Sandbox,
  rotation: RotationRecord,
): Promise<void> {
  rotation.secretReadsBefore = stack.secrets.readCount(INSTANCE_SECRET);
  rotation.passwordChangedAt = Date.now();
  sandbox.setPassword('relay.integration', ROTATED_PASSWORD);
  await new Promise((resolve) => setTimeout(resolve, 300));
  const current = await stack.secrets.current(INSTANCE_SECRET);
  rotation.secretReadsAtUpdate = stack.secrets.readCount(INSTANCE_SECRET);
  rotation.secretUpdatedAt = Date.now();
  stack.secrets.put(INSTANCE_SECRET, { ...current, password: ROTATED_PASSWORD });
}

async function sendAll<T, R>(
  items: T[],
  concurrency: number,
  send: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      results.push(await send(item));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return results;
}

/** Waits until the queue is empty and no invocation runs, three checks in a row. */
async function drain(stack: LocalStack, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  let quiet = 0;
  while (quiet < 3) {
    if (Date.now() > until) {
      throw new Error(`The queue still held ${stack.queue.size} messages after ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    quiet = stack.queue.size === 0 && stack.forwarder.busy === 0 ? quiet + 1 : 0;
  }
}
