import type { PullStateStore } from '../../functions/checkpoints/checkpoint.ts';
import { parseConfig } from '../../functions/config/load.ts';
import type { RelayConfig, RelayConfigInput } from '../../functions/config/schema.ts';
import { LocalSecretStore } from '../../functions/credentials/local.ts';
import type { DeliveryMessage } from '../../functions/queue/message.ts';
import type { DeliveryQueue } from '../../functions/queue/queue.ts';
import { runPullJob, type PullDependencies, type PullRunResult } from '../../functions/pull/run.ts';
import { InMemoryMetrics } from '../../functions/shared/metrics.ts';
import { getSource } from '../../functions/sources/index.ts';
import { captureLogger } from '../helpers/capture-logger.ts';

/** The API key every test job reads from its local secret. */
export const TEST_API_KEY = 'test-vendor-api-key-5f2a9c';

/** A clock that moves only when a test or a fake sleep moves it. */
export class FakeClock {
  constructor(private epochMs = Date.parse('2026-12-01T12:00:00Z')) {}

  now = (): Date => new Date(this.epochMs);

  advance(ms: number): void {
    this.epochMs += ms;
  }

  /** A sleep that records each wait and moves the clock instead of waiting. */
  readonly waits: number[] = [];
  sleep = async (ms: number): Promise<void> => {
    this.waits.push(ms);
    this.advance(ms);
  };
}

/** A delivery queue that keeps messages in memory and can be set to fail after some enqueues. */
export class RecordingQueue implements DeliveryQueue {
  readonly messages: DeliveryMessage[] = [];
  private remainingBeforeFailure = Infinity;

  /** Makes every enqueue after the next `count` ones throw, as an unreachable SQS would. */
  failAfter(count: number): void {
    this.remainingBeforeFailure = count;
  }

  heal(): void {
    this.remainingBeforeFailure = Infinity;
  }

  async enqueue(messages: DeliveryMessage[]): Promise<void> {
    if (this.remainingBeforeFailure <= 0) throw new Error('SQS is unreachable (test)');
    this.remainingBeforeFailure -= 1;
    this.messages.push(...messages);
  }

  /** Distinct delivery ids of the queued messages: one per enqueued item. */
  deliveryIds(): Set<string> {
    return new Set(this.messages.map((message) => message.deliveryId));
  }
}

export interface PullHarness {
  config: RelayConfig;
  queue: RecordingQueue;
  clock: FakeClock;
  state: PullStateStore;
  logs: ReturnType<typeof captureLogger>;
  deps: PullDependencies;
  /** Runs a job with a deadline `deadlineMs` after the fake clock's current time. */
  run(jobId: string, deadlineMs?: number): Promise<PullRunResult>;
  /** How many times each pulled item was enqueued, by item key, read from the run logs. */
  enqueuedItems(): Map<string, number>;
}

/**
 * Builds the dependencies of a pull run for tests: the configuration with the given jobs
 * (secrets hold TEST_API_KEY), a recording queue, a fake clock and a log capture.
 */
export function pullHarness(
  input: RelayConfigInput & { pulls: NonNullable<RelayConfigInput['pulls']> },
  state: PullStateStore,
): PullHarness {
  const secretNames = (input.pulls.jobs ?? []).map((job) => job.secretName);
  const config = parseConfig({
    ...input,
    local: {
      secrets: Object.fromEntries(secretNames.map((name) => [name, { apiKey: TEST_API_KEY }])),
    },
  });
  const queue = new RecordingQueue();
  const clock = new FakeClock();
  const logs = captureLogger('pull-test');
  const deps: PullDependencies = {
    config,
    secrets: new LocalSecretStore(config.local?.secrets),
    queue,
    state,
    getSource,
    logger: logs.logger,
    metrics: new InMemoryMetrics(),
    localMode: true,
    now: clock.now,
    sleep: clock.sleep,
    random: () => 0.5,
  };
  return {
    config,
    queue,
    clock,
    state,
    logs,
    deps,
    run: (jobId, deadlineMs = 60_000) =>
      runPullJob(jobId, deps, new Date(clock.now().getTime() + deadlineMs)),
    enqueuedItems() {
      const counts = new Map<string, number>();
      for (const line of logs.lines()) {
        if (line.message === 'Delivery accepted' && typeof line.item === 'string') {
          counts.set(line.item, (counts.get(line.item) ?? 0) + 1);
        }
      }
      return counts;
    },
  };
}
