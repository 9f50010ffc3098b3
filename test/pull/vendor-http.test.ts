import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { gzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PullError, RunInterruption } from '../../functions/pull/errors.ts';
import type { VendorRequest } from '../../functions/pull/job-type.ts';
import {
  ERROR_BODY_PREFIX_BYTES,
  VendorClient,
  type VendorClientOptions,
} from '../../functions/pull/vendor-http.ts';
import { captureLogger } from '../helpers/capture-logger.ts';
import { FakeClock } from './harness.ts';
import { startVendorServer, type VendorServer } from './vendor-server.ts';

let vendor: VendorServer;

beforeEach(async () => {
  vendor = await startVendorServer();
});
afterEach(async () => {
  await vendor.close();
});

function clientFor(clock: FakeClock, options: Partial<VendorClientOptions> = {}) {
  const logs = captureLogger('vendor-http-test');
  const client = new VendorClient({
    jobId: 'job-a',
    vendorName: 'Example Vendor',
    requestTimeoutMs: 5000,
    maxAttempts: 4,
    maxResponseBytes: 1024 * 1024,
    secrets: ['secret-key'],
    minIntervalMs: 0,
    logger: logs.logger,
    now: () => clock.now().getTime(),
    sleep: clock.sleep,
    random: () => 0.5,
    ...options,
  });
  return { client, logs };
}

const get = (base: string, path = '/feed'): VendorRequest => ({
  method: 'GET',
  url: new URL(path, base),
  headers: { 'x-api-key': 'secret-key' },
});

/** A deadline far enough away that it plays no part. */
const later = (clock: FakeClock) => clock.now().getTime() + 3_600_000;

