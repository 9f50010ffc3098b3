import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { IngestError } from './errors.ts';

/** A webhook request as ingest sees it, whatever front end delivered it. */
export interface WebhookRequest {
  method: string;
  /** The `{source}` path parameter. */
  sourceId: string;
  /** Header values by lower-case name; repeated headers are joined with ", " as API Gateway does. */
  headers: Record<string, string>;
  /** The body exactly as the sender sent it, so signatures are checked on the same bytes. */
  body: Buffer;
  /** Id that API Gateway assigned to the request, for logs. */
  requestId?: string;
}

/** Reads an API Gateway HTTP API (payload format 2.0) event, decoding a base64 body. */
export function fromHttpApiEvent(event: APIGatewayProxyEventV2): WebhookRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (value !== undefined) headers[name.toLowerCase()] = value;
  }

  const sourceId = event.pathParameters?.source ?? sourceFromPath(event.rawPath);
  if (sourceId === undefined) {
    throw new IngestError(404, 'unknown_source', 'Send webhooks to /webhooks/{source}.');
  }

  let body = Buffer.alloc(0);
  if (event.body !== undefined && event.body !== null) {
    body = event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
  }

  return {
    method: event.requestContext?.http?.method ?? 'POST',
    sourceId,
    headers,
    body,
    requestId: event.requestContext?.requestId,
  };
}

function sourceFromPath(path: string | undefined): string | undefined {
  const match = /^\/webhooks\/([^/]+)\/?$/.exec(path ?? '');
  return match?.[1] === undefined ? undefined : decodeURIComponent(match[1]);
}
