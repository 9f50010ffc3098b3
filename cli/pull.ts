import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Logger } from '@aws-lambda-powertools/logger';
import { CheckpointError } from '../functions/checkpoints/checkpoint.ts';
import { InMemoryPullState, type PullStateSnapshot } from '../functions/checkpoints/in-memory.ts';
import type { RelayConfig } from '../functions/config/schema.ts';
import { LocalSecretStore } from '../functions/credentials/local.ts';
import type { DeliveryMessage } from '../functions/queue/message.ts';
import type { DeliveryQueue } from '../functions/queue/queue.ts';
import { PullError } from '../functions/pull/errors.ts';
import { runPullJob, type PullRunResult } from '../functions/pull/run.ts';
import { InMemoryMetrics } from '../functions/shared/metrics.ts';
import { getSource } from '../functions/sources/index.ts';
import { readLocalConfig } from '../local/config-file.ts';
import { CliError, UsageError } from './errors.ts';

export const PULL_USAGE = `  pull <job> --once           Run one pull job of the configuration once, locally, against its
                              api.baseUrl (a loopback test server is allowed), and print the result.
      --config <path>         Configuration file (default relay.config.json, or
                              $SECOPS_RELAY_CONFIG_FILE); the job's API key comes from local.secrets
      --state <path>          JSON file that keeps checkpoints and dedupe keys between runs
                              (default: none, so every run starts from the job's lookback)
      --records               Also print each queued record as one JSON line
      --timeout <seconds>     Time the run may take before it stops cleanly (default 300)
      --verbose               Print the run's log lines, INFO and up, as JSON (default: none;
                              a failure is printed as one message)`;

/** The local stand-in for the delivery queue: it keeps what the run enqueued, for printing. */
class CollectingQueue implements DeliveryQueue {
  readonly messages: DeliveryMessage[] = [];

  async enqueue(messages: DeliveryMessage[]): Promise<void> {
    this.messages.push(...messages);
  }
}

export interface PullOnceOptions {
  config: RelayConfig;
  jobId: string;
  /** File that keeps the checkpoint and dedupe keys between runs; absent for a run from scratch. */
  statePath?: string;
  timeoutSeconds: number;
  logger: Logger;
}

/**
 * Runs one pull job once in this process, the way the deployed function runs it. The API key
 * comes from `local.secrets` and checkpoints stay in memory, saved to `statePath` when it is
 * given. The queue collects the records instead of delivering them.
 */
export async function pullOnce(
  options: PullOnceOptions,
): Promise<{ result: PullRunResult; messages: DeliveryMessage[] }> {
  const state = readState(options.statePath);
  const queue = new CollectingQueue();
  const result = await runPullJob(
    options.jobId,
    {
      config: options.config,
      secrets: new LocalSecretStore(options.config.local?.secrets),
      queue,
      state,
      getSource,
      logger: options.logger,
      metrics: new InMemoryMetrics(),
      localMode: true,
    },
    new Date(Date.now() + options.timeoutSeconds * 1000),
  );
  if (options.statePath !== undefined) writeState(options.statePath, state.toSnapshot());
  return { result, messages: queue.messages };
}

/** `secops-relay pull <job> --once`: returns the exit code; 1 when the run failed. */
export async function runPullCommand(args: string[], out: NodeJS.WritableStream): Promise<number> {
  const { values, positionals } = parsePullArgs(args);
  const jobId = positionals[0];
  if (positionals.length !== 1 || jobId === undefined) {
    throw new UsageError(
      'pull',
      positionals.length === 0
        ? "pull needs a <job>, the id of a job in the configuration's pulls.jobs."
        : `pull runs one <job>; got ${positionals.length}: ${positionals.join(' ')}.`,
    );
  }
  if (values.once !== true) {
    throw new UsageError(
      'pull',
      'pull runs a job only with --once; in AWS, EventBridge Scheduler runs each job on its schedule.',
    );
  }
  const timeoutSeconds = Number(values.timeout ?? '300');
  if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 5) {
    throw new CliError(
      `--timeout must be a whole number of seconds, at least 5; got "${values.timeout}".`,
    );
  }

  let outcome: Awaited<ReturnType<typeof pullOnce>>;
  try {
    outcome = await pullOnce({
      config: readLocalConfig(values.config).config,
      jobId,
      ...(values.state !== undefined && { statePath: resolve(values.state) }),
      timeoutSeconds,
      logger: new Logger({
        serviceName: 'secops-relay-pull',
        // Without --verbose the command prints only its result, or the failure as one message.
        logLevel: values.verbose === true ? 'INFO' : 'SILENT',
      }),
    });
  } catch (error) {
    if (error instanceof PullError || error instanceof CheckpointError) {
      throw new CliError(`pull ${jobId} failed (${error.code}): ${error.message}`, 1);
    }
    throw error;
  }

  if (values.records === true) {
    for (const message of outcome.messages) out.write(`${JSON.stringify(message)}\n`);
  }
  out.write(`${JSON.stringify(outcome.result, null, 2)}\n`);
  return 0;
}

function parsePullArgs(args: string[]) {
  try {
    return parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        once: { type: 'boolean' },
        config: { type: 'string' },
        state: { type: 'string' },
        records: { type: 'boolean' },
        timeout: { type: 'string' },
        verbose: { type: 'boolean' },
      },
    });
  } catch (error) {
    throw new UsageError('pull', (error as Error).message);
  }
}

function readState(path: string | undefined): InMemoryPullState {
  if (path === undefined || !existsSync(path)) return new InMemoryPullState();
  try {
    return InMemoryPullState.fromSnapshot(
      JSON.parse(readFileSync(path, 'utf8')) as PullStateSnapshot,
    );
  } catch (error) {
    throw new CliError(
      `Cannot read the pull state file ${path} (${(error as Error).message}); delete it to start from the job's lookback.`,
    );
  }
}

function writeState(path: string, snapshot: PullStateSnapshot): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(snapshot, null, 2)}\n`);
}
