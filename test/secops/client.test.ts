import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RelayConfigInput } from '../../functions/config/schema.ts';
import { parseConfig } from '../../functions/config/load.ts';
import { SecretError } from '../../functions/credentials/secret-store.ts';
import type { RelayRecord } from '../../functions/records/record.ts';
import {
  CountingSecretStore,
  createTestClient,
  failureOf,
  SECRET_NAME,
  THREAT_LOOKUP,
} from './harness.ts';
import { startScriptedInstance, type ScriptedInstance } from './scripted-instance.ts';

const PASSWORD = 'old-password-value';
const ROTATED = 'new-password-value';
const API_PATH = '/api/sn_sec_cmn/secops_integration_capabilities/threat_lookup_result';

const record: RelayRecord = { ...THREAT_LOOKUP, summary: '12 of 90 engines flag this address' };

const created = { status: 201, body: { status: 'success', sys_id: 'f'.repeat(32) } };
const unavailable = { status: 503, body: '<html>Service Unavailable</html>' };
const failure = (message: string) => ({ status: 'failure', error: { message, detail: '' } });

let instance: ScriptedInstance;

beforeEach(async () => {
  instance = await startScriptedInstance();
});

afterEach(async () => {
  await instance.close();
});

function setup(
  options: {
    config?: RelayConfigInput;
    secret?: Record<string, unknown>;
    random?: () => number;
  } = {},
) {
  const config = parseConfig({
    ...options.config,
    instance: { requestTimeoutMs: 1000, maxAttempts: 4, ...options.config?.instance },
  });
  const store = new CountingSecretStore({
    [SECRET_NAME]: options.secret ?? {
      instanceUrl: instance.url,
      auth: 'basic',
      username: 'relay.integration',
      password: PASSWORD,
    },
  });
  const { client, clock, logger } = createTestClient({ config, store, random: options.random });
  const deadline = () => clock.now() + 60_000;
  return { client, store, clock, logger, deadline };
}

function basicHeader(password: string): string {
  return `Basic ${Buffer.from(`relay.integration:${password}`).toString('base64')}`;
}

describe('SecOpsClient request', () => {
  it('posts the mapped record as JSON', async () => {
    const { client, deadline } = setup();

    const result = await client.create(record, { deadline: deadline() });

    expect(result).toEqual({
      table: 'sn_ti_lookup_result',
      sysId: 'f'.repeat(32),
      attempts: 1,
      status: 201,
    });
    const [request] = instance.requests;
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe(API_PATH);
    expect(request?.headers.accept).toBe('application/json');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers.authorization).toBe(basicHeader(PASSWORD));
    expect(JSON.parse(request?.body ?? '')).toEqual({
      observable: '198.51.100.7',
      observable_type: 'IP address (V4)',
      finding: 'Malicious',
      source: 'VirusTotal',
      result: '12 of 90 engines flag this address',
    });
  });

  it('sends the three API parameters from the configuration', async () => {
    const { client, deadline } = setup({
      config: {
        instance: {
          api: { ignoreMandatoryFields: true, includeWrap: false, simpleResponse: true },
        },
      },
    });

    await client.create(record, { deadline: deadline() });

    const query = instance.requests[0]?.query;
    expect(query?.get('ignore_mandatory_fields')).toBe('true');
    expect(query?.get('include_wrap')).toBe('false');
    expect(query?.get('simple_response')).toBe('true');
  });

  it('posts to the configured base path and resource', async () => {
    const { client, deadline } = setup({
      config: {
        instance: { api: { basePath: '/api/x_acme/secops' } },
        records: { threat_lookup_result: { resource: 'lookups' } },
      },
    });

    await client.create(record, { deadline: deadline() });

    expect(instance.requests[0]?.path).toBe('/api/x_acme/secops/lookups');
  });

  it('reuses pooled kept-alive connections', async () => {
    const { client, deadline } = setup();

    for (let i = 0; i < 6; i += 1) await client.create(record, { deadline: deadline() });

    // Undici returns a connection to its pool just after the body is read, so a request
    // sent at once may open a second connection. Without keep-alive there would be six.
    const ports = new Set(instance.requests.map((request) => request.remotePort));
    expect(ports.size).toBeLessThan(6);
    expect(instance.requests.every((request) => request.headers.connection !== 'close')).toBe(true);
  });

  it('returns no sys_id for a simple response', async () => {
    instance.reply(() => ({ status: 201, body: { status: 'success' } }));
    const { client, deadline } = setup({
      config: { instance: { api: { simpleResponse: true } } },
    });

    const result = await client.create(record, { deadline: deadline() });

    expect(result.sysId).toBeUndefined();
  });
});

