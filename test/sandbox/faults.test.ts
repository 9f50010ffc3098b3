import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidFaultError, type Sandbox, type SandboxFaultInput } from '../../sandbox/server.ts';
import {
  call,
  CLIENT,
  postRecord,
  requestToken,
  startTestSandbox,
  THREAT_LOOKUP,
} from './helpers.ts';

const LOOKUP_TABLE = 'sn_ti_lookup_result';

describe('sandbox faults', () => {
  let sandbox: Sandbox;

  beforeEach(async () => {
    ({ sandbox } = await startTestSandbox());
  });

  afterEach(async () => {
    await sandbox.close();
  });

  const post = () => postRecord(sandbox, 'threat_lookup_result', THREAT_LOOKUP);

  describe('modes', () => {
    it('rate_limit answers 429 with Retry-After', async () => {
      sandbox.faults.set({ mode: 'rate_limit', retryAfterSeconds: 2 });

      const result = await post();

      expect(result.status).toBe(429);
      expect(result.headers.get('retry-after')).toBe('2');
      expect(Number(result.headers.get('x-ratelimit-reset'))).toBeGreaterThan(0);
      expect(result.json.status).toBe('failure');
      expect(result.json.error.message).toBe('Rate limit exceeded');
      expect(sandbox.records(LOOKUP_TABLE)).toHaveLength(0);
    });

    it.each([500, 502, 503, 504] as const)('server_error answers %i', async (status) => {
      sandbox.faults.set({ mode: 'server_error', status });

      const result = await post();

      expect(result.status).toBe(status);
      expect(result.json.status).toBe('failure');
      expect(sandbox.records(LOOKUP_TABLE)).toHaveLength(0);
    });

    it('slow answers normally after the delay', async () => {
      sandbox.faults.set({ mode: 'slow', delayMs: 300 });
      const startedAt = performance.now();

      const result = await post();

      // A lower bound only: the response must not arrive before the delay.
      expect(performance.now() - startedAt).toBeGreaterThanOrEqual(290);
      expect(result.status).toBe(201);
      expect(sandbox.records(LOOKUP_TABLE)).toHaveLength(1);
    });

    it('slow lets a client deadline expire first', async () => {
      sandbox.faults.set({ mode: 'slow', delayMs: 5_000 });

      const attempt = postRecord(sandbox, 'threat_lookup_result', THREAT_LOOKUP, {
        signal: AbortSignal.timeout(100),
      });

      await expect(attempt).rejects.toThrow();
    });

    it('reset destroys the connection without answering', async () => {
      sandbox.faults.set({ mode: 'reset' });

      await expect(post()).rejects.toThrow(TypeError);
      expect(sandbox.records(LOOKUP_TABLE)).toHaveLength(0);
      expect(sandbox.requests()[0]?.status).toBeNull();
      expect(sandbox.requests()[0]?.fault).toBe('reset');
    });

    it('html answers 200 with the hibernation page', async () => {
      sandbox.faults.set({ mode: 'html' });

      const result = await post();

      expect(result.status).toBe(200);
      expect(result.headers.get('content-type')).toMatch(/^text\/html/);
      expect(result.text).toContain('Your instance is hibernating');
      expect(result.json).toBeUndefined();
      expect(sandbox.records(LOOKUP_TABLE)).toHaveLength(0);
    });

    it('persist_failure raises Unable to persist record', async () => {
      sandbox.faults.set({ mode: 'persist_failure' });

      const result = await post();

      expect(result.status).toBe(500);
      expect(result.json.error.message).toBe('Unable to persist record');
      expect(sandbox.records(LOOKUP_TABLE)).toHaveLength(0);
    });

    it('persist_failure leaves validation errors first', async () => {
      sandbox.faults.set({ mode: 'persist_failure' });

      const result = await postRecord(sandbox, 'threat_lookup_result', { observable: 'x' });

      expect(result.status).toBe(400);
    });

    it('unknown_error raises Unknown error', async () => {
      sandbox.faults.set({ mode: 'unknown_error' });

      const result = await post();

      expect(result.status).toBe(500);
      expect(result.json).toMatchObject({ status: 'failure', error: { message: 'Unknown error' } });
      expect(sandbox.records(LOOKUP_TABLE)).toHaveLength(0);
    });

    it('answers before authentication', async () => {
      sandbox.faults.set({ mode: 'rate_limit', retryAfterSeconds: 1 });

      const result = await postRecord(sandbox, 'threat_lookup_result', THREAT_LOOKUP, {
        authorization: null,
      });

      expect(result.status).toBe(429);
    });
  });

  describe('count', () => {
    it('applies to the next count requests only', async () => {
      sandbox.faults.set({ mode: 'server_error', status: 503, count: 2 });

      const statuses = [];
      for (let attempt = 0; attempt < 3; attempt += 1) statuses.push((await post()).status);

      expect(statuses).toEqual([503, 503, 201]);
      expect(sandbox.faults.current()).toBeUndefined();
    });

    it('reports the remaining count', async () => {
      sandbox.faults.set({ mode: 'html', count: 3 });
      await post();

      expect(sandbox.faults.current()).toEqual({ fault: { mode: 'html', count: 3 }, remaining: 2 });
    });

    it('applies until cleared without a count', async () => {
      sandbox.faults.set({ mode: 'unknown_error' });

      const faulted = [await post(), await post(), await post()];
      sandbox.faults.clear();
      const cleared = await post();

      expect(faulted.map((result) => result.status)).toEqual([500, 500, 500]);
      expect(cleared.status).toBe(201);
    });

    it('is not consumed by OAuth requests', async () => {
      sandbox.faults.set({ mode: 'server_error', status: 500, count: 1 });

      const token = await requestToken(sandbox, { grant_type: 'client_credentials', ...CLIENT });

      expect(token.status).toBe(200);
      expect((await post()).status).toBe(500);
    });

    it('lets a new fault replace the current one', async () => {
      sandbox.faults.set({ mode: 'html' });
      sandbox.faults.set({ mode: 'server_error', status: 502 });

      expect((await post()).status).toBe(502);
    });
  });

  describe('in-process validation', () => {
    it.each([
      [{ mode: 'rate_limit', retryAfterSeconds: -1 }, 'retryAfterSeconds'],
      [{ mode: 'server_error', status: 404 }, 'status'],
      [{ mode: 'slow', delayMs: 1.5 }, 'delayMs'],
      [{ mode: 'reset', count: 0 }, 'count'],
      [{ mode: 'teapot' }, 'mode'],
    ])('rejects %j naming %s', (fault, field) => {
      const set = () => sandbox.faults.set(fault as SandboxFaultInput);

      expect(set).toThrow(InvalidFaultError);
      expect(set).toThrow(field);
    });

    it('applies defaults', () => {
      expect(sandbox.faults.set({ mode: 'server_error' })).toEqual({
        mode: 'server_error',
        status: 503,
      });
      expect(sandbox.faults.set({ mode: 'rate_limit' })).toEqual({
        mode: 'rate_limit',
        retryAfterSeconds: 1,
      });
      expect(sandbox.faults.set({ mode: 'slow' })).toEqual({ mode: 'slow', delayMs: 3000 });
    });
  });

  describe('HTTP endpoints', () => {
    const control = (method: string, body?: unknown) =>
      call(sandbox, '/sandbox/faults', { method, body, authorization: null });

    it('sets, reads and clears a fault', async () => {
      const set = await control('POST', { mode: 'rate_limit', retryAfterSeconds: 2, count: 1 });
      const read = await control('GET');
      const faulted = await post();
      const afterCount = await control('GET');
      await control('POST', { mode: 'html' });
      const cleared = await control('DELETE');
      const healthy = await post();

      expect(set.status).toBe(200);
      expect(set.json.fault).toEqual({
        fault: { mode: 'rate_limit', retryAfterSeconds: 2, count: 1 },
        remaining: 1,
      });
      expect(read.json).toEqual(set.json);
      expect(faulted.status).toBe(429);
      expect(afterCount.json).toEqual({ fault: null });
      expect(cleared.json).toEqual({ fault: null });
      expect(healthy.status).toBe(201);
    });

    it.each([
      [
        'a string where a number belongs',
        { mode: 'rate_limit', retryAfterSeconds: '2' },
        'retryAfterSeconds',
      ],
      ['an unknown mode', { mode: 'teapot' }, 'mode'],
      ['an unknown field', { mode: 'html', delayMs: 5 }, 'delayMs'],
      ['an unsupported status', { mode: 'server_error', status: 418 }, 'status'],
      ['a missing mode', { count: 1 }, 'mode'],
    ])('answers 400 for %s, naming the field', async (_case, body, field) => {
      const result = await control('POST', body);

      expect(result.status).toBe(400);
      expect(result.json.error.message).toBe('Invalid fault');
      expect(result.json.error.detail).toContain(field);
      expect(sandbox.faults.current()).toBeUndefined();
    });

    it('answers 400 for a body that is not JSON', async () => {
      const result = await control('POST', 'mode=html');

      expect(result.status).toBe(400);
      expect(result.json.error.detail).toContain('not valid JSON');
    });

    it('answers 405 to PUT', async () => {
      const result = await control('PUT', { mode: 'html' });

      expect(result.status).toBe(405);
    });
  });

  it('close ends a request held by a slow fault', async () => {
    sandbox.faults.set({ mode: 'slow', delayMs: 60_000 });
    const pending = post().then(
      (result) => result.status,
      (error: unknown) => error,
    );
    await waitFor(() => sandbox.requests().length === 1);

    await sandbox.close();

    expect(await pending).toBeInstanceOf(TypeError);
    expect(sandbox.records(LOOKUP_TABLE)).toHaveLength(0);
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let attempt = 0; attempt < 200 && !condition(); attempt += 1) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  expect(condition()).toBe(true);
}
