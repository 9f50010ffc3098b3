import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authHeaders } from '../../cli/sign.ts';
import { loadConfigFile, parseConfig } from '../../functions/config/load.ts';
import type { StoredDeadLetter } from '../../functions/queue/in-process.ts';
import { SqsDeadLetterQueue } from '../../functions/queue/sqs.ts';
import type { LocalStack } from '../../local/stack.ts';
import { useLocalStack } from '../helpers/local-stack.ts';
import { captureLogger } from '../helpers/capture-logger.ts';
import { fakeSqsClient, startFakeSqs } from '../helpers/fake-sqs.ts';

const run = promisify(execFile);
const shipped = loadConfigFile('relay.config.json');
const config = parseConfig({
  ...JSON.parse(JSON.stringify(shipped)),
  delivery: { maxReceiveCount: 2, circuitBreaker: { failureThreshold: 1000 } },
  instance: { ...shipped.instance, maxAttempts: 1, requestTimeoutMs: 1_000 },
});

function cli(...args: string[]) {
  return run(process.execPath, ['bin/secops-relay.js', ...args], {
    env: {
      ...process.env,
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'example-secret-key',
      AWS_REGION: 'eu-west-1',
    },
  });
}

/** Polls until `check` returns a value, for at most ten seconds. */
async function eventually<T>(check: () => T | undefined | Promise<T | undefined>): Promise<T> {
  const until = Date.now() + 10_000;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error('condition not met within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function lookupRecords(value: string) {
  return {
    records: [
      {
        kind: 'threat_lookup_result',
        observable: value,
        finding: 'Suspicious',
        source: 'Example Feed',
        summary: `about ${value}`,
      },
    ],
  };
}

/** Posts records as the Standard Webhooks source, with a chosen webhook-id. */
async function postStandardWebhook(stack: LocalStack, webhookId: string, payload: unknown) {
  const body = Buffer.from(JSON.stringify(payload));
  const secret = config.local!.secrets['secops-relay/source/standard-webhooks']!.secret as string;
  const response = await fetch(`${stack.relayUrl}/webhooks/standard-webhooks`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...authHeaders(
        config.sources['standard-webhooks']!.auth,
        secret,
        body,
        new Date(),
        webhookId,
      ),
    },
    body,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('local stack operator tools', () => {
  const stack = useLocalStack({
    config,
    retryDelayMs: 20,
    logger: captureLogger('operator').logger,
  });

  it('answers a redelivered webhook as a duplicate', async () => {
    const first = await postStandardWebhook(
      stack(),
      'msg_repeat_1',
      lookupRecords('repeat-example.net'),
    );
    const again = await postStandardWebhook(
      stack(),
      'msg_repeat_1',
      lookupRecords('repeat-example.net'),
    );

    expect(first).toMatchObject({ status: 202, body: { records: 1 } });
    expect(again).toMatchObject({
      status: 202,
      body: { records: 0, duplicate: true, duplicateOf: first.body.deliveryId },
    });
    await eventually(() => (stack().queue.size === 0 ? true : undefined));
    const stored = stack()
      .sandbox!.records('sn_ti_lookup_result')
      .filter((record) => record.observable === 'repeat-example.net');
    expect(stored).toHaveLength(1);
  });

  it('lists, shows and redrives dead letters after a fix', async () => {
    stack().sandbox!.faults.set({ mode: 'html' });
    const answer = await postStandardWebhook(
      stack(),
      'msg_hibernating_1',
      lookupRecords('hibernating-example.net'),
    );
    expect(answer.status).toBe(202);
    const entry = await eventually(
      () => stack().deadLetters.list({ deliveryId: String(answer.body.deliveryId) })[0],
    );
    expect(entry).toMatchObject({ reason: 'retries_exhausted', retryable: true, attempts: 2 });

    const listed = await cli(
      'dlq',
      'list',
      '--url',
      stack().relayUrl,
      '--filter',
      'reason=retries_exhausted',
    );
    expect(listed.stdout).toContain(entry.id);
    expect(listed.stdout).toContain(`${String(answer.body.deliveryId)}#0`);

    const shown = await cli('dlq', 'show', entry.id, '--url', stack().relayUrl);
    expect(JSON.parse(shown.stdout)).toMatchObject({ id: entry.id, lastResponse: { status: 200 } });

    // The fix: the instance wakes up.
    stack().sandbox!.faults.clear();
    const redriven = await cli(
      'dlq',
      'redrive',
      '--url',
      stack().relayUrl,
      '--filter',
      `deliveryId=${String(answer.body.deliveryId)}`,
    );
    expect(redriven.stdout).toContain('Redrove 1 record to ');

    const delivered = await eventually(() =>
      stack()
        .sandbox!.records('sn_ti_lookup_result')
        .find((record) => record.observable === 'hibernating-example.net'),
    );
    expect(delivered.finding).toBe('Suspicious');
    expect(stack().deadLetters.get(entry.id)).toBeUndefined();
  });

  it('refuses a redrive without a selection', async () => {
    const failure = await cli('dlq', 'redrive', '--url', stack().relayUrl).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect('code' in failure && failure.code).toBe(2);
    expect((failure as { stderr: string }).stderr).toContain('--filter');
  });

  it('fails a redrive of an unknown id', async () => {
    const failure = await cli(
      'dlq',
      'redrive',
      '--url',
      stack().relayUrl,
      '--id',
      'no-such-entry',
    ).catch((error: { code: number; stdout: string }) => error);

    expect((failure as { code?: number }).code).toBe(1);
    expect((failure as { stdout: string }).stdout).toContain(
      'No dead-letter entry "no-such-entry"',
    );
  });

  it('rejects an unknown filter key', async () => {
    const failure = await cli(
      'dlq',
      'list',
      '--url',
      stack().relayUrl,
      '--filter',
      'colour=red',
    ).catch((error: { code: number; stderr: string }) => error);
    expect((failure as { stderr: string }).stderr).toContain('Invalid filter "colour=red"');
  });
});

describe('secops-relay dlq against SQS', () => {
  const DLQ_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/relay-dlq';
  const DELIVERY_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/relay-delivery';
  let sqs: Awaited<ReturnType<typeof startFakeSqs>>;

  beforeAll(async () => {
    sqs = await startFakeSqs();
    sqs.sourceQueues.set(DLQ_URL, [DELIVERY_URL]);
    const client = fakeSqsClient(sqs.endpoint);
    await new SqsDeadLetterQueue(client, DLQ_URL).deadLetter({
      message: {
        version: 1,
        deliveryId: 'd-sqs',
        recordIndex: 0,
        source: 'generic',
        receivedAt: '2026-03-01T12:00:00.000Z',
        record: { kind: 'ci_enrichment', ci: 'web-01.example.com', source: 'Example EDR' },
      },
      reason: 'insufficient_access',
      retryable: false,
      detail: 'Insufficient access',
      attempts: 1,
      failedAt: '2026-03-01T12:00:05.000Z',
    });
    client.destroy();
  });

  afterAll(async () => {
    await sqs?.close();
  });

  it('lists and redrives with the same commands', async () => {
    const target = [
      '--queue-url',
      DLQ_URL,
      '--region',
      'eu-west-1',
      '--endpoint-url',
      sqs.endpoint,
    ];
    const listed = await cli('dlq', 'list', ...target, '--json');
    const entries = JSON.parse(listed.stdout) as StoredDeadLetter[];
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      reason: 'insufficient_access',
      message: { deliveryId: 'd-sqs' },
    });

    const redriven = await cli(
      'dlq',
      'redrive',
      ...target,
      '--filter',
      'reason=insufficient_access',
    );
    expect(redriven.stdout).toContain(`Redrove 1 record to ${DELIVERY_URL}`);
    expect(sqs.messages.map((held) => held.queueUrl)).toEqual([DELIVERY_URL]);
  });
});
