import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  CircuitBreaker,
  CircuitOpenError,
  guardTransport,
  type CircuitStateChange,
} from '../../functions/secops/circuit-breaker.ts';
import { nodeTransport, type Transport } from '../../functions/secops/http.ts';

/** A loopback server that responds to each request with the next scripted status, then 201. */
let server: Server;
let url: string;
let script: { status: number; headers?: Record<string, string>; body?: string }[];
let received: number;

beforeAll(async () => {
  server = createServer((_request, response) => {
    received += 1;
    const next = script.shift() ?? { status: 201, body: '{"status":"success"}' };
    response.writeHead(next.status, { 'content-type': 'application/json', ...next.headers });
    response.end(next.body ?? '{"status":"failure"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/x`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
});

let clock: number;
let changes: CircuitStateChange[];
let breaker: CircuitBreaker;
let guarded: Transport;

beforeEach(() => {
  script = [];
  received = 0;
  clock = 1_000_000;
  changes = [];
  breaker = new CircuitBreaker({
    failureThreshold: 3,
    coolDownMs: 1_000,
    maxCoolDownMs: 3_000,
    now: () => clock,
    onStateChange: (change) => changes.push(change),
  });
  guarded = guardTransport(nodeTransport, breaker, () => clock);
});

function post() {
  return { method: 'POST' as const, headers: {}, body: '{}', timeoutMs: 5_000 };
}

async function send(): Promise<number | 'refused'> {
  try {
    const response = await guarded(new URL(url), post());
    return response.status;
  } catch (error) {
    if (error instanceof CircuitOpenError) return 'refused';
    throw error;
  }
}

/** Returns the CircuitOpenError the breaker throws for a request now. */
function rejection(): CircuitOpenError {
  try {
    breaker.acquire().neutral();
  } catch (error) {
    if (error instanceof CircuitOpenError) return error;
    throw error;
  }
  throw new Error('expected the breaker to reject the request, but it let it through');
}

describe('circuit breaker', () => {
  it('opens after consecutive failures and sends nothing while open', async () => {
    script = [{ status: 503 }, { status: 502 }, { status: 429, headers: { 'retry-after': '0' } }];
    expect([await send(), await send(), await send()]).toEqual([503, 502, 429]);
    expect(breaker.state).toBe('open');

    expect(await send()).toBe('refused');
    expect(await send()).toBe('refused');
    expect(received).toBe(3);
    expect(breaker.refused).toBe(2);
  });

  it('closes after a successful probe', async () => {
    script = [{ status: 500 }, { status: 500 }, { status: 500 }];
    for (let index = 0; index < 3; index++) await send();
    clock += 1_000;

    expect(breaker.state).toBe('half_open');
    expect(await send()).toBe(201);
    expect(breaker.state).toBe('closed');
    expect(changes.map((change) => change.to)).toEqual(['open', 'half_open', 'closed']);
  });

  it('lets one probe through at a time', async () => {
    breaker.trip('test');
    clock += 1_000;
    const permit = breaker.acquire();
    expect(() => breaker.acquire()).toThrow(CircuitOpenError);
    permit.success();
    expect(breaker.state).toBe('closed');
  });

  it('names the cause of an open circuit', async () => {
    script = Array.from({ length: 4 }, () => ({ status: 503 }));
    for (let index = 0; index < 3; index++) await send();

    const afterFailures = rejection();
    expect(afterFailures.state).toBe('open');
    expect(afterFailures.message).toContain('open because 3 requests in a row failed');
    expect(afterFailures.message).toContain('The next probe may go out in 1000 ms');

    clock += 1_000;
    expect(await send()).toBe(503);
    const afterProbe = rejection();
    expect(afterProbe.message).toContain('open because its last probe failed');
    expect(afterProbe.message).toContain('The next probe may go out in 2000 ms');
  });

  it('names the reason of a trip', () => {
    breaker.trip('unauthorized');
    expect(rejection().message).toContain('open because it was tripped (unauthorized)');
  });

  it('says a running probe decides', () => {
    breaker.trip('test');
    clock += 1_000;
    breaker.acquire();

    const error = rejection();
    expect(error.state).toBe('half_open');
    expect(error.message).toContain('half open and its probe request has no response yet');
    expect(error.message).toContain('Requests resume when the probe succeeds');
    expect(error.message).not.toContain('The next probe may go out');
  });

  it('doubles the cool-down after a failed probe, up to the maximum', async () => {
    script = Array.from({ length: 6 }, () => ({ status: 503 }));
    for (let index = 0; index < 3; index++) await send();
    clock += 1_000;
    expect(await send()).toBe(503);
    expect(changes.at(-1)).toMatchObject({ to: 'open', reason: 'probe_failed', openForMs: 2_000 });

    clock += 2_000;
    expect(await send()).toBe(503);
    expect(changes.at(-1)).toMatchObject({ to: 'open', openForMs: 3_000 });
    clock += 2_999;
    expect(await send()).toBe('refused');
  });

  it('waits at least the Retry-After of a 429', async () => {
    script = [{ status: 429, headers: { 'retry-after': '2' } }];
    breaker = new CircuitBreaker({
      failureThreshold: 1,
      coolDownMs: 500,
      maxCoolDownMs: 10_000,
      now: () => clock,
    });
    guarded = guardTransport(nodeTransport, breaker, () => clock);
    await send();
    clock += 1_999;
    expect(await send()).toBe('refused');
    clock += 1;
    expect(await send()).toBe(201);
  });

  it.each([
    ['a hibernation page', 'text/html', '<html>hibernating</html>'],
    ['a plain-text 2xx page', 'text/plain', 'Instance is waking up'],
  ])('counts %s as a failure', async (_page, contentType, body) => {
    script = Array.from({ length: 3 }, () => ({
      status: 200,
      headers: { 'content-type': contentType },
      body,
    }));
    for (let index = 0; index < 3; index++) await send();
    expect(breaker.state).toBe('open');
  });

  it('counts JSON under a plain-text type as a success', async () => {
    script = [
      { status: 503 },
      { status: 503 },
      {
        status: 201,
        headers: { 'content-type': 'text/plain' },
        body: JSON.stringify({ result: { sys_id: 'a'.repeat(32) } }),
      },
      { status: 503 },
      { status: 503 },
    ];
    for (let index = 0; index < 5; index++) await send();
    expect(breaker.state).toBe('closed');
  });

  it('counts a 401 as neither success nor failure', async () => {
    script = [{ status: 503 }, { status: 503 }, { status: 401 }, { status: 503 }];
    for (let index = 0; index < 4; index++) await send();
    expect(breaker.state).toBe('open');
  });

  it('resets the count after a success', async () => {
    script = [{ status: 503 }, { status: 503 }, { status: 201 }, { status: 503 }, { status: 503 }];
    for (let index = 0; index < 5; index++) await send();
    expect(breaker.state).toBe('closed');
  });

  it('counts a refused connection as a failure', async () => {
    const closed = guardTransport(nodeTransport, breaker, () => clock);
    for (let index = 0; index < 3; index++) {
      await expect(closed(new URL('http://127.0.0.1:9/api/x'), post())).rejects.toMatchObject({
        code: 'ECONNREFUSED',
      });
    }
    expect(breaker.state).toBe('open');
  });
});