describe('SecOpsClient retries', () => {
  it('retries a 503 and succeeds', async () => {
    instance.reply((_request, index) => (index === 0 ? unavailable : created));
    const { client, clock, deadline } = setup();

    const result = await client.create(record, { deadline: deadline() });

    expect(result.attempts).toBe(2);
    expect(instance.requests).toHaveLength(2);
    expect(clock.waits).toEqual([100]);
  });

  it('stops after maxAttempts', async () => {
    instance.reply(() => unavailable);
    const { client, clock, deadline } = setup({ config: { instance: { maxAttempts: 3 } } });

    const error = await failureOf(client.create(record, { deadline: deadline() }));

    expect(error.code).toBe('server_error');
    expect(error.attempts).toBe(3);
    expect(error.lastResponse).toEqual({ status: 503, body: '<html>Service Unavailable</html>' });
    expect(instance.requests).toHaveLength(3);
    expect(clock.waits).toEqual([100, 200]);
  });

  it('waits at least the Retry-After', async () => {
    instance.reply((_request, index) =>
      index === 0 ? { status: 429, headers: { 'retry-after': '3' }, body: '' } : created,
    );
    const { client, clock, deadline } = setup();

    const result = await client.create(record, { deadline: deadline() });

    expect(result.attempts).toBe(2);
    expect(clock.waits).toEqual([3000]);
  });

  it('keeps the backoff when it exceeds Retry-After', async () => {
    instance.reply((_request, index) =>
      index === 0 ? { status: 429, headers: { 'retry-after': '0' }, body: '' } : created,
    );
    const { client, clock, deadline } = setup({ random: () => 0.9 });

    await client.create(record, { deadline: deadline() });

    expect(clock.waits).toEqual([180]);
  });

  it('throws a permanent error at once', async () => {
    instance.reply(() => ({
      status: 400,
      body: failure('Mandatory fields missing: observable,finding'),
    }));
    const { client, clock, deadline } = setup();

    const error = await failureOf(client.create(record, { deadline: deadline() }));

    expect(error.code).toBe('mandatory_fields_missing');
    expect(error.retryable).toBe(false);
    expect(error.mandatoryFields).toEqual(['observable', 'finding']);
    expect(error.attempts).toBe(1);
    expect(instance.requests).toHaveLength(1);
    expect(clock.waits).toEqual([]);
  });

  it('retries an attempt that timed out', async () => {
    instance.reply((_request, index) => (index === 0 ? { ...created, delayMs: 500 } : created));
    const { client, logger, deadline } = setup({ config: { instance: { requestTimeoutMs: 100 } } });

    const result = await client.create(record, { deadline: deadline() });

    expect(result.attempts).toBe(2);
    expect(logger.lines[0]?.attributes.code).toBe('timeout');
  });

  it('retries a reset connection', async () => {
    instance.reply((_request, index) => (index === 0 ? 'reset' : created));
    const { client, logger, deadline } = setup();

    const result = await client.create(record, { deadline: deadline() });

    expect(result.attempts).toBe(2);
    expect(logger.lines[0]?.attributes.code).toBe('connection_failed');
  });

  it('raises connection_failed when nothing listens', async () => {
    const { client, deadline } = setup({ config: { instance: { maxAttempts: 2 } } });
    await instance.close();

    const error = await failureOf(client.create(record, { deadline: deadline() }));

    expect(error.code).toBe('connection_failed');
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.attempts).toBe(2);
  });

  it('retries the HTML page of a hibernating instance', async () => {
    instance.reply((_request, index) =>
      index === 0 ? { status: 200, body: '<html>Your instance is hibernating</html>' } : created,
    );
    const { client, logger, deadline } = setup();

    const result = await client.create(record, { deadline: deadline() });

    expect(result.attempts).toBe(2);
    expect(logger.lines[0]?.attributes.code).toBe('not_json');
  });

  it('does not follow a redirect', async () => {
    instance.reply(() => ({ status: 302, headers: { location: 'https://example.org/' } }));
    const { client, deadline } = setup({ config: { instance: { maxAttempts: 1 } } });

    const error = await failureOf(client.create(record, { deadline: deadline() }));

    expect(error.code).toBe('unexpected_response');
    expect(error.status).toBe(302);
  });
});

