import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the scripted instance received. */
export interface ReceivedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
  /** Client port of the TCP connection, equal across requests on one kept-alive connection. */
  remotePort: number;
}

/** The scripted instance's reply: an HTTP response, or a connection reset. */
export type ScriptedReply =
  | {
      status: number;
      headers?: Record<string, string>;
      /** A string is sent as text/html, anything else as JSON. */
      body?: unknown;
      delayMs?: number;
    }
  | 'reset';

/**
 * A tiny HTTP server on 127.0.0.1 whose responses each test scripts, for exercising the
 * client's error handling and retries without the sandbox instance.
 */
export interface ScriptedInstance {
  url: string;
  requests: ReceivedRequest[];
  /** Sets the reply to every following request, by request and its index from 0. */
  reply(script: (request: ReceivedRequest, index: number) => ScriptedReply): void;
  close(): Promise<void>;
}

export async function startScriptedInstance(): Promise<ScriptedInstance> {
  const requests: ReceivedRequest[] = [];
  let script: (request: ReceivedRequest, index: number) => ScriptedReply = () => ({
    status: 201,
    body: { status: 'success', sys_id: 'f'.repeat(32) },
  });

  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const received: ReceivedRequest = {
      method: request.method ?? '',
      path: url.pathname,
      query: url.searchParams,
      headers: request.headers,
      body: Buffer.concat(chunks).toString('utf8'),
      remotePort: request.socket.remotePort ?? 0,
    };
    requests.push(received);

    const reply = script(received, requests.length - 1);
    if (reply === 'reset') {
      request.socket.destroy();
      return;
    }
    if (reply.delayMs !== undefined) {
      await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
    }
    const isText = typeof reply.body === 'string';
    let text = '';
    if (typeof reply.body === 'string') text = reply.body;
    else if (reply.body !== undefined) text = JSON.stringify(reply.body);
    response.writeHead(reply.status, {
      'content-type': isText ? 'text/html' : 'application/json',
      ...reply.headers,
    });
    response.end(text);
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    reply: (next) => {
      script = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
