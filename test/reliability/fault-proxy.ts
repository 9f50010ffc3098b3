import {
  request as httpRequest,
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { HIBERNATION_PAGE } from '../../sandbox/fault-replies.ts';
import type { SeededRandom } from './random.ts';

/** The faults the proxy injects, as an instance under load, in an upgrade or asleep shows them. */
export type InjectedFault =
  | 'rate_limit'
  | 'server_error'
  | 'slow'
  | 'reset'
  | 'html'
  | 'unknown_error'
  | 'persist_failure'
  | 'outage';

/** Record of one SecOps API request that passed through the proxy. */
export interface ProxiedRequest {
  path: string;
  /** The request body's columns, to match the request to the record it carries. */
  columns: Record<string, string>;
  fault?: InjectedFault;
  /** Status the sandbox returned, when the request reached it. */
  upstreamStatus?: number;
  /** Status the relay received; null when it got no response (reset, or it gave up first). */
  clientStatus: number | null;
  startedAt: number;
}

export interface FaultPlan {
  /** Probability that a SecOps API request gets a random fault. */
  faultRate: number;
  /** Relative weights of the random faults. */
  weights: readonly (readonly [Exclude<InjectedFault, 'outage'>, number])[];
  /** Periods (epoch milliseconds) in which every SecOps API request gets 503 or the hibernation page. */
  outages: { from: number; to: number }[];
  /** How long a `slow` response is held back, past the relay's request timeout. */
  slowMs: number;
}

/**
 * A fault-injecting reverse proxy in front of the sandbox instance, on loopback. For each
 * request to the SecOps API it draws a fault from a seeded generator. The faults are a
 * 429 with Retry-After, a 500/502/503/504, a slow response (the sandbox stores the record,
 * and the response arrives after the relay's timeout), a dropped connection, the
 * hibernation page, "Unknown error" and "Unable to persist record". During planned
 * outages every request fails. It logs each request with its body's columns, so a test
 * can tell which record met which fault. Everything else (OAuth, the Table API) passes
 * through unchanged.
 */
export async function startFaultProxy(options: {
  upstream: string;
  apiBasePath: string;
  random: SeededRandom;
  plan: FaultPlan;
}): Promise<{
  url: string;
  log: ProxiedRequest[];
  peakInFlight: () => number;
  close: () => Promise<void>;
}> {
  const upstream = new URL(options.upstream);
  const log: ProxiedRequest[] = [];
  const closing = new AbortController();
  let inFlight = 0;
  let peak = 0;

  const server: Server = createServer((request, response) => {
    handle(request, response).catch(() => response.destroy());
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readAll(request);
    const path = request.url ?? '/';
    if (request.method !== 'POST' || !path.startsWith(`${options.apiBasePath}/`)) {
      await forward(request, body, response);
      return;
    }

    const entry: ProxiedRequest = {
      path,
      columns: readColumns(body),
      clientStatus: null,
      startedAt: Date.now(),
    };
    log.push(entry);
    inFlight += 1;
    peak = Math.max(peak, inFlight);
    response.once('close', () => {
      inFlight -= 1;
      entry.clientStatus = response.writableFinished ? response.statusCode : null;
    });

    entry.fault = drawFault(options.random, options.plan, entry.startedAt);
    switch (entry.fault) {
      case undefined:
        entry.upstreamStatus = await forward(request, body, response);
        return;
      case 'slow': {
        const answer = await exchange(request, body);
        entry.upstreamStatus = answer.status;
        try {
          await delay(options.plan.slowMs, undefined, { signal: closing.signal });
        } catch {
          response.destroy();
          return;
        }
        reply(response, answer.status, answer.headers, answer.body);
        return;
      }
      case 'reset':
        request.socket.destroy();
        return;
      case 'html':
        reply(
          response,
          200,
          { 'content-type': 'text/html;charset=UTF-8' },
          Buffer.from(HIBERNATION_PAGE),
        );
        return;
      case 'rate_limit': {
        const retryAfter = options.random.chance(0.2) ? '1' : '0';
        replyJson(response, 429, 'Rate limit exceeded', { 'retry-after': retryAfter });
        return;
      }
      case 'server_error': {
        const status = options.random.weighted([
          [500, 1],
          [502, 1],
          [503, 2],
          [504, 1],
        ] as const);
        replyJson(response, status, 'The instance cannot handle the request now');
        return;
      }
      case 'outage':
        if (options.random.chance(0.5)) replyJson(response, 503, 'Service Unavailable');
        else
          reply(
            response,
            200,
            { 'content-type': 'text/html;charset=UTF-8' },
            Buffer.from(HIBERNATION_PAGE),
          );
        return;
      case 'unknown_error':
        replyJson(response, 500, 'Unknown error');
        return;
      case 'persist_failure':
        replyJson(response, 500, 'Unable to persist record');
        return;
    }
  }

  async function forward(
    request: IncomingMessage,
    body: Buffer,
    response: ServerResponse,
  ): Promise<number> {
    const answer = await exchange(request, body);
    reply(response, answer.status, answer.headers, answer.body);
    return answer.status;
  }

  function exchange(
    request: IncomingMessage,
    body: Buffer,
  ): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const outgoing = httpRequest(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: request.method,
          path: request.url,
          headers: { ...request.headers, host: upstream.host },
        },
        (incoming) => {
          readAll(incoming).then((text) => {
            const headers: Record<string, string> = {};
            for (const [name, value] of Object.entries(incoming.headers)) {
              if (
                typeof value === 'string' &&
                name !== 'connection' &&
                name !== 'keep-alive' &&
                name !== 'transfer-encoding'
              )
                headers[name] = value;
            }
            resolve({ status: incoming.statusCode ?? 502, headers, body: text });
          }, reject);
        },
      );
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    log,
    peakInFlight: () => peak,
    close: () =>
      new Promise<void>((resolve) => {
        closing.abort();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function drawFault(random: SeededRandom, plan: FaultPlan, at: number): InjectedFault | undefined {
  if (plan.outages.some((outage) => at >= outage.from && at < outage.to)) return 'outage';
  return random.chance(plan.faultRate) ? random.weighted(plan.weights) : undefined;
}

function replyJson(
  response: ServerResponse,
  status: number,
  message: string,
  headers: Record<string, string> = {},
): void {
  const body = Buffer.from(
    JSON.stringify({
      status: 'failure',
      error: { message, detail: 'Injected by the fault proxy' },
    }),
  );
  reply(response, status, { 'content-type': 'application/json;charset=UTF-8', ...headers }, body);
}

function reply(
  response: ServerResponse,
  status: number,
  headers: Record<string, string>,
  body: Buffer,
): void {
  if (response.destroyed || response.headersSent) return;
  response.writeHead(status, { ...headers, 'content-length': String(body.length) });
  response.end(body);
}

async function readAll(stream: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

function readColumns(body: Buffer): Record<string, string> {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, string>) : {};
  } catch {
    return {};
  }
}
