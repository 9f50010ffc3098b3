import { beforeAll, describe, expect, it } from 'vitest';
import { captureLogger } from '../helpers/capture-logger.ts';
import { useLocalStack } from '../helpers/local-stack.ts';
import {
  INSTANCE_PASSWORD,
  samplePayloads,
  securityConfig,
  signedHeaders,
  sourceSecret,
  WEBHOOK_SOURCE_IDS,
} from './fixtures.ts';
import { HOSTILE_CASES, sendRaw, type RawAnswer, type RawRequest } from './hostile-cases.ts';

/** Headers whose values are credentials, whatever the source's configuration names. */
const CREDENTIAL_HEADERS = ['authorization', 'x-signature', 'webhook-signature'];

/** Values shorter than this ("Bearer x", "sha256=00") could appear by chance and prove nothing. */
const MIN_CHECKED_LENGTH = 12;

const config = securityConfig();
const logs = captureLogger('secrets-leak');
const stack = useLocalStack({
  config,
  retryDelayMs: 20,
  logger: logs.logger,
  sandboxUser: { username: 'relay.integration', password: INSTANCE_PASSWORD },
});
const sent: RawRequest[] = [];
const answers: RawAnswer[] = [];

async function send(request: RawRequest): Promise<RawAnswer> {
  sent.push(request);
  const answer = await sendRaw(stack().relayUrl, request);
  answers.push(answer);
  return answer;
}

/** Polls until `check` is true, for at most ten seconds. */
async function eventually(check: () => boolean): Promise<void> {
  const until = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Lists every secret the stack was configured with, in each form it could be written. */
function configuredSecrets(): string[] {
  const values = [
    INSTANCE_PASSWORD,
    Buffer.from(`relay.integration:${INSTANCE_PASSWORD}`).toString('base64'),
  ];
  for (const id of WEBHOOK_SOURCE_IDS) {
    const secret = sourceSecret(id);
    values.push(secret, `${secret}-previous`);
    if (secret.startsWith('whsec_')) values.push(secret.slice('whsec_'.length));
  }
  return values;
}

/** Lists every credential value the test sent: whole header values, and the token or digest inside them. */
function sentCredentials(): string[] {
  const values = new Set<string>();
  for (const request of sent) {
    for (const [name, value] of Object.entries(request.headers)) {
      if (!CREDENTIAL_HEADERS.includes(name.toLowerCase())) continue;
      for (const item of Array.isArray(value) ? value : [value]) {
        values.add(item);
        for (const part of item.split(/[\s,=]+/)) values.add(part);
      }
    }
  }
  return [...values].filter((value) => value.length >= MIN_CHECKED_LENGTH);
}

beforeAll(async () => {
  // Faults make the forwarder retry and log failures, which are the lines most likely to leak.
  stack().sandbox!.faults.set({ mode: 'server_error', status: 503, count: 2 });
  for (const id of WEBHOOK_SOURCE_IDS) {
    for (const sample of samplePayloads(id)) {
      const body = Buffer.from(JSON.stringify(sample));
      await send({ path: `/webhooks/${id}`, headers: signedHeaders(config, id, body), body });
    }
  }
  for (const hostile of HOSTILE_CASES) await send(hostile.build(config, new Date()));

  await eventually(() => stack().queue.size === 0);
  answers.push(
    await sendRaw(stack().relayUrl, { method: 'GET', path: '/local/dead-letters', headers: {} }),
  );
}, 60_000);

describe('secrets in a run with good and hostile requests', () => {
  it('delivered records, so the forwarder used the instance password', () => {
    expect(answers.filter((answer) => answer.status === 202).length).toBeGreaterThan(0);
    expect(stack().sandbox!.requests().length).toBeGreaterThan(0);
  });

  it('checks a meaningful set of values', () => {
    expect(configuredSecrets().length).toBeGreaterThanOrEqual(2 + WEBHOOK_SOURCE_IDS.length * 2);
    expect(sentCredentials().length).toBeGreaterThan(HOSTILE_CASES.length / 2);
  });

  it.each(['log', 'answers'] as const)('never appear in the %s', (where) => {
    const text =
      where === 'log'
        ? logs.text()
        : answers.map((answer) => `${JSON.stringify(answer.headers)}\n${answer.text}`).join('\n');
    expect(text.length).toBeGreaterThan(0);

    for (const secret of [...configuredSecrets(), ...sentCredentials()]) {
      expect(text.includes(secret), `found ${secret.slice(0, 6)}… in the ${where}`).toBe(false);
    }
  });
});
