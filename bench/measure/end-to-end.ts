import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { send } from '../../cli/send.ts';
import { loadBenchConfig } from '../lib/config.ts';
import type { Figure } from '../lib/figure.ts';
import { BENCH_SOURCES, bodyTemplate, fillTemplate } from '../lib/payloads.ts';
import { summarize } from '../lib/stats.ts';
import { temporaryDirectory } from '../lib/temporary-directory.ts';
import { Worker } from '../lib/worker.ts';

const MEASUREMENT = 'end to end';

const ROUNDS = 5;
/** Requests per round, spread evenly over the sources. */
const SENDS_PER_ROUND = 30;
/** `send` calls in flight at once, as a few vendors posting at the same time. */
const CONCURRENT_SENDS = 4;
const BODY_BYTES = 20 * 1024;
const POLL_INTERVAL_MS = 5;
const ROUND_TIMEOUT_MS = 60_000;

/**
 * Posts signed webhooks with `send` (the code behind `secops-relay send`) to the local
 * stack running in a worker, and times each round from the first request to the moment
 * the forwarder has delivered every record the relay accepted.
 */
export async function measureEndToEnd(): Promise<Figure[]> {
  const config = loadBenchConfig();
  const directory = await temporaryDirectory('secops-relay-bench-');
  const stack = new Worker('local-stack');
  try {
    const { relayUrl } = await stack.call<{ relayUrl: string }>('start');
    const templates = BENCH_SOURCES.map((source) => ({
      source,
      template: bodyTemplate(source, BODY_BYTES),
    }));
    let sequence = 0;
    let expected = 0;

    const round = async (): Promise<number> => {
      const files: { source: string; file: string }[] = [];
      for (let index = 0; index < SENDS_PER_ROUND; index++) {
        const { source, template } = templates[index % templates.length]!;
        const file = join(directory, `${sequence}.json`);
        await writeFile(file, fillTemplate(template, sequence++));
        files.push({ source, file });
      }

      const started = performance.now();
      let cursor = 0;
      let accepted = 0;
      await Promise.all(
        Array.from({ length: CONCURRENT_SENDS }, async () => {
          while (cursor < files.length) {
            const { source, file } = files[cursor++]!;
            const result = await send({ config, source, file, url: relayUrl });
            if (result.status !== 202) {
              throw new Error(`The relay returned ${result.status} for ${source}: ${result.body}`);
            }
            accepted += (JSON.parse(result.body) as { records: number }).records;
          }
        }),
      );
      expected += accepted;

      for (;;) {
        const progress = await stack.call<{ delivered: number; deadLetters: number }>('progress');
        if (progress.deadLetters > 0)
          throw new Error(`${progress.deadLetters} records were dead-lettered.`);
        if (progress.delivered >= expected) break;
        if (performance.now() - started > ROUND_TIMEOUT_MS) {
          throw new Error(
            `Only ${progress.delivered} of ${expected} records arrived within ${ROUND_TIMEOUT_MS} ms.`,
          );
        }
        await sleep(POLL_INTERVAL_MS);
      }
      return (accepted / (performance.now() - started)) * 1000;
    };

    await round();
    const rates: number[] = [];
    for (let index = 0; index < ROUNDS; index++) rates.push(await round());

    const stored = await stack.call<number>('stored');
    if (stored !== expected)
      throw new Error(`The sandbox stored ${stored} records; ${expected} were accepted.`);

    const summary = summarize(rates);
    return [
      {
        id: 'e2e.records-per-second',
        measurement: MEASUREMENT,
        label: `send → local stack → sandbox (${SENDS_PER_ROUND} signed 20 KB webhooks per round, ${CONCURRENT_SENDS} at once)`,
        value: summary.p50,
        unit: 'records/s',
        spread: { n: summary.n, p50: summary.p50, q1: summary.q1, q3: summary.q3 },
        note: `${expected} records in all; the local stack runs one forward invocation at a time`,
      },
    ];
  } finally {
    await stack.stop();
    await rm(directory, { recursive: true, force: true });
  }
}
