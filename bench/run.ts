import { constants } from 'node:fs';
import { access, mkdir, open, rm, stat, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildBundles } from './lib/bundle.ts';
import { loadBenchConfig, REPO_ROOT } from './lib/config.ts';
import type { Figure } from './lib/figure.ts';
import { startLambdaEnvironment } from './lib/lambda-environment.ts';
import { describeMachine, formatTable } from './lib/report.ts';
import { temporaryDirectory } from './lib/temporary-directory.ts';
import { measureColdStart, type LambdaBench } from './measure/cold-start.ts';
import { estimateCost, type CostEstimate } from './measure/cost.ts';
import { measureEndToEnd } from './measure/end-to-end.ts';
import { measureForwardThroughput, type ForwardMeasurement } from './measure/forward-throughput.ts';
import { measureIngestCost, type IngestMeasurement } from './measure/ingest-cost.ts';
import { measureMemory } from './measure/memory.ts';

/**
 * `npm run bench`: measures the relay against the floor and against a plain client on
 * this machine, prints a table, writes bench/results.json, and exits 1 when a figure
 * misses its target (2 when a measurement could not run). BENCHMARKS.md describes each
 * measurement and target.
 */

const MEASUREMENTS = ['ingest', 'forward', 'e2e', 'cold', 'memory', 'cost'] as const;
type MeasurementName = (typeof MEASUREMENTS)[number];

const USAGE = `Usage: npm run bench -- [--only ${MEASUREMENTS.join(',')}] [--output FILE]
  --only    comma-separated measurements to run (default: all); cost also runs ingest and forward
  --output  where to write the results (default: bench/results.json)`;

function parseOptions(): { only: Set<MeasurementName>; output: string } {
  let values: { only?: string; output?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: { only: { type: 'string' }, output: { type: 'string' }, help: { type: 'boolean' } },
    }));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
  if (values.help === true) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const only = new Set<MeasurementName>();
  for (const name of (values.only ?? MEASUREMENTS.join(',')).split(',')) {
    if (!(MEASUREMENTS as readonly string[]).includes(name)) {
      process.stderr.write(
        `Unknown measurement "${name}"; choose from ${MEASUREMENTS.join(', ')}.\n${USAGE}\n`,
      );
      process.exit(2);
    }
    only.add(name as MeasurementName);
  }
  if (only.has('cost')) {
    only.add('ingest');
    only.add('forward');
  }
  // npm runs the script from the repository root; INIT_CWD is where the user typed the command.
  const output =
    values.output === undefined
      ? join(REPO_ROOT, 'bench/results.json')
      : resolve(process.env.INIT_CWD ?? process.cwd(), values.output);
  return { only, output };
}

/** Work to undo when the run ends early, newest first: temporary files and loopback services. */
const cleanups: (() => Promise<void>)[] = [];
/** True once a signal arrived. A measurement then fails because its processes stopped, which is no error. */
let stopping = false;

async function withCleanup<T>(cleanup: () => Promise<void>, work: () => Promise<T>): Promise<T> {
  cleanups.push(cleanup);
  try {
    return await work();
  } finally {
    // After a signal, the signal handler has already run it.
    const index = cleanups.indexOf(cleanup);
    if (index >= 0) {
      cleanups.splice(index, 1);
      await cleanup();
    }
  }
}

/**
 * Stops the run on Ctrl-C or SIGTERM, after removing what it set up: the bundles and the
 * TLS key of the Lambda environment would otherwise stay in the temporary directory.
 */
function cleanUpOnSignals(): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      stopping = true;
      progress(`${signal}: stopping and removing temporary files`);
      void (async () => {
        for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
        process.exit(130);
      })();
    });
  }
}

/** The results file cannot be written; the message names the path and the reason. */
class OutputError extends Error {}

/**
 * Checks before a long run, rather than after it, that the results file can be written:
 * creates its directory, and opens the file for appending, removing it again when it did
 * not exist before.
 */
async function checkOutput(output: string): Promise<void> {
  const directory = dirname(output);
  try {
    const parent = await stat(directory).catch(() => undefined);
    if (parent !== undefined && !parent.isDirectory()) {
      throw new Error(`${directory} is a file, not a directory`);
    }
    await mkdir(directory, { recursive: true });
    await access(directory, constants.W_OK);
    const existing = await stat(output).catch(() => undefined);
    if (existing?.isDirectory()) throw new Error('it is a directory; name a file');
    await (await open(output, 'a')).close();
    if (existing === undefined) await rm(output, { force: true });
  } catch (error) {
    throw new OutputError(`--output ${output} cannot be written: ${(error as Error).message}`);
  }
}

