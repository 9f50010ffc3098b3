import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InMemoryPullState } from '../../functions/checkpoints/in-memory.ts';
import { createPullHandler } from '../../functions/pull/lambda.ts';
import type { PullRunResult } from '../../functions/pull/run.ts';
import { localContext } from '../../local/lambda-context.ts';
import { threatFoxAnswer, threatFoxIoc } from './fixtures.ts';
import { pullHarness } from './harness.ts';
import { startVendorServer, type VendorServer } from './vendor-server.ts';

let vendor: VendorServer;
beforeEach(async () => {
  vendor = await startVendorServer();
});
afterEach(async () => {
  await vendor.close();
});

function handlerFor() {
  const h = pullHarness(
    {
      pulls: {
        jobs: [{ id: 'tf', source: 'threatfox', secretName: 's/tf', api: { baseUrl: vendor.url } }],
      },
    },
    new InMemoryPullState(),
  );
  return { h, handler: createPullHandler(h.logs.logger, () => h.deps) };
}

describe('pull handler', () => {
  it('runs the job a schedule names', async () => {
    const { h, handler } = handlerFor();
    vendor.answer(() => ({ json: threatFoxAnswer([threatFoxIoc(1, '2026-12-01 10:00:00 UTC')]) }));

    const result = (await handler(
      { jobId: 'tf' },
      localContext('secops-relay-pull', 300_000),
    )) as PullRunResult;

    expect(result).toMatchObject({ jobId: 'tf', outcome: 'completed', queued: 1 });
    expect(h.logs.lines().find((line) => line.message === 'Pull run completed')).toHaveProperty(
      'function_name',
      'secops-relay-pull',
    );
  });

  it('stops a run before the function times out', async () => {
    const { h, handler } = handlerFor();
    // The vendor's response takes 50 s on the run's clock, past a 60 s function's deadline.
    vendor.answer(() => {
      h.clock.advance(50_000);
      return { json: threatFoxAnswer([threatFoxIoc(1, '2026-12-01 10:00:00 UTC')]) };
    });

    const result = (await handler(
      { jobId: 'tf' },
      localContext('secops-relay-pull', 60_000),
    )) as PullRunResult;

    expect(result).toMatchObject({ outcome: 'stopped', stopReason: 'deadline', queued: 0 });
    expect((await h.state.read('tf'))?.traversal).toBeDefined();
  });

  it('throws on a failed run, so the invocation counts as an error', async () => {
    const { handler } = handlerFor();
    vendor.answer(() => ({ status: 503 }));

    await expect(
      handler({ jobId: 'tf' }, localContext('secops-relay-pull', 300_000)),
    ).rejects.toMatchObject({
      code: 'vendor_unavailable',
    });
  });

  it('rejects an event without a job id', async () => {
    const { handler } = handlerFor();

    await expect(
      handler({ job: 'tf' }, localContext('secops-relay-pull', 300_000)),
    ).rejects.toThrow(/expects \{"jobId": "<job id>"\}/);
  });
});
