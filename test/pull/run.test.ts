import { describe, expect, it } from 'vitest';
import { CheckpointError } from '../../functions/checkpoints/checkpoint.ts';
import { PullError } from '../../functions/pull/errors.ts';
import { usePullEnvironment, type JobInput } from './environment.ts';
import { otxPulse, threatFoxAnswer, threatFoxIoc } from './fixtures.ts';
import { TEST_API_KEY, type PullHarness } from './harness.ts';

const env = usePullEnvironment();

const harnessFor = (jobs: JobInput[]): Promise<PullHarness> => env.harness(jobs);

function threatFoxJob(extra: Record<string, unknown> = {}) {
  return {
    id: 'threatfox-recent',
    source: 'threatfox' as const,
    secretName: 'pull/threatfox',
    api: { baseUrl: env.vendor.url },
    ...extra,
  };
}

/** Makes the fake vendor serve these IOCs from now on. */
function serveIocs(iocs: ReturnType<typeof threatFoxIoc>[]): void {
  env.vendor.answer(() => ({ json: threatFoxAnswer(iocs) }));
}

describe('pull run', () => {
  it('enqueues each item once over three runs while the data changes', async () => {
    const h = await harnessFor([threatFoxJob()]);
    const iocs = [
      threatFoxIoc(1, '2026-12-01 10:00:00 UTC'),
      threatFoxIoc(2, '2026-12-01 11:00:00 UTC'),
    ];
    serveIocs(iocs);

    const first = await h.run('threatfox-recent');

    h.clock.advance(3_600_000);
    // Two IOCs in the same second, and the earlier ones still listed: get_iocs lists whole days.
    iocs.push(
      threatFoxIoc(3, '2026-12-01 12:30:00 UTC'),
      threatFoxIoc(4, '2026-12-01 12:30:00 UTC'),
    );
    serveIocs(iocs);
    const second = await h.run('threatfox-recent');

    h.clock.advance(3_600_000);
    // A late IOC dated at the watermark itself, and a newer one.
    iocs.push(
      threatFoxIoc(5, '2026-12-01 12:30:00 UTC'),
      threatFoxIoc(6, '2026-12-01 13:15:00 UTC'),
    );
    serveIocs(iocs);
    const third = await h.run('threatfox-recent');

    expect([first.queued, second.queued, third.queued]).toEqual([2, 2, 2]);
    expect(third.outcome).toBe('completed');
    expect(h.enqueuedItems()).toEqual(
      new Map([1, 2, 3, 4, 5, 6].map((id) => [`threatfox:${id}`, 1])),
    );
    expect(h.queue.deliveryIds().size).toBe(6);
    const checkpoint = await h.state.read('threatfox-recent');
    expect(checkpoint?.watermark).toBe('2026-12-01T13:15:00.000Z');
    expect(checkpoint?.boundaryKeys).toEqual(['threatfox:6']);
    expect(checkpoint?.version).toBe(3);
  });

  it('stores an item key that echoes the API key redacted', async () => {
    const h = await harnessFor([threatFoxJob()]);
    const echoed = { ...threatFoxIoc(1, '2026-12-01 10:00:00 UTC'), id: TEST_API_KEY };
    serveIocs([echoed]);

    await h.run('threatfox-recent');
    h.clock.advance(3_600_000);
    const again = await h.run('threatfox-recent');

    const checkpoint = await h.state.read('threatfox-recent');
    expect(checkpoint?.boundaryKeys).toEqual(['threatfox:[redacted]']);
    expect(h.enqueuedItems()).toEqual(new Map([['threatfox:[redacted]', 1]]));
    expect(again.queued).toBe(0);
    expect(h.logs.text()).not.toContain(TEST_API_KEY);
  });

  it('sends the documented ThreatFox request', async () => {
    const h = await harnessFor([threatFoxJob({ lookbackHours: 30 })]);
    serveIocs([]);

    await h.run('threatfox-recent');

    const [request] = env.vendor.requests;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/api/v1/');
    expect(request?.headers['auth-key']).toBe(TEST_API_KEY);
    expect(JSON.parse(request?.body ?? '')).toEqual({ query: 'get_iocs', days: 2 });
  });

  it('leaves the checkpoint after a failure and sends the rest next run', async () => {
    const h = await harnessFor([threatFoxJob()]);
    const iocs = [threatFoxIoc(1, '2026-12-01 09:00:00 UTC')];
    serveIocs(iocs);
    await h.run('threatfox-recent');
    const before = await h.state.read('threatfox-recent');

    h.clock.advance(600_000);
    for (let id = 2; id <= 6; id++) iocs.push(threatFoxIoc(id, `2026-12-01 10:0${id}:00 UTC`));
    serveIocs(iocs);
    h.queue.failAfter(2);

    const failure = await h.run('threatfox-recent').catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(PullError);
    expect((failure as PullError).code).toBe('queue_unavailable');
    const after = await h.state.read('threatfox-recent');
    expect(after).toEqual(before);
    const failedLine = h.logs.lines().find((line) => line.message === 'Pull run failed');
    expect(failedLine?.code).toBe('queue_unavailable');

    h.queue.heal();
    const retry = await h.run('threatfox-recent');

    expect(retry.outcome).toBe('completed');
    expect(retry.duplicates).toBe(2);
    expect(retry.queued).toBe(3);
    expect(h.enqueuedItems()).toEqual(
      new Map([1, 2, 3, 4, 5, 6].map((id) => [`threatfox:${id}`, 1])),
    );
    expect((await h.state.read('threatfox-recent'))?.watermark).toBe('2026-12-01T10:06:00.000Z');
  });

  it('loses nothing during a vendor outage', async () => {
    const h = await harnessFor([threatFoxJob()]);
    serveIocs([threatFoxIoc(1, '2026-12-01 09:00:00 UTC')]);
    await h.run('threatfox-recent');
    const before = await h.state.read('threatfox-recent');
    h.clock.advance(3_600_000);
    env.vendor.answer(() => ({ status: 503, text: 'Service Unavailable' }));

    const failure = await h.run('threatfox-recent').catch((error: unknown) => error);

    expect((failure as PullError).code).toBe('vendor_unavailable');
    expect(await h.state.read('threatfox-recent')).toEqual(before);
    const logged = h.logs.lines().find((line) => line.message === 'Pull run failed');
    expect(logged).toMatchObject({ level: 'ERROR', code: 'vendor_unavailable' });

    h.clock.advance(3_600_000);
    serveIocs([
      threatFoxIoc(1, '2026-12-01 09:00:00 UTC'),
      threatFoxIoc(2, '2026-12-01 10:30:00 UTC'),
      threatFoxIoc(3, '2026-12-01 11:30:00 UTC'),
    ]);
    const recovered = await h.run('threatfox-recent');

    expect(recovered).toMatchObject({ outcome: 'completed', queued: 2 });
    expect(h.enqueuedItems()).toEqual(new Map([1, 2, 3].map((id) => [`threatfox:${id}`, 1])));
  });

  it('fails on an oversized body, keeping the checkpoint', async () => {
    const h = await env.harness([threatFoxJob()], undefined, { maxResponseBytes: 65_536 });
    serveIocs([threatFoxIoc(1, '2026-12-01 09:00:00 UTC')]);
    await h.run('threatfox-recent');
    const before = await h.state.read('threatfox-recent');
    h.clock.advance(3_600_000);
    env.vendor.answer(() => ({ stream: { bytes: 32 * 1024 * 1024, declareLength: false } }));

    const failure = await h.run('threatfox-recent').catch((error: unknown) => error);

    expect((failure as PullError).code).toBe('vendor_response_too_large');
    expect(await h.state.read('threatfox-recent')).toEqual(before);
    const logged = h.logs.lines().find((line) => line.message === 'Pull run failed');
    expect(logged).toMatchObject({
      level: 'ERROR',
      job: 'threatfox-recent',
      code: 'vendor_response_too_large',
    });
    expect((await env.vendor.streams[0])?.complete).toBe(false);

    serveIocs([
      threatFoxIoc(1, '2026-12-01 09:00:00 UTC'),
      threatFoxIoc(2, '2026-12-01 10:30:00 UTC'),
    ]);
    const recovered = await h.run('threatfox-recent');

    expect(recovered).toMatchObject({ outcome: 'completed', queued: 1 });
  });

  it('lets only one of two overlapping runs work', async () => {
    const h = await harnessFor([threatFoxJob()]);
    const answer = threatFoxAnswer([threatFoxIoc(1, '2026-12-01 10:00:00 UTC')]);
    env.vendor.answer(() => ({ json: answer, delayMs: 300 }));

    const first = h.run('threatfox-recent');
    while (env.vendor.requests.length === 0)
      await new Promise((resolve) => setTimeout(resolve, 10));
    const second = await h.run('threatfox-recent');
    const firstResult = await first;

    expect(second.outcome).toBe('skipped');
    expect(second.stopReason).toBe('run_in_progress');
    expect(firstResult.outcome).toBe('completed');
    expect(env.vendor.requests).toHaveLength(1);
    expect(h.enqueuedItems()).toEqual(new Map([['threatfox:1', 1]]));
    expect((await h.state.read('threatfox-recent'))?.version).toBe(1);
  });

  it('refuses the save of a run whose lease passed to another run', async () => {
    const h = await harnessFor([threatFoxJob()]);
    const answer = threatFoxAnswer([threatFoxIoc(1, '2026-12-01 10:00:00 UTC')]);
    let takeover: Promise<unknown> | undefined;
    env.vendor.answer(async () => {
      if (takeover === undefined) {
        // The first run stalls past its lease; a later run takes the job over and finishes.
        h.clock.advance(10 * 60_000);
        takeover = h.run('threatfox-recent');
        await takeover;
      }
      return { json: answer };
    });

    const stalled = await h.run('threatfox-recent').catch((error: unknown) => error);

    expect(stalled).toBeInstanceOf(CheckpointError);
    expect((stalled as CheckpointError).code).toBe('checkpoint_conflict');
    expect(await takeover).toMatchObject({ outcome: 'completed', queued: 1 });
    expect((await h.state.read('threatfox-recent'))?.version).toBe(1);
    expect(h.enqueuedItems()).toEqual(new Map([['threatfox:1', 1]]));
  });

  it('rejects a checkpoint in the future and logs why', async () => {
    const h = await harnessFor([threatFoxJob()]);
    const now = h.clock.now();
    await h.state.acquire('threatfox-recent', 'setup', new Date(now.getTime() + 1000), now);
    await h.state.save(
      'threatfox-recent',
      'setup',
      0,
      { watermark: '2027-01-01T00:00:00.000Z', boundaryKeys: [] },
      now,
    );

    const failure = await h.run('threatfox-recent').catch((error: unknown) => error);

    expect((failure as PullError).code).toBe('checkpoint_in_future');
    expect((failure as PullError).message).toMatch(/watermark 2027-01-01T00:00:00.000Z/);
    expect(env.vendor.requests).toHaveLength(0);
    const logged = h.logs.lines().find((line) => line.message === 'Pull run failed');
    expect(logged).toMatchObject({
      level: 'ERROR',
      code: 'checkpoint_in_future',
      job: 'threatfox-recent',
    });
    // The lease was released, so a corrected checkpoint can be used at once.
    await expect(
      h.state.acquire('threatfox-recent', 'next', new Date(now.getTime() + 1000), now),
    ).resolves.toBeDefined();
  });

  it('waits as long as Retry-After says on 429', async () => {
    const h = await harnessFor([threatFoxJob()]);
    const answer = threatFoxAnswer([threatFoxIoc(1, '2026-12-01 10:00:00 UTC')]);
    env.vendor.answer((request) =>
      env.vendor.requests.indexOf(request) === 0
        ? { status: 429, headers: { 'retry-after': '7' }, json: { query_status: 'rate_limited' } }
        : { json: answer },
    );

    const result = await h.run('threatfox-recent');

    expect(result.outcome).toBe('completed');
    expect(env.vendor.requests).toHaveLength(2);
    expect(h.clock.waits).toEqual([7000]);
    const retried = h.logs.lines().find((line) => line.message === 'Vendor request retried');
    expect(retried).toMatchObject({ retryAfterMs: 7000, problem: 'HTTP 429', attempt: 1 });
  });

  it('stops cleanly when Retry-After outlasts the run and resumes', async () => {
    const h = await harnessFor([threatFoxJob()]);
    const answer = threatFoxAnswer([threatFoxIoc(1, '2026-12-01 10:00:00 UTC')]);
    env.vendor.answer(() => ({ status: 429, headers: { 'retry-after': '3600' } }));

    const limited = await h.run('threatfox-recent', 60_000);

    expect(limited).toMatchObject({ outcome: 'stopped', stopReason: 'rate_limited', queued: 0 });
    expect(h.clock.waits).toEqual([]);
    const saved = await h.state.read('threatfox-recent');
    expect(saved?.watermark).toBeUndefined();
    expect(saved?.traversal?.since).toBe('2026-11-30T12:00:00.000Z');

    h.clock.advance(3_600_000);
    env.vendor.answer(() => ({ json: answer }));
    const resumed = await h.run('threatfox-recent');

    expect(resumed).toMatchObject({ outcome: 'completed', queued: 1 });
    expect((await h.state.read('threatfox-recent'))?.watermark).toBe('2026-12-01T10:00:00.000Z');
  });

  it('stops at maxItemsPerRun and goes on next run', async () => {
    const h = await harnessFor([threatFoxJob({ maxItemsPerRun: 2 })]);
    serveIocs([1, 2, 3, 4, 5].map((id) => threatFoxIoc(id, `2026-12-01 0${id}:00:00 UTC`)));

    const runs = [];
    for (let index = 0; index < 3; index++) runs.push(await h.run('threatfox-recent'));

    expect(runs.map((run) => [run.outcome, run.queued])).toEqual([
      ['stopped', 2],
      ['stopped', 2],
      ['completed', 1],
    ]);
    expect(runs[0]?.watermark).toBeUndefined();
    expect(h.enqueuedItems()).toEqual(new Map([1, 2, 3, 4, 5].map((id) => [`threatfox:${id}`, 1])));
    expect((await h.state.read('threatfox-recent'))?.watermark).toBe('2026-12-01T05:00:00.000Z');
  });

  it('stops before its deadline and resumes at the same page', async () => {
    const h = await harnessFor([
      {
        id: 'otx-pulses',
        source: 'otx',
        secretName: 'pull/otx',
        pageSize: 1,
        api: { baseUrl: env.vendor.url },
      },
    ]);
    const pulses = [
      otxPulse('p3', '2026-12-01T11:00:00.000000', [['domain', 'c2-three.example.com']]),
      otxPulse('p2', '2026-12-01T10:00:00.000000', [['domain', 'c2-two.example.com']]),
      otxPulse('p1', '2026-12-01T09:00:00.000000', [['IPv4', '198.51.100.23']]),
    ];
    env.vendor.answer((request) => {
      // Every response takes 30 s on the run's clock.
      h.clock.advance(30_000);
      const page = Number(new URL(request.url, env.vendor.url).searchParams.get('page'));
      return {
        json: {
          count: pulses.length,
          next:
            page < pulses.length
              ? `https://otx.alienvault.com/api/v1/pulses/subscribed?page=${page + 1}`
              : null,
          previous: null,
          results: [pulses[page - 1]],
        },
      };
    });

    const first = await h.run('otx-pulses', 60_000);

    expect(first).toMatchObject({
      outcome: 'stopped',
      stopReason: 'deadline',
      pages: 2,
      queued: 1,
    });
    expect((await h.state.read('otx-pulses'))?.traversal?.cursor).toBe('2');

    const second = await h.run('otx-pulses', 600_000);

    expect(second).toMatchObject({ outcome: 'completed', queued: 2, pages: 2 });
    const pagesRead = env.vendor.requests.map(
      (request) => new URL(request.url, env.vendor.url).searchParams,
    );
    expect(pagesRead.map((query) => query.get('page'))).toEqual(['1', '2', '2', '3']);
    expect(new Set(pagesRead.map((query) => query.get('modified_since')))).toEqual(
      new Set(['2026-11-30T12:00:00.000Z']),
    );
    expect(env.vendor.requests[0]?.headers['x-otx-api-key']).toBe(TEST_API_KEY);
    expect([...h.enqueuedItems().values()]).toEqual([1, 1, 1]);
    expect((await h.state.read('otx-pulses'))?.watermark).toBe('2026-12-01T11:00:00.000Z');
  });
});
