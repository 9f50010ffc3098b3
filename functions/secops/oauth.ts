import type { OAuthInstanceCredentials } from '../credentials/instance.ts';
import { quoteInstanceMessage, redactError, SecOpsError } from './errors.ts';
import { isJsonObject } from '../shared/json.ts';
import { MAX_SUCCESS_BODY_BYTES } from './body-limits.ts';
import { messageInCutBody } from './cut-body.ts';
import { exchange, USER_AGENT, type InstanceResponse, type Transport } from './http.ts';
import {
  hasOtherTypeThanJson,
  notJsonError,
  NOT_JSON,
  parseJson,
  summarize,
  transportStatusError,
  withoutSecrets,
} from './responses.ts';

/** ServiceNow's OAuth token endpoint, relative to the instance URL. */
export const TOKEN_PATH = '/oauth_token.do';

/** Time before a token's `expires_in` at which it is replaced, in milliseconds. */
export const TOKEN_EXPIRY_MARGIN_MS = 60_000;

interface CachedToken {
  credentials: OAuthInstanceCredentials;
  accessToken: string;
  /** Epoch milliseconds after which the token is not used again. */
  replaceAt: number;
}

/**
 * Gets OAuth access tokens from the instance's `/oauth_token.do` and reuses each until 60 s
 * before its `expires_in`. Uses the password grant when the credentials contain a username
 * and password, else client_credentials. A token is reused only for credentials with the
 * same values, so credentials changed by a rotation get a token of their own.
 */
export class OAuthTokens {
  readonly #transport: Transport;
  readonly #now: () => number;
  #cached: CachedToken | undefined;
  #pending: { credentials: OAuthInstanceCredentials; token: Promise<string> } | undefined;

  constructor(options: { transport: Transport; now: () => number }) {
    this.#transport = options.transport;
    this.#now = options.now;
  }

  /**
   * Returns a valid access token for these credentials, requesting one when none is
   * cached. Concurrent calls share one token request, which times out after `timeoutMs`.
   * Throws SecOpsError: `unauthorized` when the instance rejects the client or user.
   */
  async accessToken(credentials: OAuthInstanceCredentials, timeoutMs: number): Promise<string> {
    const cached = this.#cached;
    if (cached !== undefined && sameValues(cached.credentials, credentials)) {
      if (this.#now() < cached.replaceAt) return cached.accessToken;
    }
    if (this.#pending === undefined || !sameValues(this.#pending.credentials, credentials)) {
      const token = this.#request(credentials, timeoutMs).finally(() => {
        if (this.#pending?.token === token) this.#pending = undefined;
      });
      this.#pending = { credentials, token };
    }
    return this.#pending.token;
  }

  /**
   * Forgets the cached token after the API rejected it with 401. A 401 for an older token
   * leaves a newer one in place, so concurrent requests that all saw the expiry make one
   * token request rather than one each.
   */
  invalidate(rejectedToken: string): void {
    if (this.#cached?.accessToken === rejectedToken) this.#cached = undefined;
  }

  async #request(credentials: OAuthInstanceCredentials, timeoutMs: number): Promise<string> {
    const url = new URL(TOKEN_PATH, credentials.instanceUrl);
    const form = new URLSearchParams({
      client_id: credentials.clientId,
      client_secret: credentials.clientSecret,
    });
    if (credentials.username !== undefined && credentials.password !== undefined) {
      form.set('grant_type', 'password');
      form.set('username', credentials.username);
      form.set('password', credentials.password);
    } else {
      form.set('grant_type', 'client_credentials');
    }

    const requestedAt = this.#now();
    const response = await exchange(
      this.#transport,
      url,
      {
        method: 'POST',
        headers: {
          Accept: 'application/json',
          'Content-Type': 'application/x-www-form-urlencoded',
          'User-Agent': USER_AGENT,
        },
        body: form.toString(),
        timeoutMs,
      },
      timeoutMs,
    );
    // A token endpoint that echoes the form, in an error or on an HTML page with any status,
    // would otherwise put the secrets in the error. The success body is read as sent,
    // because redaction could change the token.
    const secrets = [credentials.clientSecret, credentials.password ?? ''];
    let token: { accessToken: string; expiresInSeconds?: number };
    try {
      token = readTokenResponse(response, url.pathname, requestedAt);
    } catch (error) {
      if (!(error instanceof SecOpsError)) throw error;
      throw redactError(
        failureOf(() =>
          readTokenResponse(withoutSecrets(response, secrets), url.pathname, requestedAt),
        ) ?? new SecOpsError(error.code, error.message, { status: error.status }),
        secrets,
      );
    }
    const { accessToken, expiresInSeconds } = token;

    // A lifetime within the margin, or none given, makes a token for this one request only.
    if (expiresInSeconds !== undefined && expiresInSeconds * 1000 > TOKEN_EXPIRY_MARGIN_MS) {
      this.#cached = {
        credentials,
        accessToken,
        replaceAt: requestedAt + expiresInSeconds * 1000 - TOKEN_EXPIRY_MARGIN_MS,
      };
    }
    return accessToken;
  }
}

