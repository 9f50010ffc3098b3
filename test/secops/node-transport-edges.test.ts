import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { beforeEach, describe, expect, it } from 'vitest';
import { watchUnansweredPosts } from '../../functions/forward/unanswered-posts.ts';
import { SecOpsError } from '../../functions/secops/errors.ts';
import {
  exchange,
  fetchTransport,
  nodeTransport,
  type InstanceRequest,
  type InstanceResponse,
  type Transport,
  type UnansweredTally,
} from '../../functions/secops/http.ts';
import { useRecordingServer, type BodyHandler } from './recording-server.ts';

/**
 * Adversarial checks of the node:http transport against a loopback server. Where the
 * forwarder used fetch before, the fetch transport on the same server is the reference.
 */

const run = promisify(execFile);
const CHILD = fileURLToPath(new URL('./transport-child.ts', import.meta.url));

const server = useRecordingServer();

beforeEach(async () => {
  // Each test starts without pooled connections, so its connection count is its own. The
  // wait lets both clients' pools see the closes, which they would otherwise race.
  server.closeConnections();
  await new Promise((resolve) => setTimeout(resolve, 20));
  server.reset();
});

function post(
  body = '{"value":"é"}',
  timeoutMs = 2_000,
  unanswered?: UnansweredTally,
): InstanceRequest {
  return {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body,
    timeoutMs,
    unanswered,
  };
}

/** Returns the fields of a response that the client and the circuit breaker read. */
function readable(response: InstanceResponse) {
  return {
    status: response.status,
    body: response.body,
    truncated: response.truncated,
    contentType: response.headers.get('content-type'),
    setCookie: response.headers.get('set-cookie'),
    location: response.headers.get('location'),
  };
}

async function outcome(transport: Transport, request: InstanceRequest = post()) {
  try {
    return readable(
      await exchange(transport, new URL('/api/x', server.origin), request, request.timeoutMs),
    );
  } catch (error) {
    return { error: error instanceof SecOpsError ? error.code : String(error) };
  }
}

