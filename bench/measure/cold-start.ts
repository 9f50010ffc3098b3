import { join } from 'node:path';
import type { RelayConfig } from '../../functions/config/schema.ts';
import { FUNCTION_ENTRIES, type Bundles, type FunctionName } from '../lib/bundle.ts';
import { signedWebhookEvent, sqsEvent } from '../lib/events.ts';
import { judged, type Figure } from '../lib/figure.ts';
import { writeJson, type LambdaEnvironment } from '../lib/lambda-environment.ts';
import { batches, deliveryMessages } from '../lib/messages.ts';
import { bodyTemplate, fillTemplate } from '../lib/payloads.ts';
import { runBundle, type BundleRun } from '../lib/run-bundle.ts';
import { summarize } from '../lib/stats.ts';

const MEASUREMENT = 'cold start';

/** Rounds; each starts every function and the baseline once, in a rotating order. */
const ROUNDS = 8;
/** Targets: a bundle of at most 1 MB, and init at most 1.3 times the baseline's. */
const BUNDLE_LIMIT_BYTES = 1_000_000;
const INIT_RATIO_LIMIT = 1.3;
const REPRESENTATIVE_BODY_BYTES = 20 * 1024;

/** The bundles, loopback services and configuration the bundled functions run with. */
export interface LambdaBench {
  config: RelayConfig;
  bundles: Bundles;
  environment: LambdaEnvironment;
  workDirectory: string;
}

const TIMEOUT_MS: Record<FunctionName, number> = { ingest: 10_000, forward: 60_000 };
const EXPECT = { ingest: 'http-2xx', forward: 'no-batch-failures' } as const;

type Variant = 'relay' | 'baseline';

/**
 * Starts each bundle in a fresh Node process, which imports it and handles one event, in
 * rounds with the function's baseline bundle. Ingest handles a signed 20 KB VirusTotal
 * report whose token it reads from the Secrets Manager fake and enqueues to the SQS fake;
 * forward delivers one batch to the sandbox over TLS with the instance secret from the fake.
 */
export async function measureColdStart(bench: LambdaBench): Promise<Figure[]> {
  const functions = Object.keys(FUNCTION_ENTRIES) as FunctionName[];
  const template = bodyTemplate('virustotal', REPRESENTATIVE_BODY_BYTES);
  const batchSize = bench.config.deployment.forward.batchSize;
  const forwardBatches = batches(
    await deliveryMessages(bench.config, ROUNDS * batchSize),
    batchSize,
  );
  const units = functions.flatMap((name) =>
    (['relay', 'baseline'] as const).map((variant) => ({ name, variant })),
  );

  const runs = Object.fromEntries(
    functions.map((name) => [name, { relay: [] as BundleRun[], baseline: [] as BundleRun[] }]),
  ) as Record<FunctionName, Record<Variant, BundleRun[]>>;
  for (let round = 0; round < ROUNDS; round++) {
    const events = {
      ingest: signedWebhookEvent(bench.config, 'virustotal', fillTemplate(template, round)),
      forward: sqsEvent(forwardBatches[round]!),
    };
    // Rotating the order spreads any drift of the machine's speed over every bundle.
    const shift = round % units.length;
    for (const { name, variant } of [...units.slice(shift), ...units.slice(0, shift)]) {
      const eventsFile = join(bench.workDirectory, `cold-${name}-${variant}-${round}.json`);
      await writeJson(eventsFile, [events[name]]);
      const bundle = bench.bundles.functions[name];
      runs[name][variant].push(
        await runBundle(
          bench.bundles.runner,
          bench.workDirectory,
          {
            bundle: variant === 'relay' ? bundle.relay : bundle.baseline,
            events: eventsFile,
            functionName: `secops-relay-${name}`,
            timeoutMs: TIMEOUT_MS[name],
            expect: variant === 'relay' ? EXPECT[name] : 'anything',
            sustainMs: 0,
            hosts: bench.environment.hosts,
          },
          bench.environment.env(name),
          bench.environment.memorySizeMb(name),
        ),
      );
      bench.environment.clearQueues();
    }
  }

  const init = (run: BundleRun) => run.importMs + run.firstEventMs;
  return functions.flatMap((name): Figure[] => {
    const { relay, baseline } = runs[name];
    const bundle = bench.bundles.functions[name];
    const initSummary = summarize(relay.map(init));
    const baselineInit = summarize(baseline.map(init));
    const ratios = summarize(relay.map((run, round) => init(run) / init(baseline[round]!)));
    const importMs = summarize(relay.map((run) => run.importMs)).p50;
    const baselineImportMs = summarize(baseline.map((run) => run.importMs)).p50;
    const clients = bundle.sdkClients.join(', ');
    return [
      judged({
        id: `cold.${name}.bundle`,
        measurement: MEASUREMENT,
        label: `${name} bundle size (minified ESM, AWS SDK bundled, without source map)`,
        value: bundle.relayBytes,
        unit: 'bytes',
        baseline: {
          label: `baseline bundle: ${clients} only`,
          value: bundle.baselineBytes,
          unit: 'bytes',
        },
        ratio: bundle.relayBytes / bundle.baselineBytes,
        target: {
          on: 'value',
          comparison: '<=',
          limit: BUNDLE_LIMIT_BYTES,
          meaning: 'the deployment package stays small, so Lambda fetches and loads it quickly',
        },
      }),
      judged({
        id: `cold.${name}.init`,
        measurement: MEASUREMENT,
        label: `${name}: fresh process imports the bundle and handles one event`,
        value: initSummary.p50,
        unit: 'ms',
        spread: { n: initSummary.n, p50: initSummary.p50, q1: initSummary.q1, q3: initSummary.q3 },
        baseline: {
          label: `baseline: import, create ${clients}, return`,
          value: baselineInit.p50,
          unit: 'ms',
        },
        ratio: ratios.p50,
        ratioSpread: { q1: ratios.q1, q3: ratios.q3, n: ratios.n },
        target: {
          on: 'ratio',
          comparison: '<=',
          limit: INIT_RATIO_LIMIT,
          meaning:
            'a cold start costs little more than any function that uses the same AWS clients',
        },
        note:
          `import alone ${importMs.toFixed(0)} ms (baseline ${baselineImportMs.toFixed(0)} ms); the first event ` +
          (name === 'ingest'
            ? 'makes the first Secrets Manager, DynamoDB and SQS calls'
            : 'makes the first Secrets Manager call and the TLS connection to the instance'),
      }),
    ];
  });
}
