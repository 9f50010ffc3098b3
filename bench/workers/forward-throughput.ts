import { Agent, request } from 'node:http';
import type { SQSEvent } from 'aws-lambda';
import { InstanceCredentialsProvider } from '../../functions/credentials/instance.ts';
import { LocalSecretStore } from '../../functions/credentials/local.ts';
import { createForwardHandler } from '../../functions/forward/lambda.ts';
import type { DeliveryMessage } from '../../functions/queue/message.ts';
import type { DeadLetter, DeadLetterQueue } from '../../functions/queue/queue.ts';
import { toInstanceRequest } from '../../functions/records/columns.ts';
import { SecOpsClient } from '../../functions/secops/client.ts';
import { nodeTransport, type Transport } from '../../functions/secops/http.ts';
import { createLogger } from '../../functions/shared/logger.ts';
import { CloudWatchMetrics } from '../../functions/shared/metrics.ts';
import { localContext } from '../../local/lambda-context.ts';
import { loadBenchConfig } from '../lib/config.ts';
import { sqsEvent } from '../lib/events.ts';
import { batches, deliveryMessages } from '../lib/messages.ts';
import { serveOperations } from '../lib/worker.ts';

/**
 * Forwards the same records to the sandbox in turns: once through the forward handler at
 * the configured concurrency, once with a bare keep-alive HTTP client at the same number
 * of requests in flight. The handler runs as deployed (Powertools logger, EMF metrics,
 * writing to this process's stdout, which the parent discards); only its secret store is
 * the local one, and the instance URL is the sandbox over plain http, as in local mode.
 */

export interface ForwardInput {
  sandboxUrl: string;
  rounds: number;
  recordsPerRound: number;
  warmupRecords: number;
}

export interface ForwardOutput {
  /** Records per second of each relay round, in run order. */
  relayRates: number[];
  /** Records per second of each bare-client round, paired with relayRates by index. */
  bareRates: number[];
  /** Forward invocations at once: `deployment.forward.maxConcurrency`. */
  invocations: number;
  batchSize: number;
  /** Most requests the relay had in flight at once; the bare client uses this many. */
  requestsInFlight: number;
  /** Wall time of each forward invocation, in milliseconds. */
  invocationMs: number[];
  recordsPosted: number;
}

const config = loadBenchConfig();
const logger = createLogger('secops-relay-forward');
const { maxConcurrency, batchSize } = config.deployment.forward;

class CountingDeadLetters implements DeadLetterQueue {
  entries: DeadLetter[] = [];

  async deadLetter(entry: DeadLetter): Promise<void> {
    this.entries.push(entry);
  }
}

function instanceSecrets(sandboxUrl: string): Record<string, Record<string, unknown>> {
  const secrets = config.local?.secrets ?? {};
  const instance = secrets[config.instance.secretName];
  if (instance === undefined) {
    throw new Error(
      `relay.config.json has no local secret "${config.instance.secretName}" for the instance.`,
    );
  }
  return { ...secrets, [config.instance.secretName]: { ...instance, instanceUrl: sandboxUrl } };
}

