import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import { BoundedBody, readBodyUpTo } from '../shared/bounded-body.ts';
import { withoutByteOrderMark } from '../shared/json.ts';
import { instanceBodyLimit } from './body-limits.ts';
import { SecOpsError } from './errors.ts';

/** Response headers by name, in any case; `Headers` from fetch fits. */
export interface ResponseHeaders {
  get(name: string): string | null;
}

/**
 * An HTTP response from the instance. The body is read in full, so the connection returns
 * to the pool, unless it is longer than `instanceBodyLimit` allows.
 */
export interface InstanceResponse {
  status: number;
  headers: ResponseHeaders;
  /** The body, or only its start when `truncated` is true. */
  body: string;
  /** True when the body passed its limit: the transport stopped reading and closed the connection. */
  truncated?: boolean;
}

/** One request to the instance. */
export interface InstanceRequest {
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  /** Time limit for the whole exchange, from sending to the last byte of the response. */
  timeoutMs: number;
  /** Counts the POSTs of one delivery whose fate is unknown; see `watchUnansweredPosts`. */
  unanswered?: UnansweredTally;
}

export interface UnansweredTally {
  count: number;
}

/**
 * Sends one request and resolves with the response, whatever its status, with the body
 * read up to `instanceBodyLimit`. Rejects when no complete response arrived: with an error
 * named TimeoutError (or AbortError) when `timeoutMs` passed, and otherwise with an error
 * that names the socket failure in `code` or `cause.code`. Never follows a redirect.
 */
export type Transport = (url: URL, request: InstanceRequest) => Promise<InstanceResponse>;

/** Names the relay in the instance's transaction log, so an administrator can tell its requests apart. */
export const USER_AGENT = 'secops-relay';

/** The fetch signature `fetchTransport` adapts. */
export type Fetch = typeof globalThis.fetch;

/**
 * How long an idle pooled connection may wait for its next request, in milliseconds (4 s,
 * as in the pool of Node's fetch). Servers close idle connections after a while, and the
 * pool drops them before that is likely. A connection the server closed sooner fails at
 * once and is replaced; see `nodeTransport`.
 */
const IDLE_CONNECTION_MS = 4_000;

/** Least time between two looks for idle connections, in milliseconds; see `nodeTransport`. */
const SWEEP_INTERVAL_MS = 1_000;

/** Epoch milliseconds at which each pooled connection was last handed back to its pool. */
const freeSince = new WeakMap<object, number>();

/**
 * Makes `agent` note when each connection becomes idle. The agents set no socket timeout,
 * which node:http would arm and disarm on every request at a cost of about a tenth of the
 * forwarder's time per record. `evictIdleConnections` closes idle connections instead.
 */
export function keepAliveAgent<AgentType extends HttpAgent>(agent: AgentType): AgentType {
  const keepSocketAlive = agent.keepSocketAlive.bind(agent);
  agent.keepSocketAlive = (socket) => {
    freeSince.set(socket, Date.now());
    return keepSocketAlive(socket);
  };
  return agent;
}

const httpAgent = keepAliveAgent(new HttpAgent({ keepAlive: true }));
const httpsAgent = keepAliveAgent(new HttpsAgent({ keepAlive: true }));
let lastSweep = 0;

/**
 * Closes the pooled connections of `agent` that have been idle for `idleMs` or longer, so
 * no request is sent on one. Checking before requests rather than with a timer also covers
 * a Lambda environment thawed after minutes, whose timers did not run while it was frozen.
 */
export function evictIdleConnections(
  agent: HttpAgent,
  now: number,
  idleMs: number = IDLE_CONNECTION_MS,
): void {
  for (const sockets of Object.values(agent.freeSockets)) {
    for (const socket of sockets ?? []) {
      if (now - (freeSince.get(socket) ?? now) >= idleMs) socket.destroy();
    }
  }
}

/**
 * Sends requests with node:http and node:https, through one keep-alive pool per protocol
 * for the whole process, so invocations of a warm function reuse their connections. It
 * costs less per request than fetch, whose web streams and Request objects cost more than
 * the rest of the forwarder. Responses stay as the instance sent them: redirects are not
 * followed, and nothing is decompressed. Every request sends `Accept-Encoding: identity`,
 * because without that header a server may compress the response (RFC 9110, section 12.5.3).
 */
export const nodeTransport: Transport = async (url, request) => {
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new TypeError(`The instance URL must use https or http; got ${url.protocol}`);
  }
  const started = Date.now();
  if (started - lastSweep >= SWEEP_INTERVAL_MS) {
    lastSweep = started;
    evictIdleConnections(httpAgent, started);
    evictIdleConnections(httpsAgent, started);
  }
  try {
    return await sendOnce(url, request);
  } catch (error) {
    // A pooled connection the server closed after its last response fails as soon as the
    // request is written, before the server can read it, so sending once more on a new
    // connection cannot store the record twice. Node's http documentation names this case.
    if (!(error instanceof StaleConnectionError)) throw error;
    const remainingMs = request.timeoutMs - (Date.now() - started);
    if (remainingMs <= 0) throw timeoutError(request.timeoutMs);
    return sendOnce(url, { ...request, timeoutMs: remainingMs }, { freshConnection: true });
  }
};

