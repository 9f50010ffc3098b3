import {
  startSandbox,
  type Sandbox,
  type SandboxLogger,
  type SandboxOptions,
} from '../../sandbox/server.ts';

/** Default base path of the SecOps Integration Capabilities API in the configuration. */
export const API_PATH = '/api/sn_sec_cmn/secops_integration_capabilities';
export const PASSWORD = 'sandbox-password';

export const THREAT_LOOKUP = {
  observable: '198.51.100.7',
  observable_type: 'IP address (V4)',
  finding: 'Malicious',
  source: 'VirusTotal',
};

export function basicAuth(username = 'relay.integration', password = PASSWORD): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

export interface LogLine {
  level: 'info' | 'error';
  message: string;
  attributes: Record<string, unknown>;
}

/** Starts a sandbox on a free port, collecting its log lines instead of writing them to stdout. */
export async function startTestSandbox(
  options: SandboxOptions = {},
): Promise<{ sandbox: Sandbox; logs: LogLine[] }> {
  const logs: LogLine[] = [];
  const logger: SandboxLogger = {
    info: (message, attributes) => logs.push({ level: 'info', message, attributes }),
    error: (message, attributes) => logs.push({ level: 'error', message, attributes }),
  };
  const sandbox = await startSandbox({ port: 0, logger, ...options });
  return { sandbox, logs };
}

export interface CallResult {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed body, or undefined when it is not JSON. */
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface CallOptions {
  method?: string;
  /** A string is sent as is; anything else as JSON. */
  body?: unknown;
  /** Authorization header; basic auth of relay.integration unless set, null sends none. */
  authorization?: string | null;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export async function call(
  sandbox: Sandbox,
  path: string,
  options: CallOptions = {},
): Promise<CallResult> {
  const headers: Record<string, string> = { ...options.headers };
  const authorization = options.authorization === undefined ? basicAuth() : options.authorization;
  if (authorization !== null) headers.authorization = authorization;

  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }

  const response = await fetch(`${sandbox.url}${path}`, {
    method: options.method ?? (body === undefined ? 'GET' : 'POST'),
    headers,
    body,
    signal: options.signal,
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** Posts a body to a SecOps API resource, with an optional query string such as `simple_response=true`. */
export function postRecord(
  sandbox: Sandbox,
  resource: string,
  body: unknown,
  options: Omit<CallOptions, 'body' | 'method'> & { query?: string } = {},
): Promise<CallResult> {
  const query = options.query === undefined ? '' : `?${options.query}`;
  return call(sandbox, `${API_PATH}/${resource}${query}`, { ...options, method: 'POST', body });
}

/** Client id and secret of the default OAuth client, as form fields. */
export const CLIENT = { client_id: 'sandbox-client', client_secret: 'sandbox-client-secret' };

/** Requests a token from /oauth_token.do with a form-encoded body. */
export function requestToken(sandbox: Sandbox, form: Record<string, string>): Promise<CallResult> {
  return call(sandbox, '/oauth_token.do', {
    method: 'POST',
    authorization: null,
    body: new URLSearchParams(form).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
}

/** Requests a token with the password grant of the default client. */
export function requestPasswordToken(
  sandbox: Sandbox,
  username = 'relay.integration',
): Promise<CallResult> {
  return requestToken(sandbox, { grant_type: 'password', ...CLIENT, username, password: PASSWORD });
}
