import { Agent, request as httpRequest } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { beforeEach, describe, expect, it } from 'vitest';
import { SecOpsError } from '../../functions/secops/errors.ts';
import {
  evictIdleConnections,
  exchange,
  fetchTransport,
  keepAliveAgent,
  nodeTransport,
  requestTarget,
  type InstanceRequest,
} from '../../functions/secops/http.ts';
import { useRecordingServer } from './recording-server.ts';

const server = useRecordingServer();

// The tests below rely on the default handler that `reset` restores: a 201 with the body
// {"result":{"sys_id":"1"}} and an x-trace: a header.
beforeEach(() => {
  server.reset();
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
    const response = await nodeTransport(new URL('/api/x?a=1', server.origin), post());

    expect(response.status).toBe(201);
    expect(response.headers.get('Content-Type')).toBe('application/json');
    expect(response.headers.get('x-missing')).toBeNull();
    expect(response.body).toBe('{"result":{"sys_id":"1"}}');
  });

  it('sends the method, headers and body with its length', async () => {
    await nodeTransport(new URL('/api/x', server.origin), post());

    expect(server.received[0]?.method).toBe('POST');
    expect(server.received[0]?.headers['content-type']).toBe('application/json');
    expect(server.received[0]?.headers['content-length']).toBe(
      String(Buffer.byteLength('{"value":"é"}')),
    );
    expect(server.received[0]?.body).toBe('{"value":"é"}');
  });

  it('sends the path, query and host of the URL', async () => {
    await nodeTransport(new URL('/api/x?a=1&b=%C3%A9', server.origin), post());

    expect(server.received[0]?.url).toBe('/api/x?a=1&b=%C3%A9');
    expect(server.received[0]?.headers.host).toBe(new URL(server.origin).host);
  });

  it('reuses one connection for requests in turn', async () => {
    for (let index = 0; index < 3; index++) {
      await nodeTransport(new URL('/api/x', server.origin), post());
    }

    // The pool may still hold a connection from an earlier test, so at most one is new.
    expect(server.connections).toBeLessThanOrEqual(1);
  });

  it('returns a redirect instead of following it', async () => {
    server.handle = (_request, response) => {
      response.writeHead(302, { location: 'http://127.0.0.1:9/elsewhere' });
      response.end();
    };
    const response = await nodeTransport(new URL('/api/x', server.origin), post());

    expect(response.status).toBe(302);
    expect(server.received).toHaveLength(1);
  });

  it('times out a server that never answers', async () => {
    server.handle = () => {};
    const error = await nodeTransport(new URL('/api/x', server.origin), post(100)).catch(
      (caught: unknown) => caught,
    );

    expect((error as Error).name).toBe('TimeoutError');
  });

  it('times out a body that stops halfway', async () => {
    server.handle = (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"result":');
    };
    const error = await nodeTransport(new URL('/api/x', server.origin), post(100)).catch(
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
    server.handle = () => {};
    const error = await exchange(
      nodeTransport,
      new URL('/api/x', server.origin),
      post(100),
      100,
    ).catch((caught: unknown) => caught);

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

  it('keeps the raw bytes of a malformed response off the error', async () => {
    const echoed = 'Basic cmVsYXk6aHVudGVyMg==';
    const raw = createServer((socket) => {
      socket.on('data', () => {
        socket.end(`HTTP/1.1 201 Created\r\nX-Echo: ${echoed}\r\nnot a header line\r\n\r\n`);
      });
    });
    await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = raw.address() as AddressInfo;
      const error = await exchange(
        nodeTransport,
        new URL(`http://127.0.0.1:${port}/api/x`),
        post(),
        2_000,
      ).catch((caught: unknown) => caught);

      expect((error as SecOpsError).code).toBe('connection_failed');
      expect(inspect(error, { depth: 10 })).not.toContain(echoed);
      expect(inspect(error, { depth: 10 })).not.toContain('rawPacket');
    } finally {
      await new Promise((resolve) => raw.close(resolve));
    }
  });

  it('reads the same response through fetch', async () => {
    const response = await exchange(
      fetchTransport(fetch),
      new URL('/api/x', server.origin),
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
      const outgoing = httpRequest(new URL('/api/x', server.origin), { agent }, (response) => {
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

    expect(server.connections).toBe(2);
    agent.destroy();
  });

  it('keeps a connection idle for less', async () => {
    const agent = keepAliveAgent(new Agent({ keepAlive: true }));
    await get(agent);
    evictIdleConnections(agent, Date.now() + 1_000, 4_000);
    await get(agent);

    expect(server.connections).toBe(1);
    agent.destroy();
  });
});

describe('requestTarget', () => {
  it.each([
    [
      'an IPv6 host without brackets',
      'http://[::1]:8080/api/x?a=1',
      'http:',
      '::1',
      '8080',
      '/api/x?a=1',
    ],
    [
      'no port for the default',
      'https://acme.service-now.com/api',
      'https:',
      'acme.service-now.com',
      '',
      '/api',
    ],
  ])('gives %s', (_case, url, protocol, hostname, port, path) => {
    expect(requestTarget(new URL(url))).toEqual({ protocol, hostname, port, path });
  });
});