/** A reset on a reused keep-alive connection before any byte of the response arrived. */
class StaleConnectionError extends Error {
  readonly code = 'ECONNRESET';

  constructor(cause: unknown) {
    super('The reused connection was reset before the response started.', { cause });
    this.name = 'StaleConnectionError';
  }
}

function sendOnce(
  url: URL,
  request: InstanceRequest,
  options: { freshConnection?: boolean } = {},
): Promise<InstanceResponse> {
  return new Promise((resolve, reject) => {
    const https = url.protocol === 'https:';
    const headers: Record<string, string | number> = {
      'Accept-Encoding': 'identity',
      ...request.headers,
    };
    if (request.body !== undefined) headers['Content-Length'] = Buffer.byteLength(request.body);

    // A timer rather than an AbortSignal: it is the cheaper of the two per request.
    let timedOut = false;
    let responded = false;
    const fail = (error: unknown) => {
      clearTimeout(timer);
      if (timedOut) reject(timeoutError(request.timeoutMs));
      else if (!responded && outgoing.reusedSocket && socketErrorCode(error) === 'ECONNRESET') {
        reject(new StaleConnectionError(error));
      } else reject(error);
    };
    let agent: HttpAgent | false = https ? httpsAgent : httpAgent;
    if (options.freshConnection) agent = false;
    const outgoing = (https ? httpsRequest : httpRequest)(
      { ...requestTarget(url), method: request.method, headers, agent },
      (response) => {
        responded = true;
        readBody(response).then(({ text, truncated }) => {
          clearTimeout(timer);
          resolve({
            status: response.statusCode ?? 0,
            headers: nodeHeaders(response),
            body: text,
            ...(truncated && { truncated }),
          });
        }, fail);
      },
    );
    const timer = setTimeout(() => {
      timedOut = true;
      outgoing.destroy(timeoutError(request.timeoutMs));
    }, request.timeoutMs);
    outgoing.on('error', fail);
    outgoing.on('socket', guardSocket);
    outgoing.end(request.body);
  });
}

/** Most links of an error's `cause` chain that `dropRawPackets` follows. */
const MAX_CAUSE_DEPTH = 8;

/**
 * Removes `rawPacket` from an error and its causes. Node's HTTP parser puts the raw bytes of
 * a malformed response there (HPE_* errors), and the logger writes every property of a
 * cause, so the bytes of headers that echo credentials or set session cookies would reach
 * the log.
 */
function dropRawPackets(error: unknown): void {
  let current = error;
  for (
    let depth = 0;
    depth < MAX_CAUSE_DEPTH && typeof current === 'object' && current !== null;
    depth++
  ) {
    if ('rawPacket' in current) delete (current as { rawPacket?: unknown }).rawPacket;
    current = (current as { cause?: unknown }).cause;
  }
}

/**
 * Returns where node:http sends a request for `url`, as plain options. Given the URL itself,
 * node:http converts it and merges the result with the options, which cost about 3 µs per
 * request in a loopback benchmark. The relay's URLs carry no user name or password.
 */
export function requestTarget(url: URL): {
  protocol: string;
  hostname: string;
  port: string;
  path: string;
} {
  return {
    protocol: url.protocol,
    // URL keeps an IPv6 host in brackets; node:http takes the bare address.
    hostname: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
    port: url.port,
    path: url.pathname + url.search,
  };
}

/**
 * Gives a pooled socket an 'error' listener of its own. With a keep-alive agent, node:http
 * (checked on Node 22.23) leaves a socket without one when the response ends while the
 * request body is still being written. A server that responds early, as with a 401 or 413,
 * and then resets the connection makes that write fail, and an 'error' event without a
 * listener ends the process.
 */
function guardSocket(socket: Socket): void {
  if (socket.listeners('error').includes(ignoreSocketError)) return;
  socket.on('error', ignoreSocketError);
}

/** Ignores a socket error, which the request's own listener reports while the request is active. */
function ignoreSocketError(): void {}

function timeoutError(timeoutMs: number): Error {
  const error = new Error(`No complete response within ${timeoutMs} ms.`);
  error.name = 'TimeoutError';
  return error;
}

/**
 * Reads the body up to `instanceBodyLimit`. Past the limit it destroys the response, which
 * closes the connection, so the rest is not transferred and the pool never reuses a
 * connection with unread bytes on it.
 */
