import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RelayConfig } from '../functions/config/schema.ts';
import { CredentialStore, type SandboxOAuthClient, type SandboxUser } from './auth/credentials.ts';
import { BodyTooLargeError } from './errors.ts';
import { FaultState, type FaultController } from './faults.ts';
import { platformError, readBody, RESET, sendReply, type Exchange, type Outcome } from './http.ts';
import { resolveOptions } from './options.ts';
import { RecordStore, type SandboxRecord } from './record-store.ts';
import { RequestLog, type RecordedRequest } from './request-log.ts';
import { createRouter, type Router } from './router.ts';
import {
  indexEnrichmentMappings,
  type SandboxEnrichmentMapping,
} from './secops/enrichment-mappings.ts';
import { buildSecOpsRoutes, configuredTables } from './secops/routes.ts';

export type { SandboxOAuthClient, SandboxUser } from './auth/credentials.ts';
export { DEFAULT_OAUTH_CLIENTS, DEFAULT_USERS, SECOPS_WRITE_ROLE } from './auth/credentials.ts';
export type { ActiveFault, FaultController, SandboxFault, SandboxFaultInput } from './faults.ts';
export type { SandboxRecord } from './record-store.ts';
export type { RecordedRequest } from './request-log.ts';
export {
  createJsonFieldsMapping,
  DEFAULT_ENRICHMENT_MAPPING_ID,
  type SandboxEnrichmentMapping,
} from './secops/enrichment-mappings.ts';
export { InvalidFaultError, SandboxSetupError } from './errors.ts';

/** The part of a Powertools Logger the sandbox uses; tests pass their own to read the lines. */
export interface SandboxLogger {
  info(message: string, attributes: Record<string, unknown>): void;
  error(message: string, attributes: Record<string, unknown>): void;
}

export interface SandboxOptions {
  /** Port to listen on; default 3001, and 0 picks a free port. */
  port?: number;
  /** Address to listen on; default 127.0.0.1. Anything but a loopback address is rejected. */
  host?: string;
  /** Paths, tables, columns and mandatory fields come from here; default `parseConfig({})`. */
  config?: RelayConfig;
  /** Default: `relay.integration` with role sn_sec_cmn.api_write and `no.role` without, both with password `sandbox-password`. */
  users?: SandboxUser[];
  /** Default: `sandbox-client` with secret `sandbox-client-secret`. */
  oauthClients?: SandboxOAuthClient[];
  /** Lifetime of issued OAuth access tokens, in seconds; default 1800. */
  tokenLifetimeSeconds?: number;
  /** Default: one JSON mapping with sys_id DEFAULT_ENRICHMENT_MAPPING_ID. */
  enrichmentMappings?: SandboxEnrichmentMapping[];
  /** Clock for sys_created_on, token expiry and Retry-After resets; default the system clock. */
  now?: () => Date;
  /** Default: the project's Powertools logger, one JSON line per request. */
  logger?: SandboxLogger;
}

/** A running sandbox instance. */
export interface Sandbox {
  /** Base URL, such as `http://127.0.0.1:3001`. */
  url: string;
  port: number;
  /** Stops listening and destroys open connections, keep-alive ones included. */
  close(): Promise<void>;
  /** Copies of the records stored in a configured table, in insertion order; throws for other tables. */
  records(table: string): SandboxRecord[];
  faults: FaultController;
  /** Every request to the SecOps API and OAuth paths, in arrival order, without credentials. */
  requests(): RecordedRequest[];
  /** Changes a user's password, as an administrator rotating credentials would. */
  setPassword(username: string, password: string): void;
  /** Invalidates every issued OAuth token, so bearer requests get 401 until a new token is fetched. */
  expireTokens(): void;
}

function errorOutcome(error: unknown): Outcome {
  if (error instanceof BodyTooLargeError) {
    return {
      status: 413,
      json: platformError('Request Entity Too Large', `${error.message}; send a smaller body`),
      headers: { connection: 'close' },
    };
  }
  return {
    status: 500,
    json: platformError('Internal sandbox error', (error as Error).message),
  };
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/**
 * Starts a local stand-in for a ServiceNow instance: the SecOps Integration Capabilities
 * API at the configured paths, OAuth at `/oauth_token.do`, a read-only Table API, and
 * fault injection at `/sandbox/faults`. It listens on loopback only.
 *
 * @example
 * const sandbox = await startSandbox({ port: 0 });
 * // POST `${sandbox.url}/api/sn_sec_cmn/secops_integration_capabilities/threat_lookup_result`
 * await sandbox.close();
 */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const settings = resolveOptions(options);
  const { config, now, logger } = settings;

  const store = new RecordStore(configuredTables(config), now);
  const credentials = new CredentialStore(
    settings.users,
    settings.oauthClients,
    settings.tokenLifetimeSeconds,
    now,
  );
  const faults = new FaultState();
  const requestLog = new RequestLog();
  const shutdown = new AbortController();
  const router: Router = createRouter({
    basePath: config.instance.api.basePath,
    routes: buildSecOpsRoutes(config),
    mappings: indexEnrichmentMappings(settings.enrichmentMappings),
    credentials,
    store,
    faults,
    requestLog,
    now,
    shutdown: shutdown.signal,
  });

  const serve = async (request: IncomingMessage, response: ServerResponse) => {
    const startedAt = performance.now();
    const url = URL.parse(request.url ?? '/', 'http://sandbox.invalid');
    if (url === null) {
      sendReply(response, {
        status: 400,
        json: platformError('Invalid request target', 'The request path is not a valid URL'),
        headers: { connection: 'close' },
      });
      return;
    }
    const exchange: Exchange = {
      method: request.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: request.headers,
      body: '',
    };
    const complete = router.isRecorded(exchange.path)
      ? requestLog.start(exchange, now())
      : undefined;

    response.once('close', () => {
      const status = response.writableFinished ? response.statusCode : null;
      complete?.(status);
      logger.info('Sandbox request', {
        method: exchange.method,
        path: exchange.path,
        status,
        user: exchange.user,
        authFailure: exchange.authFailure,
        fault: exchange.fault,
        durationMs: Math.round(performance.now() - startedAt),
      });
    });

    let outcome: Outcome;
    try {
      exchange.body = await readBody(request);
      outcome = await router.dispatch(exchange, request.socket.remoteAddress);
    } catch (error) {
      if (!(error instanceof BodyTooLargeError)) {
        logger.error('Sandbox request failed', {
          method: exchange.method,
          path: exchange.path,
          error,
        });
      }
      outcome = errorOutcome(error);
    }

    if (outcome === RESET) {
      request.socket.destroy();
    } else {
      sendReply(response, outcome);
    }
  };

  const server = createServer((request, response) => {
    serve(request, response).catch((error: unknown) => {
      logger.error('Sandbox request failed', { method: request.method, error });
      response.destroy();
    });
  });
  const port = await listen(server, settings.port, settings.host);
  const hostInUrl = settings.host.includes(':') ? `[${settings.host}]` : settings.host;
  logger.info('Sandbox started', { url: `http://${hostInUrl}:${port}` });

  let closing: Promise<void> | undefined;
  return {
    url: `http://${hostInUrl}:${port}`,
    port,
    faults,
    close() {
      closing ??= new Promise<void>((resolve) => {
        shutdown.abort();
        server.close(() => {
          logger.info('Sandbox stopped', { port });
          resolve();
        });
        server.closeAllConnections();
      });
      return closing;
    },
    records: (table) => store.list(table),
    requests: () => requestLog.list(),
    setPassword: (username, password) => credentials.setPassword(username, password),
    expireTokens: () => credentials.expireTokens(),
  };
}
