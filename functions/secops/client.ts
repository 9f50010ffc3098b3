import type { RelayConfig } from '../config/schema.ts';
import type {
  BasicInstanceCredentials,
  InstanceCredentials,
  InstanceCredentialsProvider,
} from '../credentials/instance.ts';
import { toInstanceRequest, type InstanceRequest } from '../records/columns.ts';
import type { RelayRecord } from '../records/record.ts';
import { createLogger } from '../shared/logger.ts';
import { CircuitOpenError } from './circuit-breaker.ts';
import { redactError, redactSecrets, SecOpsError } from './errors.ts';
import {
  exchange,
  nodeTransport,
  USER_AGENT,
  type Transport,
  type UnansweredTally,
} from './http.ts';
import { OAuthTokens } from './oauth.ts';
import { interpretCreateResponse, withoutSecrets, type RequestContext } from './responses.ts';
import { backoffDelayMs } from './retry.ts';

/** The logging calls the client makes; a Powertools Logger fits. */
export interface ClientLogger {
  warn(message: string, attributes: Record<string, unknown>): void;
  error(message: string, attributes: Record<string, unknown>): void;
}

export interface SecOpsClientOptions {
  config: RelayConfig;
  credentials: InstanceCredentialsProvider;
  /** Transport to the instance: node:http(s) with keep-alive unless a test passes its own. */
  transport?: Transport;
  sleep?: (ms: number) => Promise<void>;
  /** A uniform draw from [0, 1) for backoff jitter. */
  random?: () => number;
  /** Clock in epoch milliseconds, used for the deadline, Retry-After dates and token expiry. */
  now?: () => number;
  logger?: ClientLogger;
}

export interface CreateOptions {
  /** Epoch milliseconds by which the call must have finished, such as the Lambda's end minus a margin. */
  deadline: number;
  /** Keys added to each log line, such as `deliveryId` and `source`; never secrets. */
  log?: Record<string, unknown>;
  /** Handed to the transport with every request of this call; see `watchUnansweredPosts`. */
  unanswered?: UnansweredTally;
}

export interface CreateResult {
  table: string;
  /**
   * sys_id of the new record. Absent with simple_response, which returns none, and when a
   * 2xx response was too large to read or had none, which the client logs as a warning.
   */
  sysId?: string;
  /** HTTP requests to the API for this record, the successful one included. */
  attempts: number;
  status: number;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Creates records through the "SecOps Integration Capabilities" scripted REST API of one
 * instance, with the retry policy written at `create`. Connections are reused: the
 * transport keeps them alive in its pool, and the client never sends `Connection: close`.
 *
 * @example
 * const client = new SecOpsClient({ config, credentials });
 * const { sysId } = await client.create(record, {
 *   deadline: Date.now() + context.getRemainingTimeInMillis() - 5_000,
 *   log: { deliveryId, source },
 * });
 */
export class SecOpsClient {
  readonly #config: RelayConfig;
  readonly #credentials: InstanceCredentialsProvider;
  readonly #transport: Transport;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #random: () => number;
  readonly #now: () => number;
  readonly #logger: ClientLogger;
  readonly #tokens: OAuthTokens;
  /** API endpoints by instance URL and path; transports only read the URL they are given. */
  readonly #endpoints = new Map<string, URL>();

  constructor(options: SecOpsClientOptions) {
    this.#config = options.config;
    this.#credentials = options.credentials;
    this.#transport = options.transport ?? nodeTransport;
    this.#sleep = options.sleep ?? defaultSleep;
    this.#random = options.random ?? Math.random;
    this.#now = options.now ?? Date.now;
    this.#logger = options.logger ?? createLogger('secops-relay');
    this.#tokens = new OAuthTokens({ transport: this.#transport, now: this.#now });
  }

