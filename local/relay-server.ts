import { isJsonObject } from '../functions/sources/schema-by-shape.ts';
import { parseStrictJson, StrictJsonError } from '../functions/ingest/strict-json.ts';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from '@aws-lambda-powertools/logger';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import { isEventBridgeEvent, type EventBridgeEvent } from '../functions/ingest/event.ts';
import {
  EventRejectedError,
  type IngestEvent,
  type IngestHandlerResult,
} from '../functions/ingest/lambda.ts';
import type { InProcessDeadLetterQueue, InProcessQueue } from '../functions/queue/in-process.ts';
import type { SourceAdapter } from '../functions/sources/source.ts';
import { serveDeadLetters } from './dead-letter-routes.ts';
import { localContext } from './lambda-context.ts';

type IngestHandler = (event: IngestEvent, context: Context) => Promise<IngestHandlerResult>;

/** API Gateway's own limit on a request body; larger bodies never reach the function. */
const API_GATEWAY_MAX_BODY_BYTES = 10 * 1024 * 1024;

// ignoreBOM keeps a leading byte order mark, so the event carries the exact bytes the sender signed.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export interface RelayServerOptions {
  ingest: IngestHandler;
  getSource: (id: string) => SourceAdapter | undefined;
  queue: InProcessQueue;
  deadLetters: InProcessDeadLetterQueue;
  logger: Logger;
  /** Deepest JSON nesting accepted in an event body, as `ingest.maxJsonDepth`. */
  maxJsonDepth: number;
  /** The ingest function's memory size, as `deployment.ingest.memorySizeMb`, for its context. */
  ingestMemorySizeMb?: number;
}

/**
 * Creates the local stand-in for API Gateway: it turns each HTTP request into the HTTP API
 * (payload 2.0) event API Gateway would send and invokes the ingest handler with it.
 * It also serves GET /health, POST /local/events (an EventBridge event, as PutEvents would
 * deliver it) and the `/local/dead-letters` endpoints of `serveDeadLetters`.
 */
export function createRelayServer(options: RelayServerOptions): Server {
  const server = createServer((request, response) => {
    handle(request, response, options).catch((error: unknown) => {
      options.logger.error('Local relay server failed', { error: error as Error });
      if (!response.headersSent)
        sendJson(response, 500, { code: 'internal_error', message: 'The local relay failed.' });
      else response.destroy();
    });
  });
  // Requests node:http cannot parse (oversized headers, a broken request line) get a JSON
  // error like every other answer, instead of node's empty default.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return;
    const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
    const status = tooLarge ? 431 : 400;
    const body = JSON.stringify({
      code: 'malformed_request',
      message: tooLarge
        ? 'The request headers are too large; send at most 16 KB of headers.'
        : 'The request is not valid HTTP/1.1.',
    });
    socket.end(
      `HTTP/1.1 ${status} ${tooLarge ? 'Request Header Fields Too Large' : 'Bad Request'}\r\n` +
        `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  });
  return server;
}

async function handle(
  request: IncomingMessage,
  response: ServerResponse,
  options: RelayServerOptions,
): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://127.0.0.1');

  if (url.pathname === '/health' && request.method === 'GET') {
    sendJson(response, 200, { status: 'ok' });
    return;
  }
  if (await serveDeadLetters(request, response, url, options)) return;
  if (url.pathname === '/local/events' && request.method === 'POST') {
    await putEvent(response, await readBody(request), options);
    return;
  }

  const match = /^\/webhooks\/([^/]+)\/?$/.exec(url.pathname);
  if (match?.[1] === undefined) {
    sendJson(response, 404, {
      code: 'not_found',
      message: `No route for ${request.method} ${url.pathname}; send webhooks to POST /webhooks/{source}.`,
    });
    return;
  }

  const body = await readBody(request);
  if (body === undefined) {
    sendJson(response, 413, {
      code: 'payload_too_large',
      message: `The body exceeds API Gateway's limit of ${API_GATEWAY_MAX_BODY_BYTES} bytes.`,
    });
    return;
  }

  let sourceId: string;
  try {
    sourceId = decodeURIComponent(match[1]);
  } catch {
    sendJson(response, 404, {
      code: 'unknown_source',
      message: `The source in ${url.pathname} is not valid percent-encoding; send webhooks to POST /webhooks/{source}.`,
    });
    return;
  }
  const adapter = options.getSource(sourceId);
  if (adapter?.channel === 'eventbridge' && adapter.eventBridge !== undefined) {
    await forwardAsEvent(response, body, adapter, options);
    return;
  }

  const result = (await options.ingest(
    toHttpApiEvent(request, url, sourceId, body),
    localContext('secops-relay-ingest', 10_000, options.ingestMemorySizeMb),
  )) as APIGatewayProxyStructuredResultV2;
  response.writeHead(result.statusCode ?? 200, result.headers as Record<string, string>);
  response.end(result.body ?? '');
}

/**
 * Plays EventBridge for an event-driven source: the body (an EventBridge event, or the
 * bare item, which it wraps in an event with the source's `source` and `detail-type`)
 * goes to the ingest handler as the EventBridge rule would send it. The handler's result
 * or rejection becomes the HTTP answer, so `secops-relay send` shows what happened.
 */
