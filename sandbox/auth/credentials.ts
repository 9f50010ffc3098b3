import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A user account of the sandbox instance. */
export interface SandboxUser {
  username: string;
  password: string;
  /** Role names, such as `sn_sec_cmn.api_write`. */
  roles: string[];
}

/** An OAuth application registry entry of the sandbox instance. */
export interface SandboxOAuthClient {
  clientId: string;
  clientSecret: string;
  /** User the `client_credentials` grant acts as; `relay.integration` when absent. */
  clientCredentialsUser?: string;
}

/** Role the SecOps Integration Capabilities API requires of its caller. */
export const SECOPS_WRITE_ROLE = 'sn_sec_cmn.api_write';

export const DEFAULT_USERS: readonly SandboxUser[] = [
  { username: 'relay.integration', password: 'sandbox-password', roles: [SECOPS_WRITE_ROLE] },
  { username: 'no.role', password: 'sandbox-password', roles: [] },
];

export const DEFAULT_OAUTH_CLIENTS: readonly SandboxOAuthClient[] = [
  { clientId: 'sandbox-client', clientSecret: 'sandbox-client-secret' },
];

const DEFAULT_CLIENT_CREDENTIALS_USER = 'relay.integration';

export type AuthFailureReason =
  | 'missing_credentials'
  | 'unsupported_scheme'
  | 'malformed_basic'
  | 'unknown_user'
  | 'wrong_password'
  | 'unknown_token'
  | 'expired_token';

export type AuthResult = { ok: true; user: SandboxUser } | { ok: false; reason: AuthFailureReason };

export interface IssuedToken {
  accessToken: string;
  expiresInSeconds: number;
}

/** Compares two secrets in constant time, whatever their lengths. */
function secretsEqual(actual: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(actual), digest(expected));
}

/** Users, OAuth clients and the access tokens issued to them. */
export class CredentialStore {
  private readonly users = new Map<string, SandboxUser>();
  private readonly clients = new Map<string, SandboxOAuthClient>();
  private readonly tokens = new Map<string, { username: string; expiresAtMs: number }>();

  constructor(
    users: readonly SandboxUser[],
    clients: readonly SandboxOAuthClient[],
    private readonly tokenLifetimeSeconds: number,
    private readonly now: () => Date,
  ) {
    // Copies, so that setPassword never changes an object the caller passed in.
    for (const user of users) this.users.set(user.username, { ...user, roles: [...user.roles] });
    for (const client of clients) this.clients.set(client.clientId, { ...client });
  }

  /** Checks an Authorization header holding Basic credentials or an OAuth bearer token. */
  authenticate(authorization: string | undefined): AuthResult {
    if (authorization === undefined || authorization.trim() === '') {
      return { ok: false, reason: 'missing_credentials' };
    }
    const [scheme = '', value = ''] = authorization.trim().split(/\s+/, 2);
    switch (scheme.toLowerCase()) {
      case 'basic':
        return this.checkBasic(value);
      case 'bearer':
        return this.checkToken(value);
      default:
        return { ok: false, reason: 'unsupported_scheme' };
    }
  }

  checkPassword(username: string, password: string): AuthResult {
    const user = this.users.get(username);
    if (user === undefined) return { ok: false, reason: 'unknown_user' };
    if (!secretsEqual(password, user.password)) return { ok: false, reason: 'wrong_password' };
    return { ok: true, user };
  }

  /** Returns the client when the id is registered and the secret matches. */
  checkClient(clientId: string, clientSecret: string): SandboxOAuthClient | undefined {
    const client = this.clients.get(clientId);
    if (client === undefined || !secretsEqual(clientSecret, client.clientSecret)) return undefined;
    return client;
  }

  /** Finds the user a `client_credentials` grant of this client acts as. */
  clientCredentialsUser(client: SandboxOAuthClient): SandboxUser | undefined {
    return this.users.get(client.clientCredentialsUser ?? DEFAULT_CLIENT_CREDENTIALS_USER);
  }

  issueToken(user: SandboxUser): IssuedToken {
    const accessToken = randomBytes(32).toString('base64url');
    const expiresAtMs = this.now().getTime() + this.tokenLifetimeSeconds * 1000;
    this.tokens.set(accessToken, { username: user.username, expiresAtMs });
    return { accessToken, expiresInSeconds: this.tokenLifetimeSeconds };
  }

  /** Changes a user's password; tokens issued before stay valid, as on an instance. */
  setPassword(username: string, password: string): void {
    const user = this.users.get(username);
    if (user === undefined) {
      throw new RangeError(
        `Unknown sandbox user "${username}"; users: ${[...this.users.keys()].join(', ')}`,
      );
    }
    user.password = password;
  }

  expireTokens(): void {
    this.tokens.clear();
  }

  private checkBasic(encoded: string): AuthResult {
    const decoded = Buffer.from(encoded, 'base64').toString('utf8');
    // A password may contain ":", a user name may not (RFC 7617).
    const separator = decoded.indexOf(':');
    if (separator === -1) return { ok: false, reason: 'malformed_basic' };
    return this.checkPassword(decoded.slice(0, separator), decoded.slice(separator + 1));
  }

  private checkToken(token: string): AuthResult {
    const entry = this.tokens.get(token);
    if (entry === undefined) return { ok: false, reason: 'unknown_token' };
    if (this.now().getTime() >= entry.expiresAtMs) {
      this.tokens.delete(token);
      return { ok: false, reason: 'expired_token' };
    }
    const user = this.users.get(entry.username);
    if (user === undefined) return { ok: false, reason: 'unknown_user' };
    return { ok: true, user };
  }
}
