import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SecOpsError } from '../../functions/secops/errors.ts';
import {
  evictIdleConnections,
  exchange,
  fetchTransport,
  keepAliveAgent,
  nodeTransport,
  type InstanceRequest,
} from '../../functions/secops/http.ts';

/** A loopback server that runs the handler the test sets, and counts connections. */
let server: Server;
let origin: string;
let handle: (request: IncomingMessage, response: ServerResponse) => void;
let connections: number;
let received: { method?: string; headers: IncomingMessage['headers']; body: string }[];

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({
        method: request.method,
        headers: request.headers,
        body: Buffer.concat(chunks).toString(),
      });
      handle(request, response);
    });
  });
  server.on('connection', () => {
    connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  connections = 0;
  received = [];
  handle = (_request, response) => {
    response.writeHead(201, { 'content-type': 'application/json', 'x-trace': 'a' });
    response.end('{"result":{"sys_id":"1"}}');
  };
});

function post(timeoutMs = 2_000): InstanceRequest {
  return {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: '{"value":"é"}',
    timeoutMs,
  };
}

describe('nodeTransport', () => {
  it('returns the status, headers and body', async () => {
    const response = await nodeTransport(new URL('/api/x?a=1', origin), post());

    expect(response.status).toBe(201);
    expect(response.headers.get('Content-Type')).toBe('application/json');
    expect(response.headers.get('x-missing')).toBeNull();
    expect(response.body).toBe('{"result":{"sys_id":"1"}}');
  });

  it('sends the method, headers and body with its length', async () => {
    await nodeTransport(new URL('/api/x', origin), post());

    expect(received[0]?.method).toBe('POST');
    expect(received[0]?.headers['content-type']).toBe('application/json');
    expect(received[0]?.headers['content-length']).toBe(String(Buffer.byteLength('{"value":"é"}')));
    expect(received[0]?.body).toBe('{"value":"é"}');
  });

  it('reuses one connection for requests in turn', async () => {
    for (let index = 0; index < 3; index++) {
      await nodeTransport(new URL('/api/x', origin), post());
    }

    // The pool may still hold a connection from an earlier test, so at most one is new.
    expect(connections).toBeLessThanOrEqual(1);
  });

  it('returns a redirect instead of following it', async () => {
    handle = (_request, response) => {
      response.writeHead(302, { location: 'http://127.0.0.1:9/elsewhere' });
      response.end();
    };
    const response = await nodeTransport(new URL('/api/x', origin), post());

    expect(response.status).toBe(302);
    expect(received).toHaveLength(1);
  });

  it('times out a server that never answers', async () => {
    handle = () => {};
    const error = await nodeTransport(new URL('/api/x', origin), post(100)).catch(
      (caught: unknown) => caught,
    );

    expect((error as Error).name).toBe('TimeoutError');
  });

  it('times out a body that stops halfway', async () => {
    handle = (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"result":');
    };
    const error = await nodeTransport(new URL('/api/x', origin), post(100)).catch(
      (caught: unknown) => caught,
    );

    expect((error as Error).name).toBe('TimeoutError');
  });

  it('names a refused connection by its code', async () => {
    const error = await nodeTransport(new URL('http://127.0.0.1:9/api/x'), post()).catch(
      (caught: unknown) => caught,
    );

    expect((error as { code?: string }).code).toBe('ECONNREFUSED');
  });

  it('rejects a URL that is not http or https', async () => {
    await expect(nodeTransport(new URL('ftp://127.0.0.1/x'), post())).rejects.toThrow(
      'must use https or http',
    );
  });
});

describe('exchange', () => {
  it('turns a timeout into a timeout error', async () => {
    handle = () => {};
    const error = await exchange(nodeTransport, new URL('/api/x', origin), post(100), 100).catch(
      (caught: unknown) => caught,
    );

    expect(error).toBeInstanceOf(SecOpsError);
    expect((error as SecOpsError).code).toBe('timeout');
  });

  it('turns a refused connection into connection_failed', async () => {
    const error = await exchange(
      nodeTransport,
      new URL('http://127.0.0.1:9/api/x'),
      post(),
      2_000,
    ).catch((caught: unknown) => caught);

    expect((error as SecOpsError).code).toBe('connection_failed');
    expect((error as SecOpsError).message).toContain('ECONNREFUSED');
  });

  it('reads the same response through fetch', async () => {
    const response = await exchange(
      fetchTransport(fetch),
      new URL('/api/x', origin),
      post(),
      2_000,
    );

    expect(response.status).toBe(201);
    expect(response.headers.get('x-trace')).toBe('a');
    expect(response.body).toBe('{"result":{"sys_id":"1"}}');
  });

  it('turns a refused fetch into connection_failed', async () => {
    const error = await exchange(
      fetchTransport(fetch),
      new URL('http://127.0.0.1:9/api/x'),
      post(),
      2_000,
    ).catch((caught: unknown) => caught);

    expect((error as SecOpsError).code).toBe('connection_failed');
  });
});

describe('evictIdleConnections', () => {
  function get(agent: Agent): Promise<void> {
    return new Promise((resolve, reject) => {
      const outgoing = httpRequest(new URL('/api/x', origin), { agent }, (response) => {
        response.resume();
        response.on('end', () => setImmediate(resolve));
      });
      outgoing.on('error', reject);
      outgoing.end();
    });
  }

  it('closes a connection idle for the limit', async () => {
    const agent = keepAliveAgent(new Agent({ keepAlive: true }));
    await get(agent);
    evictIdleConnections(agent, Date.now() + 5_000, 4_000);
    await get(agent);

    expect(connections).toBe(2);
    agent.destroy();
  });

  it('keeps a connection idle for less', async () => {
    const agent = keepAliveAgent(new Agent({ keepAlive: true }));
    await get(agent);
    evictIdleConnections(agent, Date.now() + 1_000, 4_000);
    await get(agent);

    expect(connections).toBe(1);
    agent.destroy();
  });
});