  /**
   * Posts one record to the instance and returns where it was stored.
   *
   * Retry policy:
   * - At most `instance.maxAttempts` attempts. Only errors whose `retryable` is true are
   *   retried. The permanent ones (role missing, invalid body, mandatory fields missing,
   *   insert failed) are thrown at once.
   * - Between attempts the client waits a full-jitter exponential backoff, a uniform draw
   *   from 0 to min(5 s, 200 ms * 2^(n-1)) after the n-th failure. A `Retry-After` from
   *   the instance (seconds or an HTTP date) is the minimum wait.
   * - Each attempt, the OAuth token request included, is aborted after
   *   `instance.requestTimeoutMs`.
   * - No attempt starts unless its whole timeout fits before `deadline`, and no wait
   *   starts unless the wait and one more attempt fit. When they do not, the last
   *   retryable error is thrown so the queue delivers the record again later.
   * - A 401 makes the client read the credentials again (and drop the OAuth token), then
   *   try once more at once, outside the maxAttempts count. A second 401 throws
   *   `unauthorized` without further retries, because repeating a rejected login only adds
   *   failed logins on the instance; the queue tries again later.
   *
   * A POST that timed out may have been stored, so a retry can create a duplicate: the
   * delivery is at least once. A 2xx is retried only when its body is a failure body or the
   * hibernation page (see interpretCreateResponse), never because it is empty, too large to
   * read or has no sys_id.
   *
   * Throws SecOpsError, or the SecretError of the credentials provider when the instance
   * secret cannot be read or is invalid.
   */
  async create(record: RelayRecord, options: CreateOptions): Promise<CreateResult> {
    const request = toInstanceRequest(record, this.#config);
    const context: RequestContext = {
      kind: record.kind,
      table: request.table,
      path: `${this.#config.instance.api.basePath}/${request.resource}`,
      simpleResponse: this.#config.instance.api.simpleResponse,
    };
    const { maxAttempts, requestTimeoutMs } = this.#config.instance;
    const logFields = { ...options.log, table: request.table };

    let credentials = await this.#credentials.get();
    let attempts = 0;
    let refreshedAfter401 = false;
    let lastError: SecOpsError | undefined;
    // The bearer token of the latest attempt, so a 401 drops that token and no newer one.
    const sent: { token?: string } = {};

    for (;;) {
      if (this.#now() + requestTimeoutMs > options.deadline) {
        throw this.#fail(lastError ?? this.#noTimeLeft(requestTimeoutMs), logFields);
      }

      attempts += 1;
      try {
        const created = await this.#attempt(
          credentials,
          request,
          context,
          sent,
          options.unanswered,
        );
        if (created.sysIdProblem !== undefined) {
          // The instance stored the record, so it counts as delivered, because a retry would store it twice.
          this.#logger.warn('Instance accepted the record, but its sys_id is unknown', {
            ...logFields,
            path: context.path,
            status: created.status,
            attempt: attempts,
            problem: created.sysIdProblem,
          });
        }
        return { table: request.table, sysId: created.sysId, attempts, status: created.status };
      } catch (error) {
        if (error instanceof CircuitOpenError && lastError !== undefined) {
          error.recordFailure = lastError;
        }
        if (!(error instanceof SecOpsError)) throw error;
        error.attempts = attempts;
        lastError = error;
      }

