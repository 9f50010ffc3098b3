import type { Exchange, Reply } from '../http.ts';
import type { CredentialStore, SandboxOAuthClient, SandboxUser } from './credentials.ts';

/** Path of ServiceNow's OAuth token endpoint. */
export const OAUTH_TOKEN_PATH = '/oauth_token.do';

/** Scope ServiceNow grants to tokens that ask for none. */
const DEFAULT_SCOPE = 'useraccount';

const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };

function invalidRequest(error: string, description: string): Reply {
  return { status: 400, json: { error, error_description: description }, headers: NO_STORE };
}

/** ServiceNow sends this body for every rejected client or user, whatever the cause. */
function accessDenied(exchange: Exchange, reason: string): Reply {
  exchange.authFailure = reason;
  return {
    status: 401,
    json: { error_description: 'access_denied', error: 'server_error' },
    headers: NO_STORE,
  };
}

/** Reads client_id and client_secret from the form, or else from a Basic Authorization header. */
function clientCredentialsOf(
  exchange: Exchange,
  form: URLSearchParams,
): { clientId: string; clientSecret: string } | undefined {
  const clientId = form.get('client_id');
  const clientSecret = form.get('client_secret');
  if (clientId !== null && clientSecret !== null) return { clientId, clientSecret };

  const authorization = exchange.headers.authorization ?? '';
  const match = /^basic\s+(\S+)$/i.exec(authorization.trim());
  if (match === null) return undefined;
  const decoded = Buffer.from(match[1] ?? '', 'base64').toString('utf8');
  const separator = decoded.indexOf(':');
  if (separator === -1) return undefined;
  return { clientId: decoded.slice(0, separator), clientSecret: decoded.slice(separator + 1) };
}

function resourceOwner(
  exchange: Exchange,
  form: URLSearchParams,
  client: SandboxOAuthClient,
  credentials: CredentialStore,
): SandboxUser | Reply {
  const grantType = form.get('grant_type');
  if (grantType === 'client_credentials') {
    const user = credentials.clientCredentialsUser(client);
    return user ?? accessDenied(exchange, 'unknown_user');
  }

  const username = form.get('username');
  const password = form.get('password');
  if (username === null || password === null) {
    return invalidRequest(
      'invalid_request',
      'grant_type=password requires the username and password parameters',
    );
  }
  const result = credentials.checkPassword(username, password);
  return result.ok ? result.user : accessDenied(exchange, result.reason);
}

/**
 * Issues an access token for `grant_type=password` (client and user credentials) or
 * `grant_type=client_credentials` (client credentials only; the token acts as the client's
 * configured user). The body is form-encoded, as on `/oauth_token.do` of an instance.
 */
export function handleTokenRequest(exchange: Exchange, credentials: CredentialStore): Reply {
  const contentType = exchange.headers['content-type'] ?? '';
  if (!contentType.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    return invalidRequest(
      'invalid_request',
      `Content-Type must be application/x-www-form-urlencoded, not "${contentType}"`,
    );
  }

  const form = new URLSearchParams(exchange.body);
  const grantType = form.get('grant_type');
  if (grantType !== 'password' && grantType !== 'client_credentials') {
    return invalidRequest(
      'unsupported_grant_type',
      `grant_type must be "password" or "client_credentials", not "${grantType ?? ''}"`,
    );
  }

  const presented = clientCredentialsOf(exchange, form);
  if (presented === undefined) {
    return invalidRequest(
      'invalid_request',
      'Send client_id and client_secret in the form or as a Basic Authorization header',
    );
  }
  const client = credentials.checkClient(presented.clientId, presented.clientSecret);
  if (client === undefined) return accessDenied(exchange, 'invalid_client');

  const owner = resourceOwner(exchange, form, client, credentials);
  if ('status' in owner) return owner;

  exchange.user = owner.username;
  const token = credentials.issueToken(owner);
  return {
    status: 200,
    json: {
      access_token: token.accessToken,
      scope: form.get('scope') ?? DEFAULT_SCOPE,
      token_type: 'Bearer',
      expires_in: token.expiresInSeconds,
    },
    headers: NO_STORE,
  };
}