async function measure(input: ForwardInput): Promise<ForwardOutput> {
  const store = new LocalSecretStore(instanceSecrets(input.sandboxUrl));
  const deadLetters = new CountingDeadLetters();
  let inFlight = 0;
  let peakInFlight = 0;
  const countingTransport: Transport = async (url, request) => {
    inFlight += 1;
    peakInFlight = Math.max(peakInFlight, inFlight);
    try {
      return await nodeTransport(url, request);
    } finally {
      inFlight -= 1;
    }
  };

  // One handler per concurrent invocation, as each Lambda execution environment has its own.
  const handlers = Array.from({ length: maxConcurrency }, () => {
    const credentials = InstanceCredentialsProvider.fromConfig(config, store, { localMode: true });
    return createForwardHandler(logger, () => ({
      config,
      sender: new SecOpsClient({ config, credentials, logger, transport: countingTransport }),
      deadLetters,
      logger,
      metrics: new CloudWatchMetrics('secops-relay-forward'),
    }));
  });

  const total = input.warmupRecords * 2 + input.rounds * 2 * input.recordsPerRound;
  const messages = await deliveryMessages(config, total);
  let next = 0;
  const take = (count: number) => messages.slice(next, (next += count));
  const invocationMs: number[] = [];

  const relayRound = async (count: number): Promise<number> => {
    const events: SQSEvent[] = batches(take(count), batchSize).map(sqsEvent);
    let cursor = 0;
    const started = performance.now();
    await Promise.all(
      handlers.map(async (handler) => {
        while (cursor < events.length) {
          const event = events[cursor++]!;
          const invoked = performance.now();
          const response = await handler(event, localContext('secops-relay-forward', 60_000));
          invocationMs.push(performance.now() - invoked);
          if (response.batchItemFailures.length > 0 || deadLetters.entries.length > 0) {
            throw new Error(
              `The forwarder did not deliver every record: ${response.batchItemFailures.length} batch failures, ` +
                `${deadLetters.entries.length} dead letters (first: ${deadLetters.entries[0]?.reason}).`,
            );
          }
        }
      }),
    );
    return (count / (performance.now() - started)) * 1000;
  };

  const origin = new URL(input.sandboxUrl);
  const credentials = await InstanceCredentialsProvider.fromConfig(config, store, {
    localMode: true,
  }).get();
  if (credentials.auth !== 'basic') throw new Error('The bare client posts with basic auth only.');
  const authorization = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
  const { ignoreMandatoryFields, includeWrap, simpleResponse } = config.instance.api;
  const query = new URLSearchParams({
    ignore_mandatory_fields: String(ignoreMandatoryFields),
    include_wrap: String(includeWrap),
    simple_response: String(simpleResponse),
  }).toString();
  // The warm-up relay round also finds how many requests the relay keeps in flight.
  await relayRound(input.warmupRecords);
  const requestsInFlight = peakInFlight;
  const agent = new Agent({ keepAlive: true, maxSockets: requestsInFlight });

  const post = (path: string, body: string) =>
    new Promise<void>((resolve, reject) => {
      const outgoing = request(
        {
          host: origin.hostname,
          port: origin.port,
          method: 'POST',
          path,
          agent,
          headers: {
            accept: 'application/json',
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            authorization,
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            if (response.statusCode === 201) resolve();
            else
              reject(
                new Error(
                  `The sandbox returned ${response.statusCode}: ${Buffer.concat(chunks).toString()}`,
                ),
              );
          });
          response.on('error', reject);
        },
      );
      outgoing.on('error', reject);
      outgoing.end(body);
    });

  // The bare client reads the same queue message bodies the relay gets, and does only what
  // any client posting their records must: parse each body, map the record to its table's
  // columns and post it.
  const bareRound = async (count: number, concurrency: number): Promise<number> => {
    const bodies = take(count).map((message) => JSON.stringify(message));
    let cursor = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (cursor < bodies.length) {
          const message = JSON.parse(bodies[cursor++]!) as DeliveryMessage;
          const instanceRequest = toInstanceRequest(message.record, config);
          await post(
            `${config.instance.api.basePath}/${instanceRequest.resource}?${query}`,
            JSON.stringify(instanceRequest.body),
          );
        }
      }),
    );
    return (count / (performance.now() - started)) * 1000;
  };

  await bareRound(input.warmupRecords, requestsInFlight);
  invocationMs.length = 0;

  const relayRates: number[] = [];
  const bareRates: number[] = [];
  for (let round = 0; round < input.rounds; round++) {
    // Alternating the order keeps a drift in machine speed from favouring one side.
    if (round % 2 === 0) {
      relayRates.push(await relayRound(input.recordsPerRound));
      bareRates.push(await bareRound(input.recordsPerRound, requestsInFlight));
    } else {
      bareRates.push(await bareRound(input.recordsPerRound, requestsInFlight));
      relayRates.push(await relayRound(input.recordsPerRound));
    }
  }
  agent.destroy();

  return {
    relayRates,
    bareRates,
    invocations: maxConcurrency,
    batchSize,
    requestsInFlight,
    invocationMs,
    recordsPosted: next,
  };
}

serveOperations({ measure });