      if (lastError.code === 'unauthorized') {
        if (refreshedAfter401) {
          throw this.#fail(this.#stillUnauthorized(lastError), logFields);
        }
        refreshedAfter401 = true;
        this.#logger.warn('Instance returned 401; reading the credentials again and retrying', {
          ...logFields,
          ...errorFields(lastError),
        });
        if (sent.token !== undefined) this.#tokens.invalidate(sent.token);
        credentials = await this.#credentials.refresh(credentials);
        continue;
      }

      // The retry after a 401 does not count against maxAttempts.
      const transientAttempts = attempts - (refreshedAfter401 ? 1 : 0);
      if (!lastError.retryable || transientAttempts >= maxAttempts) {
        throw this.#fail(lastError, logFields);
      }

      const waitMs = Math.max(
        backoffDelayMs(transientAttempts, this.#random),
        lastError.retryAfterMs ?? 0,
      );
      if (this.#now() + waitMs + requestTimeoutMs > options.deadline) {
        throw this.#fail(lastError, { ...logFields, waitMs, stoppedBy: 'deadline' });
      }
      this.#logger.warn('SecOps API request failed; retrying', {
        ...logFields,
        ...errorFields(lastError),
        waitMs,
      });
      await this.#sleep(waitMs);
    }
  }

  async #attempt(
    credentials: InstanceCredentials,
    request: InstanceRequest,
    context: RequestContext,
    sent: { token?: string },
    unanswered: UnansweredTally | undefined,
  ): Promise<{ sysId?: string; sysIdProblem?: string; status: number }> {
    const timeoutMs = this.#config.instance.requestTimeoutMs;
    const started = this.#now();
    let authorization: string;
    if (credentials.auth === 'basic') {
      authorization = basicAuthorization(credentials);
      sent.token = undefined;
    } else {
      sent.token = await this.#tokens.accessToken(credentials, timeoutMs);
      authorization = `Bearer ${sent.token}`;
    }

    const response = await exchange(
      this.#transport,
      this.#endpoint(credentials.instanceUrl, context.path),
      {
        method: 'POST',
        headers: {
          Accept: 'application/json',
          'Content-Type': 'application/json',
          Authorization: authorization,
          'User-Agent': USER_AGENT,
        },
        body: JSON.stringify(request.body),
        // The token request and the POST share the attempt's time limit.
        timeoutMs: Math.max(1, timeoutMs - (this.#now() - started)),
        unanswered,
      },
      timeoutMs,
    );

    const secrets = credentialForms(credentials, authorization);
    const result = interpretCreateResponse(response, context, this.#now());
    if (result.ok && result.sysIdProblem === undefined) {
      // Only the sys_id of a stored record's response is kept, so only it is redacted. Scanning
      // every body for the credentials' encoded forms took about 2 µs per record.
      const sysId = result.sysId === undefined ? undefined : redactSecrets(result.sysId, secrets);
      return { sysId, status: response.status };
    }
    // Any other outcome may quote the body or a header, so it is read again with the
    // credentials redacted. The message is redacted once more, because it quotes the
    // instance's text decoded from JSON.
    const quoted = interpretCreateResponse(withoutSecrets(response, secrets), context, this.#now());
    if (!quoted.ok) throw redactError(quoted.error, secrets);
    return {
      sysId: quoted.sysId === undefined ? undefined : redactSecrets(quoted.sysId, secrets),
      sysIdProblem:
        quoted.sysIdProblem === undefined ? undefined : redactSecrets(quoted.sysIdProblem, secrets),
      status: response.status,
    };
  }

  #endpoint(instanceUrl: string, path: string): URL {
    const key = `${instanceUrl} ${path}`;
    let url = this.#endpoints.get(key);
    if (url === undefined) {
      const { ignoreMandatoryFields, includeWrap, simpleResponse } = this.#config.instance.api;
      url = new URL(path, instanceUrl);
      url.search = new URLSearchParams({
        ignore_mandatory_fields: String(ignoreMandatoryFields),
        include_wrap: String(includeWrap),
        simple_response: String(simpleResponse),
      }).toString();
      // A rotation may move the instance, so the cache is bounded rather than kept forever.
      if (this.#endpoints.size >= MAX_CACHED_ENDPOINTS) this.#endpoints.clear();
      this.#endpoints.set(key, url);
    }
    return url;
  }

  #fail(error: SecOpsError, logFields: Record<string, unknown>): SecOpsError {
    this.#logger.error('SecOps API request failed', { ...logFields, ...errorFields(error) });
    return error;
  }

  #stillUnauthorized(error: SecOpsError): SecOpsError {
    return new SecOpsError(
      'unauthorized',
      `${error.message}, again after the credentials were read again from secret ` +
        `"${this.#credentials.secretName}"; fix them there, or wait for a rotation in progress to finish`,
      {
        status: error.status,
        attempts: error.attempts,
        lastResponse: error.lastResponse,
        cause: error,
      },
    );
  }

  #noTimeLeft(requestTimeoutMs: number): SecOpsError {
    return new SecOpsError(
      'timeout',
      `no attempt was made because less than instance.requestTimeoutMs (${requestTimeoutMs} ms) ` +
        'was left before the deadline; raise the function timeout or lower instance.requestTimeoutMs',
    );
  }
}

/** Maximum endpoint URLs one client keeps: one per record table, for a few instance URLs. */
const MAX_CACHED_ENDPOINTS = 32;

/**
 * Returns the credential texts an instance response must not carry into a log line or error:
 * the Authorization header value and its encoded part, and each password or client secret.
 * The username and client id are not secret and stay.
 */
function credentialForms(credentials: InstanceCredentials, authorization: string): string[] {
  const secrets = [authorization, authorization.slice(authorization.indexOf(' ') + 1)];
  if (credentials.auth === 'basic') {
    secrets.push(credentials.password, `${credentials.username}:${credentials.password}`);
  } else {
    secrets.push(credentials.clientSecret, credentials.password ?? '');
  }
  return secrets;
}

const basicHeaders = new WeakMap<BasicInstanceCredentials, string>();

/** Returns the Basic Authorization header of the credentials, built once per credentials object. */
function basicAuthorization(credentials: BasicInstanceCredentials): string {
  let header = basicHeaders.get(credentials);
  if (header === undefined) {
    const pair = Buffer.from(`${credentials.username}:${credentials.password}`, 'utf8');
    header = `Basic ${pair.toString('base64')}`;
    basicHeaders.set(credentials, header);
  }
  return header;
}

function errorFields(error: SecOpsError): Record<string, unknown> {
  return {
    attempt: error.attempts,
    code: error.code,
    status: error.status,
    retryable: error.retryable,
    retryAfterMs: error.retryAfterMs,
    error,
  };
}