async function forwardAsEvent(
  response: ServerResponse,
  body: Buffer,
  adapter: SourceAdapter,
  options: RelayServerOptions,
): Promise<void> {
  const json = readEventJson(response, body, options.maxJsonDepth);
  if (json === undefined) return;

  const match = adapter.eventBridge!;
  const envelope = {
    version: '0',
    id: randomUUID(),
    'detail-type': match.detailTypes[0]!,
    source: match.sources[0]!,
    account: '000000000000',
    time: new Date().toISOString(),
    region: 'local',
    resources: [],
  };

  if (isEventBridgeEvent(json)) {
    await invokeWithEvent(response, json, options);
    return;
  }
  // A partial envelope (a `detail` object with some of the envelope's fields, as AWS samples
  // show it) gets the missing fields. Any other body is the bare item, wrapped as `detail`.
  if (isJsonObject(json) && isJsonObject(json.detail)) {
    const completed: EventBridgeEvent = Object.assign({}, envelope, json, { detail: json.detail });
    await invokeWithEvent(response, completed, options);
    return;
  }
  await invokeWithEvent(response, { ...envelope, detail: json }, options, { wrapped: true });
}

/**
 * Plays EventBridge's PutEvents for the local stack: the body is one EventBridge event,
 * with its `id`, which goes to the ingest handler as a rule would deliver it. Sending the
 * same event twice is how EventBridge's own redelivery looks to the relay.
 */
async function putEvent(
  response: ServerResponse,
  body: Buffer | undefined,
  options: RelayServerOptions,
): Promise<void> {
  const json = readEventJson(response, body ?? Buffer.alloc(0), options.maxJsonDepth);
  if (json === undefined) return;
  if (!isEventBridgeEvent(json) || typeof json.id !== 'string' || json.id === '') {
    sendJson(response, 400, {
      code: 'malformed_request',
      message: 'Send one EventBridge event with "id", "source", "detail-type" and "detail".',
    });
    return;
  }
  await invokeWithEvent(response, json, options);
}

async function invokeWithEvent(
  response: ServerResponse,
  event: EventBridgeEvent,
  options: RelayServerOptions,
  { wrapped = false } = {},
): Promise<void> {
  try {
    const result = await options.ingest(
      event,
      localContext('secops-relay-ingest', 10_000, options.ingestMemorySizeMb),
    );
    sendJson(response, 202, result);
  } catch (error) {
    if (!(error instanceof EventRejectedError)) throw error;
    sendJson(
      response,
      error.result.status,
      wrapped ? unwrapPaths(error.result.body) : error.result.body,
    );
  }
}

/**
 * Rewrites `detail.…` paths in a rejection of a bare item that the local stack wrapped in an
 * event, so the paths name fields of the file the user sent.
 */
function unwrapPaths(body: Record<string, unknown>): Record<string, unknown> {
  const strip = (path: string) =>
    path === 'detail' ? '(body)' : path.replace(/^detail(\.|(?=\[))/, '');
  const issues = Array.isArray(body.issues)
    ? body.issues.map((issue: { path?: unknown }) =>
        typeof issue.path === 'string' ? { ...issue, path: strip(issue.path) } : issue,
      )
    : undefined;
  const message =
    typeof body.message === 'string'
      ? body.message.replace(/(^|[:;(]\s*|at )detail(\.|(?=\[))/g, '$1')
      : body.message;
  return { ...body, message, ...(issues !== undefined && { issues }) };
}

async function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > API_GATEWAY_MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * Builds the event as API Gateway's HTTP API does: header names in lower case, repeated
 * headers joined with commas, and the body base64-encoded unless it is UTF-8 text.
 */
function toHttpApiEvent(
  request: IncomingMessage,
  url: URL,
  source: string,
  body: Buffer,
): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (let index = 0; index < request.rawHeaders.length; index += 2) {
    const name = request.rawHeaders[index]!.toLowerCase();
    const value = request.rawHeaders[index + 1]!;
    headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
  }

  let text: string | undefined;
  try {
    text = utf8.decode(body);
  } catch {
    text = undefined;
  }
  const method = request.method ?? 'GET';
  const requestId = randomUUID();
  const now = new Date();

  return {
    version: '2.0',
    routeKey: `${method} /webhooks/{source}`,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    pathParameters: { source },
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? '127.0.0.1',
      domainPrefix: 'local',
      http: {
        method,
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: `${method} /webhooks/{source}`,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    body: text ?? body.toString('base64'),
    isBase64Encoded: text === undefined,
  };
}

/**
 * Parses an event body with the same strict rules as webhook bodies (no duplicate keys, no
 * `__proto__`, bounded nesting), or sends a 400 and returns undefined.
 */
function readEventJson(response: ServerResponse, body: Buffer, maxDepth: number): unknown {
  try {
    return parseStrictJson(utf8.decode(body), { maxDepth });
  } catch (error) {
    const code = error instanceof StrictJsonError ? error.code : 'malformed_json';
    sendJson(response, 400, {
      code,
      message: `The body is not valid JSON for an event: ${(error as Error).message}`,
    });
    return undefined;
  }
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}
