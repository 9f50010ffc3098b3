import { judged, type Figure } from '../lib/figure.ts';
import { summarize, type Summary } from '../lib/stats.ts';
import { startDeployedWorker, Worker } from '../lib/worker.ts';
import type { ForwardInput, ForwardOutput } from '../workers/forward-throughput.ts';

const MEASUREMENT = 'forward throughput';

/**
 * Paired rounds; each posts RECORDS_PER_ROUND records through the relay and as many bare.
 * The warm-up lets both sides reach the steady state of a busy execution environment, in
 * which V8 has compiled the hot paths. The relay has more code to compile than the client.
 */
const ROUNDS = 6;
const RECORDS_PER_ROUND = 3000;
const WARMUP_RECORDS = 3000;
/** Target: the relay delivers at least 90% of the bare client's records per second. */
const RATIO_LIMIT = 0.9;

export interface ForwardMeasurement {
  figures: Figure[];
  /** Wall time of one forward invocation (a batch) over loopback, in milliseconds. */
  invocationMs: Summary;
  batchSize: number;
  /** Records one invocation posts at once: requests in flight over concurrent invocations. */
  postsPerInvocation: number;
}

/**
 * Runs the sandbox in one worker and the forwarder and the bare client in another, in
 * alternating rounds over the same kind of records, and checks that the sandbox stored
 * every record posted.
 */
export async function measureForwardThroughput(): Promise<ForwardMeasurement> {
  const forwarder = await startDeployedWorker('forward-throughput');
  const sandbox = new Worker('sandbox');
  try {
    const { url } = await sandbox.call<{ url: string }>('start');
    const output = await forwarder.call<ForwardOutput>('measure', {
      sandboxUrl: url,
      rounds: ROUNDS,
      recordsPerRound: RECORDS_PER_ROUND,
      warmupRecords: WARMUP_RECORDS,
    } satisfies ForwardInput);
    const stored = await sandbox.call<number>('count');
    if (stored !== output.recordsPosted) {
      throw new Error(
        `The sandbox stored ${stored} records, but ${output.recordsPosted} were posted.`,
      );
    }
    return {
      figures: toFigures(output),
      invocationMs: summarize(output.invocationMs),
      batchSize: output.batchSize,
      postsPerInvocation: Math.max(1, Math.round(output.requestsInFlight / output.invocations)),
    };
  } finally {
    await forwarder.stop();
    await sandbox.stop();
  }
}

function toFigures(output: ForwardOutput): Figure[] {
  const relay = summarize(output.relayRates);
  const bare = summarize(output.bareRates);
  const ratios = summarize(output.relayRates.map((rate, index) => rate / output.bareRates[index]!));
  const setup =
    `${output.invocations} invocations × batches of ${output.batchSize}, ` +
    `${output.requestsInFlight} requests in flight`;
  return [
    judged({
      id: 'forward.records-per-second',
      measurement: MEASUREMENT,
      label: `forward handler to the sandbox over loopback (${setup})`,
      value: relay.p50,
      unit: 'records/s',
      spread: { n: relay.n, p50: relay.p50, q1: relay.q1, q3: relay.q3 },
      baseline: {
        label: `bare keep-alive HTTP client, ${output.requestsInFlight} requests in flight`,
        value: bare.p50,
        unit: 'records/s',
      },
      ratio: ratios.p50,
      ratioSpread: { q1: ratios.q1, q3: ratios.q3, n: ratios.n },
      target: {
        on: 'ratio',
        comparison: '>=',
        limit: RATIO_LIMIT,
        meaning:
          'the relay is not the bottleneck in front of the instance: it posts nearly as fast as a bare client',
      },
    }),
  ];
}
