import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/config/load.ts';
import type { RelayConfig } from '../../functions/config/schema.ts';
import { InstanceCredentialsProvider } from '../../functions/credentials/instance.ts';
import { InMemoryDedupeStore } from '../../functions/dedupe/store.ts';
import {
  forwardBatch,
  type ForwardDependencies,
  type ReceivedMessage,
} from '../../functions/forward/forward.ts';
import { createInstanceSender } from '../../functions/forward/instance-sender.ts';
import type { DeliveryMessage } from '../../functions/queue/message.ts';
import type { DeadLetter } from '../../functions/queue/queue.ts';
import { InMemoryMetrics } from '../../functions/shared/metrics.ts';
import { RotatableSecretStore } from '../../local/rotatable-secrets.ts';
import { startSandbox, type Sandbox } from '../../sandbox/server.ts';
import { captureLogger } from '../helpers/capture-logger.ts';

const SECRET = 'secops-relay/instance';
let sandbox: Sandbox;
let config: RelayConfig;

beforeAll(async () => {
  config = parseConfig({
    instance: { requestTimeoutMs: 200, maxAttempts: 2 },
    delivery: { maxReceiveCount: 3, circuitBreaker: { failureThreshold: 2, coolDownMs: 60_000 } },
  });
  sandbox = await startSandbox({ port: 0, config, logger: { info() {}, error() {} } });
});

afterAll(async () => {
  await sandbox?.close();
});

let deps: ForwardDependencies;
let secrets: RotatableSecretStore;
let deadLetters: DeadLetter[];
let metrics: InMemoryMetrics;
let logs: ReturnType<typeof captureLogger>;
let nextValue = 0;

function buildDeps(settings: RelayConfig): ForwardDependencies {
  const credentials = new InstanceCredentialsProvider({
    store: secrets,
    secretName: SECRET,
    ttlSeconds: 300,
    allowedHosts: [],
    localMode: true,
  });
  const { sender, breaker } = createInstanceSender({
    config: settings,
    credentials,
    logger: logs.logger,
    // A mid-range jitter draw: a draw near 0 would let a retry start before the other
    // failures of its batch reached the breaker, which then has not opened yet.
    random: () => 0.5,
  });
  return {
    config: settings,
    sender,
    breaker,
    deadLetters: { deadLetter: async (entry) => void deadLetters.push(entry) },
    logger: logs.logger,
    metrics,
    unansweredPosts: { store: new InMemoryDedupeStore(), ttlSeconds: 3600 },
  };
}

beforeEach(() => {
  sandbox.faults.clear();
  sandbox.setPassword('relay.integration', 'sandbox-password');
  secrets = new RotatableSecretStore({
    [SECRET]: {
      instanceUrl: sandbox.url,
      auth: 'basic',
      username: 'relay.integration',
      password: 'sandbox-password',
    },
  });
  logs = captureLogger();
  deadLetters = [];
  metrics = new InMemoryMetrics();
  deps = buildDeps(config);
});

/** Builds a queue message for a lookup of a fresh domain, so each test finds its own records. */
function received(receiveCount = 1): { received: ReceivedMessage; value: string } {
  const value = `protect-${++nextValue}.example.net`;
  const message: DeliveryMessage = {
    version: 1,
    deliveryId: `delivery-${nextValue}`,
    recordIndex: 0,
    source: 'generic',
    receivedAt: '2026-03-01T12:00:00.000Z',
    record: {
      kind: 'threat_lookup_result',
      observable: { type: 'domain', value },
      finding: 'Suspicious',
      source: 'Example Feed',
    },
  };
  return {
    received: { messageId: `m-${nextValue}`, body: JSON.stringify(message), receiveCount },
    value,
  };
}

const stored = (value: string) =>
  sandbox.records('sn_ti_lookup_result').filter((record) => record.observable === value);
const recordPosts = () =>
  sandbox
    .requests()
    .filter(
      (request) => request.method === 'POST' && request.path.endsWith('/threat_lookup_result'),
    );

