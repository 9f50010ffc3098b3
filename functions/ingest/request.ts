import type { APIGatewayProxyEvent, APIGatewayProxyEventV2 } from 'aws-lambda';
import { isJsonObject } from '../shared/json.ts';

/** A webhook request as ingest sees it, whatever front end delivered it. */
export interface WebhookRequest {
  method: string;
  /** The `{source}` path parameter; empty when the event names no source. */
  sourceId: string;
  /**
   * Header values by lower-case name. A header sent more than once, or under names that
   * differ only in case, has its values joined with "," as API Gateway's HTTP API does.
   */
  headers: Record<string, string>;
  /**
   * The body as sent, so signatures are checked on the same bytes: the event's text (its
   * UTF-8 encoding is the bytes sent) or the decoded bytes of a base64 body. Text stays a
   * string, because hashing and measuring it directly avoids a copy of a large body.
   */
  body: string | Buffer;
  /**
   * Reason the event's body could not be decoded, such as base64 that is not valid. The
   * `body` is then empty, and `readJsonBody` rejects the request with this reason.
   */
  bodyError?: string;
  /** Id that API Gateway assigned to the request, for logs. */
  requestId?: string;
}

const BASE64_PADDED = /^[A-Za-z0-9+/]*={0,2}$/;
const BASE64_UNPADDED = /^[A-Za-z0-9+/]*$/;

/**
 * Reads an API Gateway proxy event into a WebhookRequest: the HTTP API's payload format
 * 2.0, and the REST API's (and the HTTP API's) format 1.0, which it recognizes by its
 * `httpMethod`. A base64 body is decoded to the exact bytes sent. The event is read
 * defensively and the function never throws: what cannot be read becomes an empty source
 * id, no header or an empty body, which ingest then rejects with a 4xx.
 */
export function fromHttpApiEvent(
  event: APIGatewayProxyEventV2 | APIGatewayProxyEvent,
): WebhookRequest {
  const fields = asRecord(event);
  return typeof fields.httpMethod === 'string'
    ? readRestApiEvent(fields)
    : readHttpApiEvent(fields);
}

/**
 * Reads an API Gateway REST API event (payload format 1.0). Repeated headers come from
 * `multiValueHeaders`, where API Gateway keeps every value, rather than from `headers`,
 * which keeps only the last one.
 */
export function fromRestApiEvent(event: APIGatewayProxyEvent): WebhookRequest {
  return readRestApiEvent(asRecord(event));
}

function readHttpApiEvent(event: Record<string, unknown>): WebhookRequest {
  const context = asRecord(event.requestContext);
  const headers = mergeHeaders(Object.entries(asRecord(event.headers)));
  return {
    method: stringOr(asRecord(context.http).method, 'POST'),
    sourceId: readSourceId(event.pathParameters, event.rawPath),
    headers,
    ...readBody(event),
    ...optionalRequestId(context.requestId),
  };
}

function readRestApiEvent(event: Record<string, unknown>): WebhookRequest {
  const multiValue = asRecord(event.multiValueHeaders);
  const single = Object.entries(asRecord(event.headers)).filter(
    ([name]) => !Object.hasOwn(multiValue, name),
  );
  const headers = mergeHeaders([...Object.entries(multiValue), ...single]);
  return {
    method: stringOr(event.httpMethod, 'POST'),
    sourceId: readSourceId(event.pathParameters, event.path),
    headers,
    ...readBody(event),
    ...optionalRequestId(asRecord(event.requestContext).requestId),
  };
}

/**
 * Lower-cases header names and joins repeated values with ",". The result has no
 * prototype, so a header named "constructor" or "__proto__" is an ordinary entry.
 */
function mergeHeaders(entries: [string, unknown][]): Record<string, string> {
  const headers = Object.create(null) as Record<string, string>;
  for (const [name, value] of entries) {
    const values = (Array.isArray(value) ? value : [value]).filter(
      (item): item is string => typeof item === 'string',
    );
    if (values.length === 0) continue;
    const key = name.toLowerCase();
    const joined = values.join(',');
    headers[key] = headers[key] === undefined ? joined : `${headers[key]},${joined}`;
  }
  return headers;
}

function readSourceId(pathParameters: unknown, path: unknown): string {
  const parameter = asRecord(pathParameters).source;
  if (typeof parameter === 'string') return parameter;
  const match = /^\/webhooks\/([^/]+)\/?$/.exec(typeof path === 'string' ? path : '');
  if (match?.[1] === undefined) return '';
  try {
    return decodeURIComponent(match[1]);
  } catch {
    // A malformed escape such as "%E0%A4" names no source.
    return '';
  }
}

function readBody(event: Record<string, unknown>): Pick<WebhookRequest, 'body' | 'bodyError'> {
  const body = event.body;
  if (typeof body !== 'string') return { body: Buffer.alloc(0) };
  if (event.isBase64Encoded !== true) return { body };
  // Buffer.from skips characters outside the alphabet, so it would decode garbage to some bytes.
  if (!isBase64(body)) {
    return {
      body: Buffer.alloc(0),
      bodyError: 'The body is marked as base64-encoded but is not valid base64.',
    };
  }
  return { body: Buffer.from(body, 'base64') };
}

/** True for standard base64, padded or not; a length of 4n + 1 can never be base64. */
function isBase64(text: string): boolean {
  if (text.length % 4 === 0) return BASE64_PADDED.test(text);
  return text.length % 4 !== 1 && BASE64_UNPADDED.test(text);
}

function optionalRequestId(requestId: unknown): Pick<WebhookRequest, 'requestId'> {
  return typeof requestId === 'string' ? { requestId } : {};
}

function asRecord(value: unknown): Record<string, unknown> {
  return isJsonObject(value) ? value : {};
}

function stringOr(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value : fallback;
}
