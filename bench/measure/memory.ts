import { join } from 'node:path';
import { FUNCTION_ENTRIES, type FunctionName } from '../lib/bundle.ts';
import { signedWebhookEvent, sqsEvent } from '../lib/events.ts';
import { judged, type Figure } from '../lib/figure.ts';
import { writeJson } from '../lib/lambda-environment.ts';
import { batches, deliveryMessages } from '../lib/messages.ts';
import { BENCH_SOURCES, BODY_SIZES, bodyTemplate, fillTemplate } from '../lib/payloads.ts';
import { runBundle, type BundleRun } from '../lib/run-bundle.ts';
import { summarize } from '../lib/stats.ts';
import type { LambdaBench } from './cold-start.ts';

const MEASUREMENT = 'memory';

/** Rounds; each runs every function and its baseline under load once, in a rotating order. */
const ROUNDS = 3;
/** How long each process keeps handling events after the first, in milliseconds. */
const SUSTAIN_MS = 4000;
/** Events of each size per source in the ingest mix; large bodies are rarer, as in practice. */
const EVENTS_PER_SIZE: Record<string, number> = { '1 KB': 4, '20 KB': 4, '500 KB': 1 };
const FORWARD_EVENTS = 40;
/** Target: at most 128 MB, so a 256 MB function keeps half its memory free. */
const RSS_LIMIT_MB = 128;
/**
 * The function memory size the target is about. Each process runs with the heap limits
 * Lambda sets for it, so the peak is what a 256 MB function of the same code reaches.
 */
const TARGET_FUNCTION_MB = 256;

/**
 * Runs each bundle in a fresh process that handles events back to back for a few seconds,
 * as one busy execution environment does, and reads the process's peak resident set size.
 * Ingest gets signed webhooks of every source and size; forward gets full batches that it
 * delivers to the sandbox over TLS. The baseline handles the same events and does nothing.
 */
export async function measureMemory(bench: LambdaBench): Promise<Figure[]> {
  const functions = Object.keys(FUNCTION_ENTRIES) as FunctionName[];
  const ingestEvents = BENCH_SOURCES.flatMap((source) =>
    BODY_SIZES.flatMap((size) => {
      const template = bodyTemplate(source, size.bytes);
      return Array.from({ length: EVENTS_PER_SIZE[size.label]! }, (_, sequence) =>
        signedWebhookEvent(bench.config, source, fillTemplate(template, sequence)),
      );
    }),
  );
  const batchSize = bench.config.deployment.forward.batchSize;
  const forwardEvents = batches(
    await deliveryMessages(bench.config, FORWARD_EVENTS * batchSize),
    batchSize,
  )
    .slice(0, FORWARD_EVENTS)
    .map(sqsEvent);
  const eventFiles = {
    ingest: join(bench.workDirectory, 'memory-ingest.json'),
    forward: join(bench.workDirectory, 'memory-forward.json'),
  };
  await writeJson(eventFiles.ingest, ingestEvents);
  await writeJson(eventFiles.forward, forwardEvents);

  const units = functions.flatMap((name) =>
    (['relay', 'baseline'] as const).map((variant) => ({ name, variant })),
  );
  const runs = Object.fromEntries(
    functions.map((name) => [name, { relay: [] as BundleRun[], baseline: [] as BundleRun[] }]),
  ) as Record<FunctionName, { relay: BundleRun[]; baseline: BundleRun[] }>;
  for (let round = 0; round < ROUNDS; round++) {
    const shift = round % units.length;
    for (const { name, variant } of [...units.slice(shift), ...units.slice(0, shift)]) {
      const bundle = bench.bundles.functions[name];
      runs[name][variant].push(
        await runBundle(
          bench.bundles.runner,
          bench.workDirectory,
          {
            bundle: variant === 'relay' ? bundle.relay : bundle.baseline,
            events: eventFiles[name],
            functionName: `secops-relay-${name}`,
            timeoutMs: 60_000,
            expect:
              variant === 'baseline'
                ? 'anything'
                : name === 'ingest'
                  ? 'http-2xx'
                  : 'no-batch-failures',
            sustainMs: SUSTAIN_MS,
            hosts: bench.environment.hosts,
          },
          bench.environment.env(name),
          TARGET_FUNCTION_MB,
        ),
      );
      bench.environment.clearQueues();
    }
  }

  const megabytes = (run: BundleRun) => run.maxRssKb / 1024;
  return functions.map((name) => {
    const { relay, baseline } = runs[name];
    const peak = summarize(relay.map(megabytes));
    const baselinePeak = summarize(baseline.map(megabytes));
    const handled = summarize(relay.map((run) => run.handled)).p50;
    return judged({
      id: `memory.${name}.peak-rss`,
      measurement: MEASUREMENT,
      label: `${name}: peak RSS handling events back to back for ${SUSTAIN_MS / 1000} s`,
      value: peak.p50,
      unit: 'MiB',
      spread: { n: peak.n, p50: peak.p50, q1: peak.q1, q3: peak.q3 },
      baseline: {
        label: 'baseline bundle handling the same events',
        value: baselinePeak.p50,
        unit: 'MiB',
      },
      ratio: peak.p50 / baselinePeak.p50,
      target: {
        on: 'value',
        comparison: '<=',
        limit: RSS_LIMIT_MB,
        meaning: 'a 256 MB function keeps half its memory as headroom',
      },
      note:
        `${handled} events per run (median), with the heap limits of a ${TARGET_FUNCTION_MB} MB ` +
        `function; the template gives the function ${bench.environment.memorySizeMb(name)} MB`,
    });
  });
}