describe('vendor client', () => {
  it('retries a 503 after a jittered backoff', async () => {
    const clock = new FakeClock();
    const { client } = clientFor(clock);
    vendor.answer((request) =>
      vendor.requests.indexOf(request) === 0 ? { status: 503 } : { json: { ok: true } },
    );

    const response = await client.send(get(vendor.url), later(clock));

    expect(response.status).toBe(200);
    expect(vendor.requests).toHaveLength(2);
    // Full jitter: half (random 0.5) of the first ceiling of 200 ms.
    expect(clock.waits).toEqual([100]);
  });

  it('reads Retry-After as an HTTP date', async () => {
    const clock = new FakeClock();
    const { client } = clientFor(clock);
    const retryAt = new Date(clock.now().getTime() + 30_000).toUTCString();
    vendor.answer((request) =>
      vendor.requests.indexOf(request) === 0
        ? { status: 429, headers: { 'retry-after': retryAt } }
        : { json: {} },
    );

    await client.send(get(vendor.url), later(clock));

    expect(clock.waits).toEqual([30_000]);
  });

  it('backs off on 429 without Retry-After', async () => {
    const clock = new FakeClock();
    const { client } = clientFor(clock);
    vendor.answer((request) =>
      vendor.requests.indexOf(request) < 2 ? { status: 429 } : { json: {} },
    );

    await client.send(get(vendor.url), later(clock));

    expect(clock.waits).toEqual([100, 200]);
  });

  it('fails after maxAttempts server errors', async () => {
    const clock = new FakeClock();
    const { client, logs } = clientFor(clock);
    vendor.answer(() => ({ status: 502, text: 'Bad Gateway' }));

    const failure = await client
      .send(get(vendor.url), later(clock))
      .catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(PullError);
    expect((failure as PullError).code).toBe('vendor_unavailable');
    expect((failure as PullError).message).toMatch(/after 4 attempts \(last: HTTP 502\)/);
    expect(vendor.requests).toHaveLength(4);
    expect(logs.lines().filter((line) => line.message === 'Vendor request retried')).toHaveLength(
      3,
    );
  });

  it('stops cleanly on a 429 that lasts every attempt', async () => {
    const clock = new FakeClock();
    const { client } = clientFor(clock, { maxAttempts: 2 });
    vendor.answer(() => ({ status: 429, headers: { 'retry-after': '1' } }));

    const failure = await client
      .send(get(vendor.url), later(clock))
      .catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(RunInterruption);
    expect((failure as RunInterruption).reason).toBe('rate_limited');
  });

  it('does not follow a redirect', async () => {
    const elsewhere = await startVendorServer(() => ({ json: {} }));
    const clock = new FakeClock();
    const { client } = clientFor(clock);
    vendor.answer(() => ({ status: 302, headers: { location: `${elsewhere.url}/steal` } }));

    const failure = await client
      .send(get(vendor.url), later(clock))
      .catch((error: unknown) => error);
    await elsewhere.close();

    expect((failure as PullError).code).toBe('vendor_redirect');
    expect((failure as PullError).message).toContain(`${elsewhere.url}/steal`);
    expect(elsewhere.requests).toHaveLength(0);
  });

  it('retries a refused connection', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const clock = new FakeClock();
    const { client } = clientFor(clock, { maxAttempts: 2 });

    const failure = await client
      .send(get(`http://127.0.0.1:${port}`), later(clock))
      .catch((error: unknown) => error);

    expect((failure as PullError).code).toBe('vendor_unavailable');
    expect((failure as PullError).message).toContain('ECONNREFUSED');
  });

  it('times out a slow response', async () => {
    const clock = new FakeClock();
    const { client } = clientFor(clock, { maxAttempts: 1, requestTimeoutMs: 200 });
    vendor.answer(() => ({ json: {}, delayMs: 2000 }));

    const failure = await client
      .send(get(vendor.url), later(clock))
      .catch((error: unknown) => error);

    expect((failure as PullError).code).toBe('vendor_unavailable');
    expect((failure as PullError).message).toContain('no response within 200 ms');
    expect((failure as PullError).message).toContain(
      `Example Vendor requests to ${vendor.url}/feed failed after 1 attempt (last:`,
    );
  });

  it('retries a corrupt gzip body and names it', async () => {
    const clock = new FakeClock();
    const { client, logs } = clientFor(clock, { maxAttempts: 2 });
    vendor.answer(() => ({
      headers: { 'content-encoding': 'gzip' },
      bytes: Buffer.from('not gzip at all'),
    }));

    const failure = await client
      .send(get(vendor.url), later(clock))
      .catch((error: unknown) => error);

    expect((failure as PullError).code).toBe('vendor_unavailable');
    expect((failure as PullError).message).toContain(
      `Example Vendor requests to ${vendor.url}/feed failed after 2 attempts (last: the body of ` +
        'the HTTP 200 response could not be decoded (the gzip data is corrupt: Z_DATA_ERROR))',
    );
    expect(vendor.requests).toHaveLength(2);
    expect(logs.lines()[0]).toMatchObject({ message: 'Vendor request retried', attempt: 1 });
  });

  it('times out a body that stalls', async () => {
    const clock = new FakeClock();
    const { client } = clientFor(clock, { maxAttempts: 1, requestTimeoutMs: 200 });
    vendor.answer(() => ({ stalledBody: '{"data": [' }));

    const failure = await client
      .send(get(vendor.url), later(clock))
      .catch((error: unknown) => error);

    expect((failure as PullError).code).toBe('vendor_unavailable');
    expect((failure as PullError).message).toContain(
      '(last: the body of the HTTP 200 response did not finish within 200 ms)',
    );
  });

  it('ends a corrupt gzip body read that hangs', async () => {
    // Node's fetch leaves this read pending after its signal aborts: the headers come first,
    // then a body that is not gzip.
    const server = createHttpServer((_request, response) => {
      response.writeHead(200, { 'content-encoding': 'gzip', 'content-length': '15' });
      response.flushHeaders();
      setTimeout(() => response.end('not gzip at all'), 20);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const clock = new FakeClock();
    const { client } = clientFor(clock, { maxAttempts: 1, requestTimeoutMs: 300 });

    const failure = await client
      .send(get(`http://127.0.0.1:${port}`), later(clock))
      .catch((error: unknown) => error);
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));

    expect((failure as PullError).code).toBe('vendor_unavailable');
    expect((failure as PullError).message).toMatch(
      /\(last: the body of the HTTP 200 response (did not finish within 300 ms|could not be decoded)/,
    );
  });

  it('keeps the minimum interval between requests', async () => {
    const clock = new FakeClock();
    const { client } = clientFor(clock, { minIntervalMs: 15_000 });
    vendor.answer(() => ({ json: {} }));

    await client.send(get(vendor.url), later(clock));
    clock.advance(4000);
    await client.send(get(vendor.url), later(clock));

    expect(clock.waits).toEqual([11_000]);
  });

  it('starts no request without time before the deadline', async () => {
    const clock = new FakeClock();
    const { client } = clientFor(clock);

    const failure = await client
      .send(get(vendor.url), clock.now().getTime() + 500)
      .catch((error: unknown) => error);

    expect((failure as RunInterruption).reason).toBe('deadline');
    expect(vendor.requests).toHaveLength(0);
  });

  it('keeps the API key out of its log lines', async () => {
    const clock = new FakeClock();
    const { client, logs } = clientFor(clock);
    vendor.answer((request) =>
      vendor.requests.indexOf(request) === 0 ? { status: 500 } : { json: {} },
    );

    await client.send(get(vendor.url, '/feed?query=term'), later(clock));

    expect(logs.text()).not.toContain('secret-key');
    expect(logs.lines()[0]).toMatchObject({ url: `${vendor.url}/feed`, problem: 'HTTP 500' });
  });
});

