import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { streamBody, type StreamedBody, type StreamOutcome } from '../helpers/streamed-body.ts';

/** One request the fake vendor received. */
export interface ReceivedRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** The fake vendor's response: a status, optional headers and a JSON, text or streamed body. */
export interface VendorReply {
  status?: number;
  headers?: Record<string, string>;
  json?: unknown;
  text?: string;
  /** A body sent as these bytes, such as a gzip stream with `content-encoding: gzip`. */
  bytes?: Uint8Array;
  /** A body of `bytes` bytes written in chunks as the client reads them, in place of `json` or `text`. */
  stream?: StreamedBody;
  /** Milliseconds to wait before responding. */
  delayMs?: number;
  /**
   * Sends the headers with a Content-Length larger than the body, then only this much of the
   * body, and keeps the connection open, as a vendor whose body stalls does.
   */
  stalledBody?: string;
}

export type VendorRoute = (request: ReceivedRequest) => VendorReply | Promise<VendorReply>;

export interface VendorServer {
  /** Base URL, such as http://127.0.0.1:43512. */
  url: string;
  requests: ReceivedRequest[];
  /** One outcome per streamed reply, in order; each settles when its response closes. */
  streams: Promise<StreamOutcome>[];
  /** Replaces how the server responds, from the next request on. */
  answer(route: VendorRoute): void;
  close(): Promise<void>;
}

/**
 * A stand-in for a vendor API on a free loopback port. Tests set its responses with `answer`
 * (fixtures shaped like the vendor's documented responses) and read what it received.
 */
export async function startVendorServer(
  route: VendorRoute = () => ({ status: 404 }),
): Promise<VendorServer> {
  let current = route;
  const requests: ReceivedRequest[] = [];
  const streams: Promise<StreamOutcome>[] = [];
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const received: ReceivedRequest = {
        method: request.method ?? 'GET',
        url: request.url ?? '/',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(received);
      Promise.resolve(current(received))
        .then(async (reply) => {
          if (reply.delayMs !== undefined)
            await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
          if (reply.stalledBody !== undefined) {
            response.writeHead(reply.status ?? 200, {
              'content-length': String(Buffer.byteLength(reply.stalledBody) + 1000),
            });
            response.write(reply.stalledBody);
            return;
          }
          if (reply.stream !== undefined) {
            streams.push(streamBody(response, reply.status ?? 200, reply.stream));
            return;
          }
          const body =
            reply.bytes ??
            reply.text ??
            (reply.json === undefined ? '' : JSON.stringify(reply.json));
          response.writeHead(reply.status ?? 200, {
            ...(reply.json !== undefined && { 'content-type': 'application/json' }),
            ...reply.headers,
          });
          response.end(body);
        })
        .catch((error: unknown) => {
          response.writeHead(500, { 'content-type': 'text/plain' });
          response.end(String(error));
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    streams,
    answer(next) {
      current = next;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
