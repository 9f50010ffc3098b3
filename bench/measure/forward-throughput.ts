import { judged, type Figure } from '../lib/figure.ts';
import { summarize, type Summary } from '../lib/stats.ts';
import { startDeployedWorker, Worker } from '../lib/worker.ts';
import type { ForwardInput, ForwardOutput } from '../workers/forward-throughput.ts';

const MEASUREMENT = 'forward throughput';

/**
 * Paired rounds; each posts RECORDS_PER_ROUND records through the relay and as many bare.
 * The warm-up lets both sides reach the steady state of a busy execution environment, in
 * which V8 has compiled the hot paths. The relay has more code to compile than the client:
 * after 3,000 records its rate still rose by about 40% over the next five rounds, and after
 * 15,000 it held within the spread of the rounds.
 */
const ROUNDS = 6;
const RECORDS_PER_ROUND = 3000;
const WARMUP_RECORDS = 15000;
/** Target: the relay delivers at least 90% of the bare client's records per second. */
const RATIO_LIMIT = 0.9;
/**
 * Delay of the second, reported run: the sandbox responds to each record after it, as an
 * instance across the network does, so both sides wait on the instance rather than on CPU
 * time. Real instances are often slower. The ratio then depends on the rounds of POSTs per
 * batch, not on the delay.
 */
const INSTANCE_DELAY_MS = 50;
const DELAYED_ROUNDS = 3;
const DELAYED_WARMUP_RECORDS = 200;

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
    await checkStored(sandbox, output.recordsPosted);

    await sandbox.call('respondAfter', INSTANCE_DELAY_MS);
    // About a second per side and round, because each request slot posts 1000 / delay
    // records a second.
    const delayedRecords = Math.round((output.requestsInFlight * 1000) / INSTANCE_DELAY_MS);
    const delayed = await forwarder.call<ForwardOutput>('measure', {
      sandboxUrl: url,
      rounds: DELAYED_ROUNDS,
      recordsPerRound: delayedRecords,
      warmupRecords: DELAYED_WARMUP_RECORDS,
    } satisfies ForwardInput);
    await checkStored(sandbox, output.recordsPosted + delayed.recordsPosted);

    return {
      figures: [rateFigure(output), rateFigure(delayed, INSTANCE_DELAY_MS)],
      invocationMs: summarize(output.invocationMs),
      batchSize: output.batchSize,
      postsPerInvocation: Math.max(1, Math.round(output.requestsInFlight / output.invocations)),
    };
  } finally {
    await forwarder.stop();
    await sandbox.stop();
  }
}

async function checkStored(sandbox: Worker, posted: number): Promise<void> {
  const stored = await sandbox.call<number>('count');
  if (stored !== posted) {
    throw new Error(`The sandbox stored ${stored} records, but ${posted} were posted.`);
  }
}

/**
 * Returns the relay's records per second against the bare client's, paired by round. The
 * loopback run is judged against RATIO_LIMIT; the delayed run is only reported.
 */
function rateFigure(output: ForwardOutput, delayMs?: number): Figure {
  const relay = summarize(output.relayRates);
  const bare = summarize(output.bareRates);
  const ratios = summarize(output.relayRates.map((rate, index) => rate / output.bareRates[index]!));
  const setup =
    `${output.invocations} invocations × batches of ${output.batchSize}, ` +
    `${output.requestsInFlight} requests in flight`;
  return judged({
    id:
      delayMs === undefined
        ? 'forward.records-per-second'
        : 'forward.records-per-second.delayed-instance',
    measurement: MEASUREMENT,
    label:
      delayMs === undefined
        ? `forward handler to the sandbox over loopback (${setup})`
        : `forward handler, the sandbox answering each record after ${delayMs} ms (${setup})`,
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
    ...(delayMs === undefined && {
      target: {
        on: 'ratio',
        comparison: '>=',
        limit: RATIO_LIMIT,
        meaning:
          'the relay is not the bottleneck in front of the instance: it posts nearly as fast as a bare client',
      },
    }),
  });
}
