import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/config/load.ts';
import { InstanceCredentialsProvider } from '../../functions/credentials/instance.ts';
import { LocalSecretStore } from '../../functions/credentials/local.ts';
import {
  CONCURRENT_POSTS,
  forwardBatch,
  type ReceivedMessage,
} from '../../functions/forward/forward.ts';
import { createInstanceSender } from '../../functions/forward/instance-sender.ts';
import type { DeliveryMessage } from '../../functions/queue/message.ts';
import type { InstanceResponse, Transport } from '../../functions/secops/http.ts';
import { InMemoryMetrics } from '../../functions/shared/metrics.ts';
import { captureLogger } from '../helpers/capture-logger.ts';

/**
 * Returns a transport that parks every request until the test resolves the parked ones
 * together, so each release is one round of POSTs on any machine. Responses from a
 * loopback server would reach the workers at different times and blur the rounds.
 */
function parkingTransport() {
  const parked: ((response: InstanceResponse) => void)[] = [];
  let created = 0;
  const transport: Transport = () =>
    new Promise((resolve) => {
      parked.push(resolve);
    });
  const resolveParked = () => {
    for (const resolve of parked.splice(0)) {
      const sysId = (++created).toString(16).padStart(32, '0');
      resolve({
        status: 201,
        headers: {
          get: (name) => (name.toLowerCase() === 'content-type' ? 'application/json' : null),
        },
        body: JSON.stringify({ status: 'success', sys_id: sysId, record: { sys_id: sysId } }),
      });
    }
  };
  return { transport, parked, resolveParked };
}

function message(index: number): ReceivedMessage {
  const body: DeliveryMessage = {
    version: 1,
    deliveryId: 'delivery-rounds',
    recordIndex: index,
    source: 'generic',
    receivedAt: '2026-03-01T12:00:00.000Z',
    record: {
      kind: 'threat_lookup_result',
      observable: { type: 'domain', value: `round-${index}.example.net` },
      finding: 'Suspicious',
      source: 'Example Feed',
    },
  };
  return { messageId: `m-${index}`, body: JSON.stringify(body), receiveCount: 1 };
}

describe('forwardBatch POST rounds', () => {
  it('default batch fills every round', async () => {
    const config = parseConfig({});
    const logs = captureLogger();
    const { transport, parked, resolveParked } = parkingTransport();
    const store = new LocalSecretStore({
      [config.instance.secretName]: {
        instanceUrl: 'http://127.0.0.1:9',
        auth: 'basic',
        username: 'relay.integration',
        password: 'sandbox-password',
      },
    });
    const credentials = InstanceCredentialsProvider.fromConfig(config, store, { localMode: true });
    const { sender, breaker } = createInstanceSender({
      config,
      credentials,
      logger: logs.logger,
      transport,
    });
    const batch = Array.from({ length: config.deployment.forward.batchSize }, (_, index) =>
      message(index),
    );

    let finished = false;
    const forwarded = forwardBatch(batch, Date.now() + 60_000, {
      config,
      sender,
      breaker,
      deadLetters: {
        deadLetter: async (entry) => {
          throw new Error(`unexpected dead letter: ${entry.reason}`);
        },
      },
      logger: logs.logger,
      metrics: new InMemoryMetrics(),
    }).finally(() => {
      finished = true;
    });

    const rounds: number[] = [];
    for (let turn = 0; !finished && turn < 1_000; turn++) {
      await nextTurn();
      if (parked.length === 0) continue;
      // Resolve only after a quiet turn, so every worker that could send has sent.
      const before = parked.length;
      await nextTurn();
      if (parked.length !== before) continue;
      rounds.push(parked.length);
      resolveParked();
    }

    expect(await forwarded).toEqual({ batchItemFailures: [] });
    // Every round full: with four POSTs at a time, a batch of 10 would give rounds of 4, 4
    // and 2, and a batch of 3 one round of 3.
    expect(rounds).toEqual(
      Array.from({ length: Math.ceil(batch.length / CONCURRENT_POSTS) }, () => CONCURRENT_POSTS),
    );
  });
});