describe('SecOpsClient deadline', () => {
  it('makes no attempt when the timeout does not fit', async () => {
    const { client, clock } = setup();

    const error = await failureOf(client.create(record, { deadline: clock.now() + 500 }));

    expect(error.code).toBe('timeout');
    expect(error.attempts).toBe(0);
    expect(instance.requests).toHaveLength(0);
  });

  it('stops retrying before the deadline', async () => {
    instance.reply(() => unavailable);
    const { client, clock } = setup({
      config: { instance: { maxAttempts: 10, requestTimeoutMs: 100 } },
      random: () => 0.999_999,
    });
    // Waits of 199 and 399 ms start attempts at about 0, 199 and 598 ms. A fourth would
    // start after a 799 ms wait, at about 1397 ms, and could run until 1497 ms.
    const deadline = clock.now() + 1450;

    const error = await failureOf(client.create(record, { deadline }));

    expect(error.code).toBe('server_error');
    expect(error.attempts).toBe(3);
    expect(instance.requests).toHaveLength(3);
    expect(clock.waits).toEqual([199, 399]);
  });

  it('does not wait out a Retry-After past the deadline', async () => {
    instance.reply(() => ({ status: 429, headers: { 'retry-after': '120' }, body: '' }));
    const { client, clock, logger } = setup();

    const error = await failureOf(client.create(record, { deadline: clock.now() + 30_000 }));

    expect(error.code).toBe('rate_limited');
    expect(error.retryAfterMs).toBe(120_000);
    expect(error.attempts).toBe(1);
    expect(clock.waits).toEqual([]);
    expect(logger.lines.at(-1)?.attributes.stoppedBy).toBe('deadline');
  });
});

describe('SecOpsClient 401 handling', () => {
  it('reads the credentials again and retries once', async () => {
    instance.reply((request) =>
      request.headers.authorization === basicHeader(ROTATED) ? created : { status: 401, body: '' },
    );
    const { client, store, clock, deadline } = setup();
    await client.create(record, { deadline: deadline() }).catch(() => undefined);
    instance.requests.length = 0;
    store.reads = 0;
    store.secrets[SECRET_NAME] = { ...store.secrets[SECRET_NAME], password: ROTATED };

    const result = await client.create(record, { deadline: deadline() });

    expect(result.attempts).toBe(2);
    expect(store.reads).toBe(1);
    expect(instance.requests).toHaveLength(2);
    expect(clock.waits).toEqual([]);
  });

  it('raises unauthorized after the second 401', async () => {
    instance.reply(() => ({ status: 401, body: { error: { message: 'User Not Authenticated' } } }));
    const { client, store, deadline } = setup();

    const error = await failureOf(client.create(record, { deadline: deadline() }));

    expect(error.code).toBe('unauthorized');
    expect(error.retryable).toBe(true);
    expect(error.attempts).toBe(2);
    expect(error.message).toContain(`"${SECRET_NAME}"`);
    expect(instance.requests).toHaveLength(2);
    expect(store.reads).toBe(2);
  });

  it('does not count the retry after 401 against maxAttempts', async () => {
    instance.reply((_request, index) => (index === 0 ? { status: 401, body: '' } : created));
    const { client, deadline } = setup({ config: { instance: { maxAttempts: 1 } } });

    const result = await client.create(record, { deadline: deadline() });

    expect(result.attempts).toBe(2);
  });

  it('passes a SecretError through', async () => {
    const { client, store, deadline } = setup();
    delete store.secrets[SECRET_NAME];

    const error = await client.create(record, { deadline: deadline() }).catch((caught) => caught);

    expect(error).toBeInstanceOf(SecretError);
    expect((error as SecretError).code).toBe('secret_not_found');
  });
});

