import { createHmac } from 'node:crypto';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { LocalSecretStore } from '../../functions/credentials/local.ts';
import type { DedupeStore, SeenEntry } from '../../functions/dedupe/store.ts';
import { createIngestHandler } from '../../functions/ingest/lambda.ts';
import { serializeMessage, type DeliveryMessage } from '../../functions/queue/message.ts';
import type { DeliveryQueue } from '../../functions/queue/queue.ts';
import { createLogger } from '../../functions/shared/logger.ts';
import { CloudWatchMetrics } from '../../functions/shared/metrics.ts';
import { getSource } from '../../functions/sources/index.ts';
import { localContext } from '../../local/lambda-context.ts';
import { loadBenchConfig } from '../lib/config.ts';
import { senderSecret, signedWebhookEvent } from '../lib/events.ts';
import { bodyTemplate, fillTemplate, type BenchSource } from '../lib/payloads.ts';
import { summarize, type Summary } from '../lib/stats.ts';
import { serveOperations } from '../lib/worker.ts';

/**
 * Measures the ingest handler in process against the floor, event by event. The handler is
 * the deployed one's core (createIngestHandler with the Powertools logger and EMF metrics,
 * writing to this process's stdout, which the parent discards). Three parts differ. The
 * queue serializes each message as the SQS queue does and keeps nothing. The dedupe store
 * gets the relay's keys for every record and reports none of them seen, as DynamoDB does
 * for new records. The sender secret comes from the local store, as the deployed one comes
 * from its cache after the first event. So the SQS and DynamoDB round trips, which are
 * network wait in AWS, are not part of the figure.
 *
 * A pair during which the kernel preempted this process (an involuntary context switch,
 * counted by getrusage for all its threads) is left out of the summaries and counted,
 * because its time is the other processes' time slice, not the relay's.
 */

export interface IngestCase {
  source: BenchSource;
  sizeLabel: string;
  bytes: number;
  iterations: number;
  warmup: number;
}

export interface IngestCaseResult {
  source: BenchSource;
  sizeLabel: string;
  bodyBytes: number;
  recordsPerEvent: number;
  /** Queue message sizes of one event, in bytes, for the SQS part of the cost estimate. */
  messageBytes: number[];
  /** Handler time per event, in microseconds, over the pairs the kernel did not preempt. */
  relay: Summary;
  /** HMAC-SHA256 over the body plus JSON.parse of it, in microseconds, over the same pairs. */
  floor: Summary;
  /** Relay median over floor median in each block of BLOCK_PAIRS consecutive pairs. */
  blockRatios: Summary;
  /** Handler time per event over every pair, preempted ones included, in microseconds. */
  relayAll: Summary;
  /** Pairs during which the process was preempted. */
  preempted: number;
  /** True when too few pairs escaped preemption, so the summaries include preempted ones. */
  keptPreempted: boolean;
}

/** Pairs per block of the ratio's spread: long enough for a stable median, short enough to follow drift. */
const BLOCK_PAIRS = 20;
/** Fewest undisturbed pairs that make a summary; fewer, and every pair is summarized. */
const MIN_UNDISTURBED_PAIRS = 2 * BLOCK_PAIRS;

interface Pair {
  relay: number;
  floor: number;
  preempted: boolean;
}

class MeasuringQueue implements DeliveryQueue {
  lastSizes: number[] = [];

  async enqueue(messages: DeliveryMessage[]): Promise<void> {
    this.lastSizes = messages.map((message) => Buffer.byteLength(serializeMessage(message)));
  }
}

/** A dedupe store in which no record was seen before, as every benchmark event is new. */
class NothingSeenStore implements DedupeStore {
  keysLooked = 0;

  async findSeen(keys: readonly string[]): Promise<Map<string, SeenEntry>> {
    this.keysLooked += keys.length;
    return new Map();
  }

  async remember(): Promise<void> {}
}

const config = loadBenchConfig();
const logger = createLogger('secops-relay-ingest');
const queue = new MeasuringQueue();
const dedupe = new NothingSeenStore();
const handler = createIngestHandler(logger, () => ({
  config,
  secrets: new LocalSecretStore(config.local?.secrets),
  queue,
  getSource,
  logger,
  metrics: new CloudWatchMetrics('secops-relay-ingest'),
  dedupe: { store: dedupe, ttlSeconds: config.dedupe.ttlSeconds },
}));

