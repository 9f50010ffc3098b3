import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseFilterTerms, type DeadLetterFilter } from '../functions/queue/dead-letter-entry.ts';
import type { InProcessDeadLetterQueue, InProcessQueue } from '../functions/queue/in-process.ts';
import { SOURCE_IDS } from '../functions/sources/index.ts';

/** Largest redrive request body the local server reads, in bytes. */
const MAX_REDRIVE_BODY_BYTES = 64 * 1024;

export interface DeadLetterRoutesOptions {
  queue: InProcessQueue;
  deadLetters: InProcessDeadLetterQueue;
}

/**
 * Serves the local stack's dead-letter queue to operators and to `secops-relay dlq`:
 * - `GET /local/dead-letters` lists entries, filtered by `?reason=…&source=…` terms;
 * - `GET /local/dead-letters/{id}` returns one entry, or 404;
 * - `POST /local/dead-letters/redrive` with `{"filter": {...}}` or `{"ids": [...]}` sends the
 *   records back to the delivery queue and removes their entries.
 * Returns false for any other path, so the caller routes it.
 */
export async function serveDeadLetters(
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
  options: DeadLetterRoutesOptions,
): Promise<boolean> {
  const { pathname } = url;
  if (pathname !== '/local/dead-letters' && !pathname.startsWith('/local/dead-letters/')) {
    return false;
  }

  if (pathname === '/local/dead-letters' && request.method === 'GET') {
    const filter = readQueryFilter(url, response);
    if (filter !== undefined)
      sendJson(response, 200, { deadLetters: options.deadLetters.list(filter) });
    return true;
  }

  if (pathname === '/local/dead-letters/redrive' && request.method === 'POST') {
    const selection = await readRedriveBody(request, response);
    if (selection === undefined) return true;
    const result = await options.deadLetters.redrive(options.queue, selection);
    sendJson(response, 200, result);
    return true;
  }

  let id: string;
  try {
    id = decodeURIComponent(pathname.slice('/local/dead-letters/'.length));
  } catch {
    sendJson(response, 404, {
      code: 'not_found',
      message: 'The dead-letter id in the path is not valid percent-encoding.',
    });
    return true;
  }
  if (request.method === 'GET' && id !== '' && !id.includes('/')) {
    const entry = options.deadLetters.get(id);
    if (entry === undefined) {
      sendJson(response, 404, {
        code: 'not_found',
        message: `No dead-letter entry "${id}"; list them with GET /local/dead-letters.`,
      });
    } else {
      sendJson(response, 200, entry);
    }
    return true;
  }

  sendJson(response, 405, {
    code: 'method_not_allowed',
    message:
      'Use GET /local/dead-letters, GET /local/dead-letters/{id} or POST /local/dead-letters/redrive.',
  });
  return true;
}

function readQueryFilter(url: URL, response: ServerResponse): DeadLetterFilter | undefined {
  try {
    return parseFilterTerms(
      [...url.searchParams].map(([key, value]) => `${key}=${value}`),
      { sources: SOURCE_IDS },
    );
  } catch (error) {
    sendJson(response, 400, { code: 'invalid_filter', message: (error as Error).message });
    return undefined;
  }
}

async function readRedriveBody(
  request: IncomingMessage,
  response: ServerResponse,
): Promise<{ filter?: DeadLetterFilter; ids?: string[] } | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_REDRIVE_BODY_BYTES) {
      sendJson(response, 413, {
        code: 'payload_too_large',
        message: `A redrive request is at most ${MAX_REDRIVE_BODY_BYTES} bytes.`,
      });
      return undefined;
    }
    chunks.push(chunk);
  }
  const invalid = (message: string) => {
    sendJson(response, 400, { code: 'invalid_redrive', message });
    return undefined;
  };

  let body: unknown;
  try {
    body = chunks.length === 0 ? {} : JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (error) {
    return invalid(`The body is not valid JSON: ${(error as Error).message}.`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return invalid('Send {"filter": {"reason": "..."}} or {"ids": ["..."]}.');
  }
  const { filter, ids } = body as { filter?: unknown; ids?: unknown };
  if (ids !== undefined && !(Array.isArray(ids) && ids.every((id) => typeof id === 'string'))) {
    return invalid('"ids" must be an array of dead-letter entry ids.');
  }
  if (
    filter !== undefined &&
    (typeof filter !== 'object' || filter === null || Array.isArray(filter))
  ) {
    return invalid('"filter" must be an object such as {"reason": "retries_exhausted"}.');
  }
  try {
    const terms = Object.entries((filter ?? {}) as Record<string, unknown>).map(
      ([key, value]) => `${key}=${String(value)}`,
    );
    return {
      filter: parseFilterTerms(terms, { sources: SOURCE_IDS }),
      ids: ids as string[] | undefined,
    };
  } catch (error) {
    return invalid((error as Error).message);
  }
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}
