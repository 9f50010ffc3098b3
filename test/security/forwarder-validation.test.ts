import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send } from '../../cli/send.ts';
import { loadConfigFile, parseConfig } from '../../functions/config/load.ts';
import { InstanceCredentialsProvider } from '../../functions/credentials/instance.ts';
import { InMemoryDedupeStore } from '../../functions/dedupe/store.ts';
import { createInstanceSender } from '../../functions/forward/instance-sender.ts';
import { createForwardHandler } from '../../functions/forward/lambda.ts';
import { createIngestHandler } from '../../functions/ingest/lambda.ts';
import { InProcessDeadLetterQueue, InProcessQueue } from '../../functions/queue/in-process.ts';
import type { DeadLetter } from '../../functions/queue/queue.ts';
import type { RelayRecord } from '../../functions/records/record.ts';
import { InMemoryMetrics } from '../../functions/shared/metrics.ts';
import { getSource } from '../../functions/sources/index.ts';
import type { SourceAdapter } from '../../functions/sources/source.ts';
import { LocalForwarder } from '../../local/forwarder.ts';
import { createRelayServer } from '../../local/relay-server.ts';
import { RotatableSecretStore } from '../../local/rotatable-secrets.ts';
import { startSandbox, type Sandbox } from '../../sandbox/server.ts';
import { captureLogger } from '../helpers/capture-logger.ts';

/**
 * Ingest no longer checks the records an adapter builds against the record model; the
 * forwarder does, and dead-letters a record that fails as `invalid_message`. These tests
 * run the local stack's parts (sandbox instance, relay server, in-process queue, forwarder)
 * with the generic source's adapter wrapped so that it builds a broken record on request.
 */

/** Summaries that make the wrapped adapter break the record it builds, each in one way. */
const BREAK_FINDING = 'break: finding';
const BREAK_SUMMARY_LENGTH = 'break: summary length';
const BREAK_MESSAGE_SIZE = 'break: message size';

function breakRecord(record: RelayRecord): RelayRecord {
  if (record.kind !== 'threat_lookup_result') return record;
  if (record.summary === BREAK_FINDING) {
    return { ...record, finding: 'Dangerous' } as unknown as RelayRecord;
  }
  if (record.summary === BREAK_SUMMARY_LENGTH) return { ...record, summary: 's'.repeat(4_001) };
  if (record.summary === BREAK_MESSAGE_SIZE) return { ...record, summary: 's'.repeat(1_100_000) };
  return record;
}

const generic = getSource('generic')!;
const brokenGeneric: SourceAdapter = {
  ...generic,
  normalize: (payload, context) => generic.normalize(payload, context).map(breakRecord),
};
const getBrokenSource = (id: string) => (id === 'generic' ? brokenGeneric : getSource(id));

const shipped = loadConfigFile('relay.config.json');
const config = parseConfig({
  ...JSON.parse(JSON.stringify(shipped)),
  delivery: { maxReceiveCount: 2 },
  instance: { ...shipped.instance, maxAttempts: 1, requestTimeoutMs: 1_000 },
});

let sandbox: Sandbox;
let relay: Server;
let relayUrl: string;
let forwarder: LocalForwarder;
const deadLetters = new InProcessDeadLetterQueue();
const logs = captureLogger('forwarder-validation');