const RESPONSES: [string, BodyHandler][] = [
  [
    'a JSON body with a byte order mark',
    (_request, response) => {
      response.writeHead(201, { 'content-type': 'application/json' });
      response.end(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"result":{}}')]));
    },
  ],
  [
    'a gzip body a server may send to a request without Accept-Encoding',
    (request, response) => {
      const accepted = request.headers['accept-encoding'];
      // RFC 9110, section 12.5.3: without the header every content coding is acceptable.
      if (accepted === undefined || /\bgzip\b/.test(accepted)) {
        response.writeHead(201, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
        response.end(gzipSync('{"result":{}}'));
        return;
      }
      response.writeHead(201, { 'content-type': 'application/json' });
      response.end('{"result":{}}');
    },
  ],
  [
    '204 without a body',
    (_request, response) => {
      response.writeHead(204);
      response.end();
    },
  ],
  [
    'a chunked body with a character split across chunks',
    (_request, response) => {
      const euro = Buffer.from('€');
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write(Buffer.concat([Buffer.from('{"a":"'), euro.subarray(0, 1)]));
      setTimeout(() => response.end(Buffer.concat([euro.subarray(1), Buffer.from('"}')])), 5);
    },
  ],
  [
    'bytes that are not UTF-8',
    (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json; charset=iso-8859-1' });
      response.end(Buffer.from([0x7b, 0x22, 0xe9, 0x22, 0x7d, 0xff]));
    },
  ],
  [
    'a body of 5 MB',
    (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.end('y'.repeat(5_000_000));
    },
  ],
  [
    'a body that ends with the connection',
    (request, response) => {
      response.socket?.end('HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n{"a":1}');
      response.detachSocket(request.socket);
    },
  ],
  [
    'two Set-Cookie headers',
    (_request, response) => {
      response.setHeader('set-cookie', ['a=1; Path=/', 'b=2; Path=/']);
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{}');
    },
  ],
  [
    'a redirect',
    (_request, response) => {
      response.writeHead(307, { location: 'http://127.0.0.1:9/elsewhere' });
      response.end();
    },
  ],
  [
    'HTTP 503 with an HTML page',
    (_request, response) => {
      response.writeHead(503, { 'content-type': 'text/html' });
      response.end('<html>down</html>');
    },
  ],
  [
    'a connection closed halfway through the body',
    (request, response) => {
      response.writeHead(200, { 'content-length': '100' });
      response.write('{"partial":');
      setTimeout(() => request.socket.destroy(), 5);
    },
  ],
  [
    'a connection reset before the status line',
    (request) => {
      request.socket.destroy();
    },
  ],
];

describe('nodeTransport reads responses as fetch did', () => {
  it.each(RESPONSES)('with %s', async (_case, handler) => {
    server.handle = handler;
    const reference = await outcome(fetchTransport(fetch));
    const actual = await outcome(nodeTransport);

    expect(actual).toEqual(reference);
  });
});

describe('nodeTransport on a kept-alive connection', () => {
  it('keeps connection after an unfired timer', async () => {
    await nodeTransport(new URL('/api/x', server.origin), post(undefined, 30));
    // Past the first request's time limit: its timer must not touch the pooled connection.
    await new Promise((resolve) => setTimeout(resolve, 60));
    const second = await nodeTransport(new URL('/api/x', server.origin), post(undefined, 2_000));

    expect(second.status).toBe(201);
    expect(server.connections).toBe(1);
  });

  it('returns each concurrent request its body', async () => {
    server.handle = (_request, response, body) => {
      setTimeout(() => response.end(`echo ${body}`), Number(body) % 7);
    };
    const bodies = Array.from({ length: 40 }, (_, index) => String(index));
    const responses = await Promise.all(
      bodies.map((body) => nodeTransport(new URL('/api/x', server.origin), post(body))),
    );

    expect(responses.map((response) => response.body)).toEqual(
      bodies.map((body) => `echo ${body}`),
    );
  });

  it('counts a dropped POST as unanswered', async () => {
    let served = 0;
    server.handle = (request, response) => {
      served += 1;
      if (served === 1) response.end('{"result":{}}');
      else request.socket.destroy();
    };
    const watched = watchUnansweredPosts(nodeTransport, () => true);
    await exchange(watched, new URL('/api/x', server.origin), post(), 2_000);
    const tally: UnansweredTally = { count: 0 };
    const error = await exchange(
      watched,
      new URL('/api/x', server.origin),
      post(undefined, 2_000, tally),
      2_000,
    ).catch((caught: unknown) => caught);

    expect((error as SecOpsError).code).toBe('connection_failed');
    expect(tally.count).toBe(1);
  });

  // node:http hands the next request a pooled connection before it has read the server's
  // FIN that followed the last response. The transport sends such a request once more on a
  // new connection, so none of these POSTs fails.
  it('posts to a server closing after responses', async () => {
    server.handle = (request, response) => {
      response.end('{"result":{}}', () => request.socket.end());
    };
    const statuses: (number | string)[] = [];
    for (let index = 0; index < 6; index += 1) {
      const result = await outcome(nodeTransport);
      statuses.push('status' in result ? result.status : result.error);
    }

    expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
  });
});

describe('nodeTransport on a request node:http will not send', () => {
  it('rejects a header line break as no connection failure', async () => {
    const request = post();
    request.headers = { ...request.headers, Authorization: 'Bearer token\r\nX-Injected: 1' };
    const error = await exchange(
      nodeTransport,
      new URL('/api/x', server.origin),
      request,
      2_000,
    ).catch((caught: unknown) => caught);

    expect(error).not.toBeInstanceOf(SecOpsError);
    expect(String(error)).toContain('Invalid character');
    expect(server.received).toHaveLength(0);
  });
});

describe('nodeTransport in a process of its own', () => {
  async function runChild(path: string, timeoutMs: number, bodyBytes: number, count: number) {
    const { stdout } = await run(
      process.execPath,
      [
        '--import',
        'tsx',
        CHILD,
        `${server.origin}${path}`,
        String(timeoutMs),
        String(bodyBytes),
        String(count),
      ],
      { cwd: fileURLToPath(new URL('../..', import.meta.url)), timeout: 15_000 },
    );
    const lines = stdout.trim().split('\n');
    return JSON.parse(lines[lines.length - 1] ?? '{}') as {
      outcomes: string[];
      resources: string[];
    };
  }

  it('survives an early answer and reset', async () => {
    server.answerBeforeBody = (request, response) => {
      response.writeHead(413, { 'content-type': 'application/json' });
      response.end('{"error":"too large"}', () => request.socket.destroy());
    };
    // Loopback buffers take a few megabytes, so the body must be larger to be still in flight.
    // The child exits with an error, and execFile rejects, if the process crashes.
    const child = await runChild('/api/x', 5_000, 8_000_000, 3);

    // A reset can also reach the client before the 413 does, which is no crash.
    expect(child.outcomes).toHaveLength(3);
    for (const result of child.outcomes) {
      expect(result).toMatch(/^(status 413|error Error (ECONNRESET|EPIPE))$/);
    }
  });

  it('keeps no timer or socket alive after a response', async () => {
    const child = await runChild('/api/x', 5_000, 2, 2);

    expect(child.outcomes).toEqual(['status 201', 'status 201']);
    expect(child.resources).not.toContain('Timeout');
    expect(child.resources).not.toContain('TCPSocketWrap');
  });

  it('keeps no timer alive after a timeout', async () => {
    server.handle = () => {};
    const child = await runChild('/api/x', 50, 2, 1);

    expect(child.outcomes).toEqual(['error TimeoutError']);
    expect(child.resources).not.toContain('Timeout');
  });
});
