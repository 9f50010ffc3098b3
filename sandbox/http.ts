import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyTooLargeError } from './errors.ts';

/**
 * Largest request body the sandbox reads, in bytes. ServiceNow's default for
 * `glide.rest.max_content_length` is 10 MB.
 */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;

/** A handler's response: a JSON value or an HTML page, with status and extra headers. */
export type Reply =
  | { status: number; json: unknown; headers?: Record<string, string> }
  | { status: number; html: string; headers?: Record<string, string> };

/** Marks a request whose connection the sandbox destroys without a response. */
export const RESET = Symbol('reset');

export type Outcome = Reply | typeof RESET;

/** One request as the handlers see it; handlers fill in `user` and `authFailure` for the log. */
export interface Exchange {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
  /** Name of the authenticated user, never a credential. */
  user?: string;
  /** Reason authentication failed, such as `wrong_password`, for the request log. */
  authFailure?: string;
  /** Mode of the sandbox fault that applied to this request. */
  fault?: string;
}

/** Builds the body ServiceNow's REST framework sends for platform errors (401, 404, 405, Table API). */
export function platformError(message: string, detail?: string): unknown {
  return { error: detail === undefined ? { message } : { message, detail }, status: 'failure' };
}

/** Builds the 401 ServiceNow sends for missing, wrong or expired credentials, whatever the cause. */
export function notAuthenticated(): Reply {
  return {
    status: 401,
    json: platformError('User Not Authenticated', 'Required to provide Auth information'),
  };
}

/** Reads the whole request body as UTF-8, throwing BodyTooLargeError past `maxBytes`. */
export async function readBody(
  request: IncomingMessage,
  maxBytes: number = MAX_BODY_BYTES,
): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw new BodyTooLargeError(maxBytes);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Sends a reply unless the client has already gone away. */
export function sendReply(response: ServerResponse, reply: Reply): void {
  if (response.destroyed || response.headersSent) return;

  const isHtml = 'html' in reply;
  const text = isHtml ? reply.html : JSON.stringify(reply.json);
  response.writeHead(reply.status, {
    'content-type': isHtml ? 'text/html;charset=UTF-8' : 'application/json;charset=UTF-8',
    'content-length': Buffer.byteLength(text),
    ...reply.headers,
  });
  response.end(text);
}

/** A 405 reply that names the method the path accepts. */
export function methodNotAllowed(exchange: Exchange, allowed: string[]): Reply {
  return {
    status: 405,
    json: platformError(
      'Method not Supported',
      `${exchange.method} is not supported on ${exchange.path}; use ${allowed.join(' or ')}`,
    ),
    headers: { allow: allowed.join(', ') },
  };
}

/** True for addresses in 127.0.0.0/8, ::1 and IPv4-mapped loopback addresses. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false;
  const unmapped = address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
  return unmapped === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(unmapped);
}