describe('SecOpsClient OAuth', () => {
  function oauthInstance(
    options: { expiresIn?: number; acceptToken?: (token: string) => boolean } = {},
  ) {
    let issued = 0;
    instance.reply((request) => {
      if (request.path === '/oauth_token.do') {
        issued += 1;
        return {
          status: 200,
          body: {
            access_token: `token-${issued}`,
            refresh_token: 'refresh-value',
            scope: 'useraccount',
            token_type: 'Bearer',
            expires_in: options.expiresIn ?? 1800,
          },
        };
      }
      const token = String(request.headers.authorization).replace(/^Bearer /, '');
      const accepted = options.acceptToken?.(token) ?? token.startsWith('token-');
      return accepted ? created : { status: 401, body: '' };
    });
  }

  const tokenRequests = () =>
    instance.requests.filter((request) => request.path === '/oauth_token.do');

  function oauthSecret(extra: Record<string, unknown> = {}) {
    return {
      instanceUrl: instance.url,
      auth: 'oauth',
      clientId: 'relay-client',
      clientSecret: 'relay-client-secret',
      ...extra,
    };
  }

  it('redacts secrets a token endpoint echoes', async () => {
    instance.reply((request) => ({
      status: 401,
      body: { error: 'invalid_client', error_description: `rejected form ${request.body}` },
    }));
    const secret = oauthSecret({
      clientSecret: 'client/secret value',
      username: 'relay.integration',
      password: PASSWORD,
    });
    const { client, logger, deadline } = setup({ secret });

    const error = await failureOf(client.create(record, { deadline: deadline() }));

    const exposed = `${error.message}\n${error.lastResponse?.body}\n${JSON.stringify(logger.lines)}`;
    expect(error.code).toBe('unauthorized');
    expect(exposed).toContain('[redacted]');
    expect(exposed).not.toContain(PASSWORD);
    expect(exposed).not.toContain('client%2Fsecret');
    expect(exposed).not.toContain('client/secret');
  });

  it.each([
    [200, 'text/html'],
    [302, 'text/html'],
  ])('redacts a token endpoint that echoes the form with %i', async (status, type) => {
    instance.reply((request) =>
      request.path === '/oauth_token.do'
        ? { status, headers: { 'content-type': type }, body: `<p>form: ${request.body}</p>` }
        : created,
    );
    const secret = oauthSecret({ clientSecret: 'client/secret value' });
    const { client, logger, deadline } = setup({
      secret,
      config: { instance: { maxAttempts: 1 } },
    });

    const error = await failureOf(client.create(record, { deadline: deadline() }));

    const exposed = `${error.message}\n${error.lastResponse?.body}\n${JSON.stringify(logger.lines)}`;
    expect(exposed).toContain('[redacted]');
    expect(exposed).not.toContain('client%2Fsecret');
    expect(exposed).not.toContain('client/secret');
  });

  it('uses client_credentials and reuses the token', async () => {
    oauthInstance();
    const { client, deadline } = setup({ secret: oauthSecret() });

    await client.create(record, { deadline: deadline() });
    await client.create(record, { deadline: deadline() });

    const [tokenRequest, ...others] = tokenRequests();
    expect(others).toHaveLength(0);
    expect(tokenRequest?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    const form = new URLSearchParams(tokenRequest?.body);
    expect(form.get('grant_type')).toBe('client_credentials');
    expect(form.get('client_id')).toBe('relay-client');
    expect(form.get('client_secret')).toBe('relay-client-secret');
    const apiRequest = instance.requests.find((request) => request.path === API_PATH);
    expect(apiRequest?.headers.authorization).toBe('Bearer token-1');
  });

  it('uses the password grant with a user', async () => {
    oauthInstance();
    const { client, deadline } = setup({
      secret: oauthSecret({ username: 'relay.integration', password: PASSWORD }),
    });

    await client.create(record, { deadline: deadline() });

    const form = new URLSearchParams(tokenRequests()[0]?.body);
    expect(form.get('grant_type')).toBe('password');
    expect(form.get('username')).toBe('relay.integration');
    expect(form.get('password')).toBe(PASSWORD);
  });

  it('replaces the token 60 s before it expires', async () => {
    oauthInstance({ expiresIn: 600 });
    const { client, clock, deadline } = setup({ secret: oauthSecret() });

    await client.create(record, { deadline: deadline() });
    clock.advance(539_000);
    await client.create(record, { deadline: deadline() });
    clock.advance(1000);
    await client.create(record, { deadline: deadline() });

    expect(tokenRequests()).toHaveLength(2);
  });

  it('keeps the token while the secret is unchanged', async () => {
    oauthInstance();
    const { client, clock, store, deadline } = setup({ secret: oauthSecret() });
    await client.create(record, { deadline: deadline() });
    clock.advance(301_000);

    await client.create(record, { deadline: deadline() });

    expect(store.reads).toBe(2);
    expect(tokenRequests()).toHaveLength(1);
  });

  it('fetches a new token for a rotated client secret', async () => {
    oauthInstance();
    const { client, clock, store, deadline } = setup({ secret: oauthSecret() });
    await client.create(record, { deadline: deadline() });
    store.secrets[SECRET_NAME] = oauthSecret({ clientSecret: 'rotated-client-secret' });
    clock.advance(301_000);

    await client.create(record, { deadline: deadline() });

    const form = new URLSearchParams(tokenRequests()[1]?.body);
    expect(tokenRequests()).toHaveLength(2);
    expect(form.get('client_secret')).toBe('rotated-client-secret');
  });

  it('fetches a new token after a 401', async () => {
    oauthInstance({ acceptToken: (token) => token !== 'token-1' });
    const { client, deadline } = setup({ secret: oauthSecret() });

    const result = await client.create(record, { deadline: deadline() });

    expect(result.attempts).toBe(2);
    expect(tokenRequests()).toHaveLength(2);
  });

  it('raises unauthorized when the token is refused twice', async () => {
    instance.reply(() => ({
      status: 401,
      body: { error: 'server_error', error_description: 'access_denied' },
    }));
    const { client, deadline } = setup({ secret: oauthSecret() });

    const error = await failureOf(client.create(record, { deadline: deadline() }));

    expect(error.code).toBe('unauthorized');
    expect(error.message).toContain('access_denied');
    expect(error.message).not.toContain('relay-client-secret');
    expect(tokenRequests()).toHaveLength(2);
  });

  it('retries a token endpoint that is down', async () => {
    let tokenCalls = 0;
    instance.reply((request) => {
      if (request.path !== '/oauth_token.do') return created;
      tokenCalls += 1;
      return tokenCalls === 1
        ? unavailable
        : { status: 200, body: { access_token: 'token-ok', expires_in: 1800 } };
    });
    const { client, deadline } = setup({ secret: oauthSecret() });

    const result = await client.create(record, { deadline: deadline() });

    expect(result.attempts).toBe(2);
  });
});

describe('SecOpsClient logging', () => {
  it('logs each retry and the failure with the caller ids', async () => {
    instance.reply(() => unavailable);
    const { client, logger, deadline } = setup({ config: { instance: { maxAttempts: 2 } } });

    await client
      .create(record, { deadline: deadline(), log: { deliveryId: 'd-1', source: 'virustotal' } })
      .catch(() => undefined);

    expect(logger.lines.map((line) => line.level)).toEqual(['warn', 'error']);
    expect(logger.lines[0]?.attributes).toMatchObject({
      attempt: 1,
      code: 'server_error',
      status: 503,
      waitMs: 100,
      deliveryId: 'd-1',
      source: 'virustotal',
      table: 'sn_ti_lookup_result',
    });
    expect(logger.lines[1]?.attributes).toMatchObject({ attempt: 2, code: 'server_error' });
  });

  it('never logs credentials', async () => {
    instance.reply(() => ({ status: 401, body: '' }));
    const { client, logger, deadline } = setup({
      secret: {
        instanceUrl: instance.url,
        auth: 'oauth',
        clientId: 'relay-client',
        clientSecret: 'relay-client-secret',
        username: 'relay.integration',
        password: PASSWORD,
      },
    });

    await client.create(record, { deadline: deadline() }).catch(() => undefined);

    const logged = inspect(logger.lines, { depth: 10 });
    expect(logger.lines.length).toBeGreaterThan(0);
    expect(logged).not.toContain(PASSWORD);
    expect(logged).not.toContain('relay-client-secret');
    expect(logged).not.toContain('Authorization');
  });
});

describe('SecOpsClient error text', () => {
  it('redacts credentials an instance echoes', async () => {
    instance.reply((request) => ({
      status: 400,
      body: {
        status: 'failure',
        error: {
          message: `Bad request with header ${String(request.headers.authorization)}`,
          detail: `user relay.integration:${PASSWORD}, escaped ${basicHeader(PASSWORD).replaceAll('/', '\\/')}`,
        },
      },
    }));
    const { client, logger, deadline } = setup({ config: { instance: { maxAttempts: 1 } } });

    const error = await failureOf(client.create(record, { deadline: deadline() }));

    const exposed = `${error.message}\n${error.lastResponse?.body}\n${JSON.stringify(logger.lines)}`;
    expect(exposed).toContain('[redacted]');
    expect(exposed).not.toContain(PASSWORD);
    expect(exposed).not.toContain(basicHeader(PASSWORD).slice('Basic '.length));
    expect(exposed).toContain('relay.integration');
  });

  it('redacts credentials echoed as the sys_id of a stored record', async () => {
    instance.reply(() => ({ status: 201, body: { status: 'success', sys_id: PASSWORD } }));
    const { client, deadline } = setup();

    const result = await client.create(record, { deadline: deadline() });

    expect(result.sysId).toBe('[redacted]');
  });

  it('redacts credentials in the warning about a stored record without a sys_id', async () => {
    // The warning names the keys of a body without a sys_id, here the password itself.
    instance.reply(() => ({ status: 201, body: { result: { [PASSWORD]: 'stored' } } }));
    const { client, logger, deadline } = setup();

    const result = await client.create(record, { deadline: deadline() });

    const logged = JSON.stringify(logger.lines);
    expect(result.sysId).toBeUndefined();
    expect(logged).toContain('sys_id is unknown');
    expect(logged).toContain('[redacted]');
    expect(logged).not.toContain(PASSWORD);
  });

  it('redacts a password written with HTML-safe JSON escapes', async () => {
    const password = "Pw&0004<secret>='x";
    const escaped = password.replace(
      /[&<>=']/g,
      (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
    instance.reply(() => ({
      status: 400,
      body: `{"status":"failure","error":{"message":"bad password ${escaped}"}}`,
    }));
    const { client, logger, deadline } = setup({
      secret: { instanceUrl: instance.url, auth: 'basic', username: 'relay.integration', password },
      config: { instance: { maxAttempts: 1 } },
    });

    const error = await failureOf(client.create(record, { deadline: deadline() }));

    const exposed = `${error.message}\n${error.lastResponse?.body}\n${JSON.stringify(logger.lines)}`;
    expect(exposed).toContain('[redacted]');
    expect(exposed).not.toContain(password);
    expect(exposed).not.toContain(escaped);
  });

  it('redacts a password in a Location header', async () => {
    instance.reply(() => ({
      status: 302,
      headers: { location: `https://login.example.org/?u=relay.integration&p=${PASSWORD}` },
    }));
    const { client, logger, deadline } = setup({ config: { instance: { maxAttempts: 1 } } });

    const error = await failureOf(client.create(record, { deadline: deadline() }));

    const exposed = `${error.message}\n${JSON.stringify(logger.lines)}`;
    expect(exposed).toContain('login.example.org');
    expect(exposed).not.toContain(PASSWORD);
  });

  it('redacts credentials in a failure body sent with a 2xx', async () => {
    instance.reply(() => ({
      status: 200,
      body: { status: 'failure', error: { message: `denied for ${PASSWORD}` } },
    }));
    const { client, logger, deadline } = setup({ config: { instance: { maxAttempts: 1 } } });

    const error = await failureOf(client.create(record, { deadline: deadline() }));

    const exposed = `${error.message}\n${error.lastResponse?.body}\n${JSON.stringify(logger.lines)}`;
    expect(exposed).toContain('[redacted]');
    expect(exposed).not.toContain(PASSWORD);
  });

  it('redacts an echoed password with a slash', async () => {
    const password = 'p/ss+word/with/slashes';
    instance.reply(() => ({
      status: 500,
      body: `{"error":{"message":"Unknown error","detail":"${password.replaceAll('/', '\\/')}"}}`,
    }));
    const secret = {
      instanceUrl: instance.url,
      auth: 'basic',
      username: 'relay.integration',
      password,
    };
    const { client, deadline } = setup({ secret, config: { instance: { maxAttempts: 1 } } });

    const error = await failureOf(client.create(record, { deadline: deadline() }));

    expect(error.lastResponse?.body).toContain('[redacted]');
    expect(error.lastResponse?.body).not.toContain('with\\/slashes');
  });

  it('cuts a huge instance message in the error', async () => {
    const message = `Unable to persist ${'x'.repeat(100_000)}`;
    instance.reply(() => ({ status: 500, body: failure(message) }));
    const { client, deadline } = setup();

    const error = await failureOf(client.create(record, { deadline: deadline() }));

    expect(error.code).toBe('unknown_error');
    expect(error.message.length).toBeLessThan(1000);
    expect(error.message).toContain('Unable to persist xxx');
    expect(error.message).toContain('…');
  });
});
