import { beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/stack.ts';
import { captureLogger } from '../helpers/capture-logger.ts';
import { useLocalStack } from '../helpers/local-stack.ts';
import { INSTANCE_PASSWORD, securityConfig, signedHeaders } from './fixtures.ts';
import { HOSTILE_CASES, LOOKUP_RECORD, sendRaw } from './hostile-cases.ts';

const config = securityConfig();
const stack = useLocalStack({
  config,
  retryDelayMs: 20,
  logger: captureLogger('hostile-requests').logger,
  sandboxUser: { username: 'relay.integration', password: INSTANCE_PASSWORD },
});

/** What a hostile request must not change: the instance's tables, its request log, the queues and the counters. */
function snapshot(stack: LocalStack) {
  const sandbox = stack.sandbox!;
  const tables = [...new Set(Object.values(config.records).map((settings) => settings.table))];
  return {
    records: Object.fromEntries(tables.map((table) => [table, sandbox.records(table).length])),
    instanceRequests: sandbox.requests().length,
    queued: stack.queue.size,
    deadLetters: stack.deadLetters.list().length,
    accepted: [...stack.metrics.totals.entries()].filter(([key]) =>
      key.startsWith('RecordsAccepted'),
    ),
  };
}

describe('hostile requests against the local stack', () => {
  let before: ReturnType<typeof snapshot>;

  beforeAll(() => {
    before = snapshot(stack());
  });

  it.each(HOSTILE_CASES)('answers $name with $status $code', async ({ build, status, code }) => {
    const answer = await sendRaw(stack().relayUrl, build(config, new Date()));

    expect(answer.status).toBe(status);
    expect(answer.headers['content-type']).toBe('application/json');
    const body = JSON.parse(answer.text) as Record<string, unknown>;
    expect(body.code).toBe(code);
    expect(body.message).toEqual(expect.any(String));
    expect(body.deliveryId).toEqual(expect.any(String));
    expect(answer.text).not.toMatch(/at .*\.ts:\d+|Error: /);
  });

  it('leaves the instance, the queues and the counters unchanged', () => {
    expect(snapshot(stack())).toEqual(before);
  });
});

describe('control requests against the same stack', () => {
  it('accepts a correctly signed record, so the table above tests the checks', async () => {
    const body = Buffer.from(JSON.stringify({ ...LOOKUP_RECORD, observable: '198.51.100.78' }));

    const answer = await sendRaw(stack().relayUrl, {
      path: '/webhooks/generic',
      headers: signedHeaders(config, 'generic', body),
      body,
    });

    expect(answer.status).toBe(202);
  });

  it('accepts one valid signature among repeated signature headers', async () => {
    const body = Buffer.from(JSON.stringify({ ...LOOKUP_RECORD, observable: '198.51.100.79' }));
    const signature = signedHeaders(config, 'generic', body)['x-signature']!;

    const answer = await sendRaw(stack().relayUrl, {
      path: '/webhooks/generic',
      headers: {
        'content-type': 'application/json',
        'X-SIGNATURE': [`sha256=${'0'.repeat(64)}`, signature],
      },
      body,
    });

    expect(answer.status).toBe(202);
  });

  it('answers a replayed Standard Webhooks delivery as a duplicate and queues nothing', async () => {
    const body = Buffer.from(JSON.stringify({ ...LOOKUP_RECORD, observable: '198.51.100.80' }));
    const request = {
      path: '/webhooks/standard-webhooks',
      headers: signedHeaders(config, 'standard-webhooks', body),
      body,
    };

    const first = await sendRaw(stack().relayUrl, request);
    const replay = await sendRaw(stack().relayUrl, request);

    expect(first.status).toBe(202);
    expect(JSON.parse(first.text)).toMatchObject({ records: 1 });
    expect(replay.status).toBe(202);
    const answer = JSON.parse(replay.text) as Record<string, unknown>;
    expect(answer).toMatchObject({
      records: 0,
      duplicate: true,
      duplicateOf: JSON.parse(first.text).deliveryId,
    });
  });
});
