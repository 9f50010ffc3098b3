import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send } from '../../cli/send.ts';
import { loadConfigFile, parseConfig } from '../../functions/config/load.ts';
import { startLocalStack, type LocalStack } from '../../local/stack.ts';
import { createStopHandler } from '../../local/stop-signals.ts';
import { captureLogger } from '../helpers/capture-logger.ts';

const shipped = loadConfigFile('relay.config.json');
/**
 * With one failure opening the circuit for 500 ms, a forward invocation keeps its batch and
 * waits for a probe before each record, as it does while the instance is down, within its
 * 5-second timeout.
 */
const config = parseConfig({
  ...JSON.parse(JSON.stringify(shipped)),
  deployment: {
    ...shipped.deployment,
    forward: { ...shipped.deployment.forward, timeoutSeconds: 5 },
  },
  delivery: {
    ...shipped.delivery,
    circuitBreaker: { failureThreshold: 1, coolDownMs: 500, maxCoolDownMs: 500 },
  },
  instance: { ...shipped.instance, requestTimeoutMs: 1_000 },
});

/** Polls until `check` returns true, for at most ten seconds. */
async function eventually(check: () => boolean): Promise<void> {
  const until = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('stop handler', () => {
  const stackLogs = captureLogger('local');
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await startLocalStack({ config, port: 0, sandboxPort: 0, logger: stackLogs.logger });
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('logs the wait, then stops at once', async () => {
    stack.sandbox!.faults.set({ mode: 'server_error', status: 503 });
    const accepted = await send({
      config,
      source: 'generic',
      file: 'events/generic/batch-mixed.json',
      url: stack.relayUrl,
    });
    expect(accepted.status).toBe(202);
    await eventually(() => stack.breaker.state !== 'closed' && stack.forwarder.busy > 0);

    const stopLogs = captureLogger('stop');
    const exits: number[] = [];
    const stop = createStopHandler(stack, stopLogs.logger, (code) => exits.push(code));

    stop('SIGINT');
    const [stopping] = stopLogs.lines();
    expect(stopping?.message).toMatch(
      /^SIGINT: stopping the local stack once 1 forward invocation/,
    );
    expect(stopping?.message).toContain('Press Ctrl+C again to stop at once');
    expect(stopping?.invocations).toBe(1);
    expect(stopping?.maxWaitSeconds).toBeGreaterThanOrEqual(1);
    expect(stopping?.maxWaitSeconds).toBeLessThanOrEqual(6);
    expect(exits).toEqual([]);

    stop('SIGINT');
    expect(exits).toEqual([130]);
    const lost = stackLogs
      .lines()
      .find((line) => line.message === 'Local stack stopped with records in memory; they are lost');
    expect(lost?.queuedRecords).toBe(6);

    // The first stop still completes once the invocation reaches its timeout.
    await eventually(() => exits.length === 2);
    expect(exits).toEqual([130, 0]);
  }, 20_000);
});
