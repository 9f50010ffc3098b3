import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll } from 'vitest';

/** A request handler that runs once the request body has been read whole. */
export type BodyHandler = (
  request: IncomingMessage,
  response: ServerResponse,
  body: string,
) => void;

/** One request whose body the server read. */
export interface RecordedRequest {
  method?: string;
  /** The request target: path and query. */
  url?: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * A loopback HTTP server that runs the handler a test sets, records each request it reads
 * and counts the TCP connections it accepts, for checking a transport on the wire.
 */
export class RecordingServer {
  /** Handler of each request whose body was read. `reset` restores `respondCreated`. */
  handle: BodyHandler = respondCreated;
  /** Runs as soon as a request's head arrives, in place of reading the body, when set. */
  answerBeforeBody: ((request: IncomingMessage, response: ServerResponse) => void) | undefined;
  /** Connections accepted since the last `reset`. */
  connections = 0;
  /** Requests read since the last `reset`, in the order their bodies ended. */
  received: RecordedRequest[] = [];

  readonly #server: Server;
  #origin: string | undefined;

  constructor() {
    this.#server = createServer((request, response) => {
      if (this.answerBeforeBody !== undefined) {
        this.answerBeforeBody(request, response);
        return;
      }
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks).toString();
        this.received.push({
          method: request.method,
          url: request.url,
          headers: request.headers,
          body,
        });
        this.handle(request, response, body);
      });
    });
    this.#server.on('connection', () => {
      this.connections += 1;
    });
  }

  /** `http://127.0.0.1:<port>` of the listening server. */
  get origin(): string {
    if (this.#origin === undefined) {
      throw new Error('RecordingServer is not listening: call listen() before reading origin.');
    }
    return this.#origin;
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.#origin = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  /** Clears the counts and the recorded requests and restores the default handlers. */
  reset(): void {
    this.connections = 0;
    this.received = [];
    this.answerBeforeBody = undefined;
    this.handle = respondCreated;
  }

  /** Closes every open connection, so that the client's next request opens a new one. */
  closeConnections(): void {
    this.#server.closeAllConnections();
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

/**
 * Creates a recording server that listens from `beforeAll` to `afterAll` of the enclosing
 * scope. It is not reset between tests, so each file calls `reset` in its own `beforeEach`
 * after whatever clean-up that file needs first.
 */
export function useRecordingServer(): RecordingServer {
  const server = new RecordingServer();
  beforeAll(() => server.listen());
  afterAll(() => server.close());
  return server;
}

/**
 * Responds 201 with a created record in the shape of a ServiceNow create response, plus an
 * `x-trace: a` header for tests that read a header other than Content-Type.
 */
function respondCreated(_request: IncomingMessage, response: ServerResponse): void {
  response.writeHead(201, { 'content-type': 'application/json', 'x-trace': 'a' });
  response.end('{"result":{"sys_id":"1"}}');
}