beforeAll(async () => {
  const logger = logs.logger;
  sandbox = await startSandbox({ port: 0, host: '127.0.0.1', config, logger });
  const localSecrets = structuredClone(config.local?.secrets ?? {});
  const instanceSecret = localSecrets[config.instance.secretName];
  if (instanceSecret === undefined)
    throw new Error('relay.config.json has no local instance secret');
  instanceSecret.instanceUrl = sandbox.url;
  const secrets = new RotatableSecretStore(localSecrets);

  const metrics = new InMemoryMetrics();
  const queue = new InProcessQueue({
    maxReceiveCount: config.delivery.maxReceiveCount,
    deadLetters,
    visibilityTimeoutMs: 60_000,
  });
  const ingest = createIngestHandler(logger, () => ({
    config,
    secrets,
    queue,
    getSource: getBrokenSource,
    logger,
    metrics,
    dedupe: { store: new InMemoryDedupeStore(), ttlSeconds: config.dedupe.ttlSeconds },
  }));
  const credentials = InstanceCredentialsProvider.fromConfig(config, secrets, { localMode: true });
  const { sender, breaker } = createInstanceSender({ config, credentials, logger });
  const forward = createForwardHandler(logger, () => ({
    config,
    sender,
    breaker,
    deadLetters,
    logger,
    metrics,
  }));
  forwarder = new LocalForwarder({ queue, handler: forward, logger, retryDelayMs: 20 });

  relay = createRelayServer({
    ingest,
    getSource: getBrokenSource,
    queue,
    deadLetters,
    logger,
    maxJsonDepth: config.ingest.maxJsonDepth,
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  relayUrl = `http://127.0.0.1:${(relay.address() as AddressInfo).port}`;
  forwarder.start();
});

afterAll(async () => {
  await new Promise<void>((resolve) => {
    relay?.close(() => resolve());
    relay?.closeAllConnections();
  });
  await forwarder?.stop();
  await sandbox?.close();
});

function lookup(observable: string, summary: string) {
  return {
    kind: 'threat_lookup_result',
    observable: { type: 'domain', value: observable },
    finding: 'Suspicious',
    source: 'Review Feed',
    summary,
  };
}

async function postGeneric(
  records: unknown[],
): Promise<{ status: number; body: Record<string, unknown> }> {
  const dir = await mkdtemp(join(tmpdir(), 'relay-forwarder-validation-'));
  const file = join(dir, 'payload.json');
  await writeFile(file, JSON.stringify({ records }));
  const result = await send({ config, source: 'generic', file, url: relayUrl });
  return { status: result.status, body: JSON.parse(result.body) as Record<string, unknown> };
}

/** Polls until `check` returns a value, for at most ten seconds. */
async function eventually<T>(check: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const until = Date.now() + 10_000;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error('condition not met within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function deadLetterOf(deliveryId: unknown, recordIndex: number): DeadLetter | undefined {
  return deadLetters.list().find((entry) => {
    const body = entry.body === undefined ? entry.message : JSON.parse(entry.body);
    return body?.deliveryId === deliveryId && body?.recordIndex === recordIndex;
  });
}

function storedLookups(observable: string) {
  return sandbox.records('sn_ti_lookup_result').filter((row) => row.observable === observable);
}

describe('record an adapter built wrongly', () => {
  it.each([
    ['a finding outside the model', BREAK_FINDING, 'broken-finding.example.com'],
    ['a summary over 4,000 characters', BREAK_SUMMARY_LENGTH, 'broken-summary.example.com'],
  ])('with %s is dead-lettered as invalid_message', async (_case, summary, observable) => {
    const answer = await postGeneric([
      lookup(`fine-${observable}`, 'a valid record beside the broken one'),
      lookup(observable, summary),
    ]);

    expect(answer.status).toBe(202);
    expect(answer.body.records).toBe(2);

    const entry = await eventually(() => deadLetterOf(answer.body.deliveryId, 1));
    expect(entry.reason).toBe('invalid_message');
    expect(entry.retryable).toBe(false);
    expect(entry.body).toContain(observable);

    await eventually(() => (storedLookups(`fine-${observable}`).length > 0 ? true : undefined));
    expect(storedLookups(observable)).toHaveLength(0);
  });

  // Ingest no longer checks records against the model, so the dead letter must name the
  // field the forwarder found invalid.
  it('dead letter names the invalid field', async () => {
    const answer = await postGeneric([lookup('broken-detail.example.com', BREAK_FINDING)]);
    const entry = await eventually(() => deadLetterOf(answer.body.deliveryId, 0));

    expect(entry.detail).toContain('finding');
  });

  it('too large for the queue gets 413', async () => {
    const answer = await postGeneric([lookup('broken-size.example.com', BREAK_MESSAGE_SIZE)]);

    expect(answer.status).toBe(413);
    expect(answer.body.code).toBe('record_too_large');
  });
});