/** Returns the SecOpsError that `read` throws, or undefined when it throws none. */
function failureOf(read: () => unknown): SecOpsError | undefined {
  try {
    read();
  } catch (error) {
    if (error instanceof SecOpsError) return error;
    throw error;
  }
  return undefined;
}

/** True when both credentials would request a token for the same client and user. */
function sameValues(a: OAuthInstanceCredentials, b: OAuthInstanceCredentials): boolean {
  return (
    a.instanceUrl === b.instanceUrl &&
    a.clientId === b.clientId &&
    a.clientSecret === b.clientSecret &&
    a.username === b.username &&
    a.password === b.password
  );
}

/**
 * Reads the token endpoint's response. A success body contains the token, so it is never kept
 * on an error; error bodies ("access_denied", "invalid_client") are.
 */
function readTokenResponse(
  response: InstanceResponse,
  path: string,
  now: number,
): { accessToken: string; expiresInSeconds?: number } {
  if (response.status === 400 || response.status === 401) {
    const json = parseJson(response.body);
    const reason = isJsonObject(json)
      ? (json.error_description ?? json.error)
      : response.truncated === true
        ? messageInCutBody(response.body)
        : undefined;
    const quoted = typeof reason === 'string' ? ` ("${quoteInstanceMessage(reason)}")` : '';
    throw new SecOpsError(
      'unauthorized',
      `the instance refused an OAuth token at ${path} with HTTP ${response.status}${quoted}; check ` +
        'clientId and clientSecret (and username and password for the password grant) in the instance secret',
      { status: response.status, lastResponse: summarize(response) },
    );
  }
  if (response.status < 200 || response.status >= 300) {
    throw transportStatusError(response, path, now);
  }

  if (response.truncated === true) throw tooLargeForToken(response, path);
  const json = parseJson(response.body);
  if (json === NOT_JSON) throw notJsonError(response, path);
  const accessToken = isJsonObject(json) ? json.access_token : undefined;
  if (typeof accessToken !== 'string' || accessToken === '') {
    throw new SecOpsError(
      'unexpected_response',
      `the instance responded to ${path} with HTTP ${response.status} but no access_token`,
      { status: response.status },
    );
  }
  const expiresIn = Number(isJsonObject(json) ? json.expires_in : undefined);
  return {
    accessToken,
    expiresInSeconds: Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : undefined,
  };
}

/**
 * Returns the error for a 2xx from the token endpoint that is too large to read: `not_json`
 * for a hibernating instance's page (a content type other than JSON), else
 * `unexpected_response`. The body is not kept, because a success body from this endpoint
 * may contain a token.
 */
function tooLargeForToken(response: InstanceResponse, path: string): SecOpsError {
  if (hasOtherTypeThanJson(response)) return notJsonError(response, path);
  return new SecOpsError(
    'unexpected_response',
    `the instance responded to ${path} with HTTP ${response.status} and a body larger than ` +
      `${MAX_SUCCESS_BODY_BYTES} bytes, which is no OAuth token response; check instanceUrl in the instance secret`,
    { status: response.status },
  );
}