/** Keeps the floor's parse results reachable, so the work cannot be optimized away. */
let floorSink: unknown;

function floor(body: Buffer, secret: string): void {
  createHmac('sha256', secret).update(body).digest('hex');
  floorSink = JSON.parse(body.toString('utf8'));
}

function elapsedMicroseconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1000;
}

async function measureCase(testCase: IngestCase, firstSequence: number): Promise<IngestCaseResult> {
  const template = bodyTemplate(testCase.source, testCase.bytes);
  const secret = senderSecret(config, testCase.source);
  const pairs: Pair[] = [];
  let sequence = firstSequence;
  let bodyBytes = 0;
  let messageBytes: number[] = [];

  for (let round = 0; round < testCase.warmup + testCase.iterations; round++) {
    const body = fillTemplate(template, sequence++);
    const event = signedWebhookEvent(config, testCase.source, body);
    const context = localContext('secops-relay-ingest', 10_000);

    const runRelay = async () => {
      const start = process.hrtime.bigint();
      const result = (await handler(event, context)) as APIGatewayProxyStructuredResultV2;
      const micros = elapsedMicroseconds(start);
      if (result.statusCode !== 202) {
        throw new Error(
          `${testCase.source} ${testCase.sizeLabel}: ingest returned ${result.statusCode} ${result.body}`,
        );
      }
      return micros;
    };
    const runFloor = () => {
      const start = process.hrtime.bigint();
      floor(body, secret);
      return elapsedMicroseconds(start);
    };

    const switchesBefore = process.resourceUsage().involuntaryContextSwitches;
    // Alternating which runs first keeps cache warmth and timer drift from favouring one side.
    let relay: number;
    let floorMicros: number;
    if (round % 2 === 0) {
      relay = await runRelay();
      floorMicros = runFloor();
    } else {
      floorMicros = runFloor();
      relay = await runRelay();
    }
    const preempted = process.resourceUsage().involuntaryContextSwitches > switchesBefore;
    // Between invocations the event loop turns, as it does in Lambda while the runtime fetches
    // the next event. Without it, the callbacks of the log writes pile up across the loop.
    await new Promise(setImmediate);
    if (round < testCase.warmup) continue;
    pairs.push({ relay, floor: floorMicros, preempted });
    bodyBytes = body.length;
    messageBytes = queue.lastSizes;
  }
  if (dedupe.keysLooked === 0) {
    throw new Error(
      `The ingest handler never looked up a dedupe key for ${testCase.source}; check config.dedupe.`,
    );
  }

  const undisturbed = pairs.filter((pair) => !pair.preempted);
  // NOTE: on a busy machine few long events escape preemption; below MIN_UNDISTURBED_PAIRS
  // the summaries fall back to every pair, and `preempted` shows how many were disturbed.
  const kept = undisturbed.length >= MIN_UNDISTURBED_PAIRS ? undisturbed : pairs;
  const relayTimes = kept.map((pair) => pair.relay);
  const floorTimes = kept.map((pair) => pair.floor);

  const blockRatios: number[] = [];
  for (let first = 0; first + BLOCK_PAIRS <= kept.length; first += BLOCK_PAIRS) {
    const relayBlock = summarize(relayTimes.slice(first, first + BLOCK_PAIRS)).p50;
    const floorBlock = summarize(floorTimes.slice(first, first + BLOCK_PAIRS)).p50;
    blockRatios.push(relayBlock / floorBlock);
  }

  return {
    source: testCase.source,
    sizeLabel: testCase.sizeLabel,
    bodyBytes,
    recordsPerEvent: messageBytes.length,
    messageBytes,
    relay: summarize(relayTimes),
    floor: summarize(floorTimes),
    blockRatios: summarize(blockRatios),
    relayAll: summarize(pairs.map((pair) => pair.relay)),
    preempted: pairs.length - undisturbed.length,
    keptPreempted: kept === pairs,
  };
}

serveOperations({
  async measure(input: { cases: IngestCase[] }): Promise<IngestCaseResult[]> {
    const results: IngestCaseResult[] = [];
    let sequence = 0;
    for (const testCase of input.cases) {
      results.push(await measureCase(testCase, sequence));
      sequence += testCase.warmup + testCase.iterations;
    }
    if (floorSink === undefined) throw new Error('the floor parsed nothing');
    return results;
  },
});