describe('vendor client body limit', () => {
  const LIMIT = 100_000;
  // Far more than the loopback buffers take, so the server cannot finish unless the client reads.
  const OVER = 32 * 1024 * 1024;

  async function failureOf(promise: Promise<unknown>): Promise<PullError> {
    const failure = await promise.catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(PullError);
    return failure as PullError;
  }

  it.each([
    ['with Content-Length', true, `its Content-Length is ${OVER} bytes`],
    ['chunked', false, `more than ${LIMIT} bytes arrived`],
  ])('rejects a body over the limit, %s', async (_case, declareLength, detail) => {
    const clock = new FakeClock();
    const { client } = clientFor(clock, { maxResponseBytes: LIMIT });
    vendor.answer(() => ({ stream: { bytes: OVER, declareLength } }));

    const failure = await failureOf(client.send(get(vendor.url, '/feed?q=term'), later(clock)));

    expect(failure.code).toBe('vendor_response_too_large');
    expect(failure.message).toContain(`Example Vendor returned a body larger than`);
    expect(failure.message).toContain(`pulls.maxResponseBytes (${LIMIT} bytes)`);
    expect(failure.message).toContain(`for ${vendor.url}/feed with HTTP 200`);
    expect(failure.message).not.toContain('q=term');
    expect(failure.message).toContain(detail);
    expect(failure.message).toContain('Raise pulls.maxResponseBytes');
    expect(vendor.requests).toHaveLength(1);
    expect((await vendor.streams[0])?.complete).toBe(false);
  });

  it.each([
    ['with Content-Length', true],
    ['chunked', false],
  ])('reads a body of exactly the limit, %s', async (_case, declareLength) => {
    const clock = new FakeClock();
    const { client } = clientFor(clock, { maxResponseBytes: LIMIT });
    vendor.answer(() => ({ stream: { bytes: LIMIT, declareLength } }));

    const response = await client.send(get(vendor.url), later(clock));

    expect(response.body).toHaveLength(LIMIT);
    expect((await vendor.streams[0])?.complete).toBe(true);
  });

  it('counts decompressed bytes', async () => {
    const clock = new FakeClock();
    const { client } = clientFor(clock, { maxResponseBytes: LIMIT });
    const compressed = gzipSync(Buffer.alloc(10 * LIMIT, ' '));
    vendor.answer(() => ({ headers: { 'content-encoding': 'gzip' }, bytes: compressed }));

    const failure = await failureOf(client.send(get(vendor.url), later(clock)));

    expect(compressed.length).toBeLessThan(LIMIT);
    expect(failure.code).toBe('vendor_response_too_large');
    expect(failure.message).toContain(`more than ${LIMIT} bytes arrived`);
  });

  it('reads only the start of an error body', async () => {
    const clock = new FakeClock();
    const { client } = clientFor(clock, { maxResponseBytes: LIMIT });
    vendor.answer(() => ({
      status: 400,
      stream: { bytes: OVER, declareLength: true, prefix: '{"error":"bad request"}' },
    }));

    const response = await client.send(get(vendor.url), later(clock));

    expect(response.status).toBe(400);
    expect(response.body.startsWith('{"error":"bad request"}')).toBe(true);
    expect(response.body).toHaveLength(ERROR_BODY_PREFIX_BYTES);
    expect((await vendor.streams[0])?.complete).toBe(false);
  });

  it('does not read a retried body', async () => {
    const clock = new FakeClock();
    const { client } = clientFor(clock, { maxResponseBytes: LIMIT, maxAttempts: 2 });
    vendor.answer((request) =>
      vendor.requests.indexOf(request) === 0
        ? { status: 503, stream: { bytes: OVER, declareLength: false } }
        : { json: { ok: true } },
    );

    const response = await client.send(get(vendor.url), later(clock));

    expect(response.status).toBe(200);
    expect(vendor.requests).toHaveLength(2);
    expect((await vendor.streams[0])?.complete).toBe(false);
  });
});