function readBody(response: IncomingMessage): Promise<{ text: string; truncated: boolean }> {
  const body = new BoundedBody(
    instanceBodyLimit(response.statusCode ?? 0, response.headers['content-length']),
  );
  return new Promise((resolve, reject) => {
    const finish = () => {
      const text = withoutByteOrderMark(body.bytes().toString('utf8'));
      resolve({ text, truncated: body.exceeded });
    };
    response.on('data', (chunk: Buffer) => {
      if (body.add(chunk)) return;
      response.destroy();
      finish();
    });
    response.on('end', finish);
    response.on('error', reject);
    // A connection closed mid-body ends neither with 'end' nor always with 'error'.
    response.on('close', () => {
      if (!response.complete) {
        reject(
          Object.assign(new Error('The connection closed before the response ended.'), {
            code: 'ECONNRESET',
          }),
        );
      }
    });
  });
}

function nodeHeaders(response: IncomingMessage): ResponseHeaders {
  const values = response.headers;
  return {
    get(name) {
      const value = values[name.toLowerCase()];
      if (value === undefined) return null;
      return Array.isArray(value) ? value.join(', ') : value;
    },
  };
}

/** Adapts a fetch function, such as a test's, to a Transport that reads bodies as `nodeTransport` does. */
export function fetchTransport(fetchImpl: Fetch): Transport {
  return async (url, { timeoutMs, unanswered: _unanswered, ...request }) => {
    // Aborting closes the connection, so the rest of a body past its limit is not transferred.
    const stop = new AbortController();
    const response = await fetchImpl(url, {
      ...request,
      redirect: 'manual',
      signal: AbortSignal.any([AbortSignal.timeout(timeoutMs), stop.signal]),
    });
    const limit = instanceBodyLimit(response.status, response.headers.get('content-length'));
    const body = await readBodyUpTo(response.body, limit);
    if (body.exceeded) stop.abort();
    return {
      status: response.status,
      headers: response.headers,
      // Decodes as Response.text() does: UTF-8, with a byte order mark dropped.
      body: new TextDecoder().decode(body.bytes()),
      ...(body.exceeded && { truncated: true }),
    };
  };
}

/** System and TLS error codes are upper case (`ECONNRESET`, `CERT_HAS_EXPIRED`); the relay's own are not. */
const SOCKET_ERROR_CODE = /^[A-Z][A-Z0-9_]+$/;

/**
 * Codes of a request that node:http rejected before sending it, such as ERR_INVALID_CHAR
 * for a header value with a line break. No connection failed, so they are no socket errors.
 */
const INVALID_REQUEST_CODE = /^ERR_(?:INVALID_|HTTP_|UNESCAPED_CHARACTERS$)/;

/**
 * Returns the socket or TLS error code of a failed request, such as `ECONNREFUSED`.
 * node:http sets it on the error and fetch on the error's `cause`; undefined when neither does.
 */
export function socketErrorCode(error: unknown): string | undefined {
  const direct = (error as { code?: unknown } | undefined)?.code;
  if (
    typeof direct === 'string' &&
    SOCKET_ERROR_CODE.test(direct) &&
    direct !== 'ABORT_ERR' &&
    !INVALID_REQUEST_CODE.test(direct)
  ) {
    return direct;
  }
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause?.code;
  return typeof cause === 'string' && SOCKET_ERROR_CODE.test(cause) ? cause : undefined;
}

/**
 * Sends one request and reads the whole response. Failures before a complete response
 * become SecOpsErrors: `timeout` when the request's time limit passed,
 * `connection_failed` for refused, reset or closed connections and failed name lookups.
 *
 * Redirects are not followed, so credentials never travel to a host the instance URL
 * rule did not approve; the caller sees the 3xx status instead.
 */
export async function exchange(
  transport: Transport,
  url: URL,
  request: InstanceRequest,
  timeoutMs: number,
): Promise<InstanceResponse> {
  try {
    return await transport(url, request);
  } catch (error) {
    throw toTransportError(error, url, timeoutMs);
  }
}

function toTransportError(error: unknown, url: URL, timeoutMs: number): unknown {
  dropRawPackets(error);
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return new SecOpsError(
      'timeout',
      `${url.host} did not respond to ${url.pathname} within ${timeoutMs} ms (instance.requestTimeoutMs)`,
      { cause: error },
    );
  }
  const code = socketErrorCode(error);
  // fetch rejects with TypeError("fetch failed") and puts the socket error in `cause`.
  const fromFetch = error instanceof TypeError && error.cause !== undefined;
  if (code !== undefined || fromFetch) {
    const cause = (error as { cause?: { message?: unknown } }).cause;
    const reason = code ?? String(cause?.message);
    return new SecOpsError(
      'connection_failed',
      `the connection to ${url.host} failed before a response to ${url.pathname} (${reason})`,
      { cause: error },
    );
  }
  return error;
}