describe('forwarder against a misbehaving instance', () => {
  it('counts a possible duplicate after a timed-out POST', async () => {
    sandbox.faults.set({ mode: 'slow', delayMs: 400, count: 1 });
    const { received: message, value } = received();
    const result = await forwardBatch([message], Date.now() + 30_000, deps);

    expect(result.batchItemFailures).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    // The instance stored the timed-out POST too: the duplicate the relay warned about.
    expect(stored(value)).toHaveLength(2);
    expect(metrics.get('PossibleDuplicates', 'generic')).toBe(1);
    expect(logs.text()).toContain('Possible duplicate created by a retried POST after a timeout');
  });

  it('counts a possible duplicate across receives', async () => {
    deps = buildDeps(parseConfig({ ...config, instance: { ...config.instance, maxAttempts: 1 } }));
    sandbox.faults.set({ mode: 'slow', delayMs: 400, count: 1 });
    const { received: message, value } = received();
    const first = await forwardBatch([message], Date.now() + 30_000, deps);
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: message.messageId }]);
    expect(metrics.get('PossibleDuplicates', 'generic')).toBe(0);

    await new Promise((resolve) => setTimeout(resolve, 300));
    const second = await forwardBatch([{ ...message, receiveCount: 2 }], Date.now() + 30_000, deps);
    expect(second.batchItemFailures).toEqual([]);
    expect(stored(value).length).toBeGreaterThanOrEqual(2);
    expect(metrics.get('PossibleDuplicates', 'generic')).toBe(1);
  });

  it('marks a dead letter whose POST went unanswered', async () => {
    sandbox.faults.set({ mode: 'reset' });
    const { received: message } = received(3);
    await forwardBatch([message], Date.now() + 30_000, deps);
    expect(deadLetters[0]).toMatchObject({ reason: 'retries_exhausted', possiblyDelivered: true });
  });

  it('returns records without a request while the circuit is open', async () => {
    sandbox.faults.set({ mode: 'server_error', status: 503 });
    const postsBefore = recordPosts().length;
    const batch = [received(), received(), received()].map(({ received: message }) => message);
    const result = await forwardBatch(batch, Date.now() + 30_000, deps);

    expect(result.batchItemFailures).toHaveLength(3);
    // The first responses open the circuit, so no record is posted a second time.
    expect(recordPosts().length - postsBefore).toBeLessThanOrEqual(3);
    const before = recordPosts().length;
    await forwardBatch([received().received], Date.now() + 30_000, deps);
    expect(recordPosts().length).toBe(before);
    expect(metrics.get('CircuitOpenReturns', 'generic')).toBeGreaterThanOrEqual(1);
  });

  it('holds records for the probe when it fits the deadline', async () => {
    deps = buildDeps(
      parseConfig({
        ...config,
        delivery: {
          ...config.delivery,
          circuitBreaker: { failureThreshold: 2, coolDownMs: 150, maxCoolDownMs: 300 },
        },
      }),
    );
    deps.breaker!.trip('test');
    const batch = [received(), received()];
    const result = await forwardBatch(
      batch.map(({ received: message }) => message),
      Date.now() + 30_000,
      deps,
    );

    expect(result.batchItemFailures).toEqual([]);
    for (const { value } of batch) expect(stored(value)).toHaveLength(1);
    expect(metrics.get('CircuitOpenReturns', 'generic')).toBe(0);
  });

  it('names the instance failure when it dead-letters during an open circuit', async () => {
    sandbox.faults.set({ mode: 'html' });
    await forwardBatch([received().received], Date.now() + 30_000, deps);
    await forwardBatch([received(3).received], Date.now() + 30_000, deps);

    expect(deadLetters[0]?.reason).toBe('retries_exhausted');
    expect(deadLetters[0]?.detail).toContain('circuit_open');
    expect(deadLetters[0]?.detail).toContain('not_json');
    expect(deadLetters[0]?.lastResponse?.status).toBe(200);
  });

  it("names the record's own failure when the circuit refuses its retry", async () => {
    deps = buildDeps(
      parseConfig({
        instance: { requestTimeoutMs: 200, maxAttempts: 2 },
        delivery: {
          maxReceiveCount: 3,
          circuitBreaker: { failureThreshold: 1, coolDownMs: 60_000 },
        },
      }),
    );
    sandbox.faults.set({ mode: 'server_error', status: 503 });
    const postsBefore = recordPosts().length;

    await forwardBatch([received(3).received], Date.now() + 30_000, deps);

    expect(recordPosts()).toHaveLength(postsBefore + 1);
    expect(deadLetters[0]?.reason).toBe('retries_exhausted');
    expect(deadLetters[0]?.detail).toContain('circuit_open');
    expect(deadLetters[0]?.detail).toContain("The record's own last request failed (server_error)");
    expect(deadLetters[0]?.lastResponse?.status).toBe(503);
  });

  it('recovers from a rotated password with one secret read', async () => {
    await forwardBatch([received().received], Date.now() + 30_000, deps);
    const readsBefore = secrets.readCount(SECRET);
    secrets.put(SECRET, { ...(await secrets.current(SECRET)), password: 'rotated-password' });
    sandbox.setPassword('relay.integration', 'rotated-password');

    const batch = Array.from({ length: 8 }, () => received());
    const result = await forwardBatch(
      batch.map(({ received: message }) => message),
      Date.now() + 30_000,
      deps,
    );

    expect(result.batchItemFailures).toEqual([]);
    expect(secrets.readCount(SECRET) - readsBefore).toBe(1);
    const unauthorized = sandbox.requests().filter((request) => request.status === 401);
    // Only the requests already in flight with the old password were rejected (4 at a time).
    expect(unauthorized.length).toBeLessThanOrEqual(4);
    for (const { value } of batch) expect(stored(value)).toHaveLength(1);
  });

  it('opens the circuit while the instance keeps rejecting the credentials', async () => {
    sandbox.setPassword('relay.integration', 'changed-before-the-secret');
    const result = await forwardBatch(
      [
        received().received,
        received().received,
        received().received,
        received().received,
        received().received,
      ],
      Date.now() + 30_000,
      deps,
    );
    expect(result.batchItemFailures).toHaveLength(5);
    expect(deps.breaker!.state).toBe('open');

    const before = sandbox.requests().length;
    await forwardBatch([received().received], Date.now() + 30_000, deps);
    expect(sandbox.requests().length).toBe(before);
  });
});