function progress(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

async function main(): Promise<number> {
  const { only, output } = parseOptions();
  await checkOutput(output);
  cleanUpOnSignals();
  const startedAt = new Date();
  const machine = describeMachine();
  const config = loadBenchConfig();
  const figures: Figure[] = [];
  let ingest: IngestMeasurement | undefined;
  let forward: ForwardMeasurement | undefined;
  let cost: CostEstimate | undefined;

  if (only.has('ingest')) {
    progress('ingest cost: the handler in process against HMAC + JSON.parse');
    ingest = await measureIngestCost();
    figures.push(...ingest.figures);
  }
  if (only.has('forward')) {
    progress('forward throughput: the forwarder against a bare HTTP client');
    forward = await measureForwardThroughput();
    figures.push(...forward.figures);
  }
  if (only.has('e2e')) {
    progress('end to end: send → local stack → sandbox');
    figures.push(...(await measureEndToEnd()));
  }
  if (only.has('cold') || only.has('memory')) {
    const workDirectory = await temporaryDirectory('secops-relay-bench-');
    await withCleanup(
      () => rm(workDirectory, { recursive: true, force: true }),
      async () => {
        progress('bundling the functions as the deploy does');
        const bundles = await buildBundles(workDirectory);
        const environment = await startLambdaEnvironment(config);
        const bench: LambdaBench = { config, bundles, environment, workDirectory };
        await withCleanup(
          () => environment.close(),
          async () => {
            if (only.has('cold')) {
              progress('cold start: fresh processes against the SDK-clients baseline');
              figures.push(...(await measureColdStart(bench)));
            }
            if (only.has('memory')) {
              progress('memory: peak RSS under sustained load');
              figures.push(...(await measureMemory(bench)));
            }
          },
        );
      },
    );
  }
  if (only.has('cost') && ingest !== undefined && forward !== undefined) {
    const estimate = estimateCost({
      config,
      ingestCases: ingest.cases,
      forwardInvocationMs: forward.invocationMs.p50,
      postsPerInvocation: forward.postsPerInvocation,
    });
    cost = estimate.estimate;
    figures.push(...estimate.figures);
  }

  machine.loadAtEnd = loadavg().map((load) => Math.round(load * 100) / 100);
  const failed = figures.filter((figure) => figure.pass === false).map((figure) => figure.id);
  const results = {
    startedAt: startedAt.toISOString(),
    durationSeconds: Math.round((Date.now() - startedAt.getTime()) / 1000),
    machine,
    measurements: [...only],
    passed: failed.length === 0,
    failed,
    figures,
    ...(ingest !== undefined && { ingestCases: ingest.cases }),
    ...(cost !== undefined && { costEstimate: cost }),
  };
  process.stdout.write(`${formatTable(figures)}\n\n`);
  try {
    await writeFile(output, `${JSON.stringify(results, null, 2)}\n`);
  } catch (error) {
    throw new OutputError(
      `the results could not be written to ${output}: ${(error as Error).message}`,
    );
  }
  process.stdout.write(
    `${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}; ` +
      `load ${machine.loadAtStart.join(' ')} at start, ${machine.loadAtEnd.join(' ')} at end; ` +
      `${results.durationSeconds} s. Results: ${output}\n`,
  );
  if (failed.length > 0) {
    // The labels are the table's. The ids are results.json's, which also explains each target.
    const missed = figures
      .filter((figure) => figure.pass === false)
      .map((figure) => `  ${figure.measurement}: ${figure.label} (${figure.id})`);
    process.stdout.write(
      `${failed.length} figures missed their target (BENCHMARKS.md, "Reading the results", explains them):\n${missed.join('\n')}\n`,
    );
    return 1;
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    // The signal handler exits once it has cleaned up.
    if (stopping) return;
    if (error instanceof OutputError) {
      process.stderr.write(`bench: ${error.message}\n`);
      process.exit(2);
    }
    process.stderr.write(
      `bench: a measurement could not run: ${(error as Error).stack ?? String(error)}\n`,
    );
    process.exit(2);
  },
);
